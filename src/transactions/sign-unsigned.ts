import { concatBytes, equalBytes } from '../bytes.js';
import { p2pkhOutputScript } from '../scripts/key-output-scripts.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { encodePush } from '../scripts/script-tokens.js';
import { buildUnlockingScript, type UnlockingScript } from '../scripts/unlocking-scripts.js';
import { completeCommit } from './commit-transaction.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { TransactionError } from './errors.js';
import { publicKeyOf } from './keys.js';
import { PAYEE_SIGNATURE_PLACEHOLDER, signP2shInput } from './p2sh-signing.js';
import {
  type TxData,
  decodeTransaction,
  encodeTransaction,
  withScriptSig,
} from './raw-transaction.js';
import { legacySighash, signHash } from './signatures.js';
import { type RecoverySpend, assertRecoverySigner, recoveryPath } from './spend-transactions.js';

/**
 * Which spend path to sign an unsigned transaction for, with the redeem script and secret it
 * needs. `commit` is the payer's half-signature; {@link completeCommit} adds the payee's.
 */
export type UnsignedSpend =
  | { readonly kind: 'commit'; readonly depositScript: Uint8Array }
  | RecoverySpend;

/**
 * The redeem script and unlocking layout of a spend, after the same script, key and secret checks
 * the builders make, so that signing a given transaction refuses exactly what building one would.
 */
function signingPath(
  spend: UnsignedSpend,
  privateKey: Uint8Array,
): { redeemScript: Uint8Array; unlocking: (signature: Uint8Array) => UnlockingScript } {
  if (spend.kind !== 'commit') {
    const path = recoveryPath(spend);
    assertRecoverySigner(path, privateKey);
    return path;
  }
  let payerPubkey: Uint8Array;
  try {
    payerPubkey = parseDepositScript(spend.depositScript).payerPubkey;
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
  }
  // The payer signs first; the payee's slot keeps the reference placeholder.
  if (!equalBytes(payerPubkey, publicKeyOf(privateKey))) {
    throw new TransactionError('TX_WRONG_KEY', 'a commit is signed first by the payer');
  }
  return {
    redeemScript: spend.depositScript,
    unlocking: (payerSignature) => ({
      kind: 'commit',
      payerSignature,
      payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
      depositScript: spend.depositScript,
    }),
  };
}

/**
 * Signs every input of a given unsigned transaction for one spend path, as the reference
 * implementation's signing functions do. Each input's scriptSig must be empty or hold the
 * placeholder P2SH(redeem script); version, nSequence, outputs and nLockTime are kept as given, so
 * the result is byte-identical to the reference for the same inputs.
 *
 * @throws {@link TransactionError} `TX_MALFORMED`, `TX_BAD_SCRIPT`, `TX_WRONG_KEY`, `TX_WRONG_SECRET`.
 */
export function signUnsignedTransaction(
  rawTx: Uint8Array,
  spend: UnsignedSpend,
  privateKey: Uint8Array,
): Uint8Array {
  const { redeemScript, unlocking } = signingPath(spend, privateKey);
  // Every input is a legacy P2SH spend, which must carry no witness data.
  let tx: TxData = { ...decodeTransaction(rawTx), witnesses: undefined };
  const placeholder = p2shOutputScript(redeemScript);
  tx.inputs.forEach((input, i) => {
    if (input.scriptSig.length !== 0 && !equalBytes(input.scriptSig, placeholder)) {
      throw new TransactionError(
        'TX_BAD_SCRIPT',
        `input ${i} is not an unsigned spend of the given redeem script`,
      );
    }
  });
  for (let i = 0; i < tx.inputs.length; i++) {
    const signature = signP2shInput(tx, i, redeemScript, privateKey);
    tx = withScriptSig(tx, i, buildUnlockingScript(unlocking(signature)));
  }
  return encodeTransaction(tx);
}

/**
 * Signs every P2PKH input of a given unsigned transaction whose scriptSig holds the placeholder
 * output script of `privateKey`'s address — how the reference signs a payer's deposit.
 *
 * @throws {@link TransactionError} `TX_MALFORMED`, `TX_BAD_SCRIPT` or `TX_INVALID_KEY`.
 */
export function signUnsignedP2pkhTransaction(
  rawTx: Uint8Array,
  privateKey: Uint8Array,
): Uint8Array {
  const publicKey = publicKeyOf(privateKey);
  const outputScript = p2pkhOutputScript(publicKey);
  let tx = decodeTransaction(rawTx);
  tx.inputs.forEach((input, i) => {
    if (!equalBytes(input.scriptSig, outputScript)) {
      throw new TransactionError(
        'TX_BAD_SCRIPT',
        `input ${i} is not an unsigned P2PKH spend of this key`,
      );
    }
  });
  for (let i = 0; i < tx.inputs.length; i++) {
    const signature = signHash(legacySighash(tx, i, outputScript), privateKey);
    tx = withScriptSig(tx, i, concatBytes(encodePush(signature), encodePush(publicKey)));
  }
  return encodeTransaction(tx);
}

export { completeCommit as finalizeCommit };
