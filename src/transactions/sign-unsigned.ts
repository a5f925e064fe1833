import { concatBytes, equalBytes } from '../bytes.js';
import { hash160 } from '../scripts/hash.js';
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
import {
  buildChangeTransaction,
  buildExpireTransaction,
  buildPayoutTransaction,
  buildRevokeTransaction,
} from './spend-transactions.js';

/**
 * Which spend path to sign an unsigned transaction for, with the redeem script and secret it
 * needs. `commit` is the payer's half-signature; {@link completeCommit} adds the payee's.
 */
export type UnsignedSpend =
  | { readonly kind: 'commit'; readonly depositScript: Uint8Array }
  | { readonly kind: 'payout'; readonly commitScript: Uint8Array; readonly spendSecret: Uint8Array }
  | {
      readonly kind: 'revoke';
      readonly commitScript: Uint8Array;
      readonly revokeSecret: Uint8Array;
    }
  | {
      readonly kind: 'change';
      readonly depositScript: Uint8Array;
      readonly spendSecret: Uint8Array;
    }
  | { readonly kind: 'expire'; readonly depositScript: Uint8Array };

function redeemOf(spend: UnsignedSpend): Uint8Array {
  return spend.kind === 'payout' || spend.kind === 'revoke'
    ? spend.commitScript
    : spend.depositScript;
}

function unlockingFor(spend: UnsignedSpend, signature: Uint8Array): UnlockingScript {
  switch (spend.kind) {
    case 'commit':
      return {
        kind: 'commit',
        payerSignature: signature,
        payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
        depositScript: spend.depositScript,
      };
    case 'payout':
      return {
        kind: 'payout',
        payeeSignature: signature,
        spendSecret: spend.spendSecret,
        commitScript: spend.commitScript,
      };
    case 'revoke':
      return {
        kind: 'revoke',
        payerSignature: signature,
        revokeSecret: spend.revokeSecret,
        commitScript: spend.commitScript,
      };
    case 'change':
      return {
        kind: 'change',
        payerSignature: signature,
        spendSecret: spend.spendSecret,
        depositScript: spend.depositScript,
      };
    case 'expire':
      return { kind: 'expire', payerSignature: signature, depositScript: spend.depositScript };
  }
}

/**
 * Runs the same key, secret and script checks as the builders by sizing a throw-away spend, so that
 * signing a given transaction refuses exactly what building one would.
 */
function checkPath(spend: UnsignedSpend, privateKey: Uint8Array): void {
  const probe = {
    outpoint: { txid: '00'.repeat(32), vout: 0 },
    value: 2_100_000_000_000_000n,
    // Any standard script: the redeem script is checked by the builder, not hashed here.
    destinationScript: Uint8Array.of(0x6a),
    feeRate: 0,
    privateKey,
  };
  switch (spend.kind) {
    case 'commit':
      try {
        parseDepositScript(spend.depositScript);
      } catch (cause) {
        throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
      }
      return;
    case 'payout':
      buildPayoutTransaction({ ...probe, ...spend });
      return;
    case 'revoke':
      buildRevokeTransaction({ ...probe, ...spend });
      return;
    case 'change':
      buildChangeTransaction({ ...probe, ...spend });
      return;
    case 'expire':
      buildExpireTransaction({ ...probe, ...spend });
      return;
  }
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
  const redeemScript = redeemOf(spend);
  checkPath(spend, privateKey);
  if (spend.kind === 'commit') {
    // The payer signs first; refuse a key that is not the deposit's payer key.
    if (!equalBytes(parseDepositScript(redeemScript).payerPubkey, publicKeyOf(privateKey))) {
      throw new TransactionError('TX_WRONG_KEY', 'a commit is signed first by the payer');
    }
  }
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
    tx = withScriptSig(tx, i, buildUnlockingScript(unlockingFor(spend, signature)));
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
  const outputScript = concatBytes(
    Uint8Array.of(0x76, 0xa9, 0x14),
    hash160(publicKey),
    Uint8Array.of(0x88, 0xac),
  );
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
