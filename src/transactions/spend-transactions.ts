import { equalBytes, hexToBytes } from '../bytes.js';
import { parseCommitScript } from '../scripts/commit-script.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { hash160 } from '../scripts/hash.js';
import { type UnlockingScript, buildUnlockingScript } from '../scripts/unlocking-scripts.js';
import { TRANSACTION_VERSION } from './commit-transaction.js';
import { TransactionError } from './errors.js';
import { assertAmount, assertFeeRate, dustThreshold, feeFor } from './fees.js';
import { publicKeyOf } from './keys.js';
import { MAX_SIZE_SIGNATURE, signP2shInput } from './p2sh-signing.js';
import {
  FINAL_SEQUENCE,
  type Outpoint,
  type TxData,
  encodeTransaction,
  transactionId,
  virtualSizeOf,
  withScriptSig,
} from './raw-transaction.js';

/** The four spends that close or recover a channel. */
export type RecoverySpendKind = 'payout' | 'revoke' | 'change' | 'expire';

/** What every recovery spend needs. */
export interface SpendParams {
  /** The output being spent: a commit output (payout, revoke) or a deposit/remainder output (change, expire). */
  readonly outpoint: Outpoint;
  /** Its value, satoshis. */
  readonly value: bigint;
  /** Where the money goes. */
  readonly destinationScript: Uint8Array;
  /** Fee rate, sat/vB, paid out of `value`. */
  readonly feeRate: number;
  /** Key of the party who may take this path (payee for payout, payer otherwise). */
  readonly privateKey: Uint8Array;
}

/** A signed recovery transaction. */
export interface SpendTransaction {
  readonly rawTx: Uint8Array;
  readonly txid: string;
  readonly fee: bigint;
  /** Value of the single output. */
  readonly outputValue: bigint;
}

/** The nSequence each spend path's input carries (PROTOCOL.md §4). */
export function spendSequence(kind: RecoverySpendKind, redeemScript: Uint8Array): number {
  switch (kind) {
    case 'payout':
      return parseCommitScript(redeemScript).delayTime;
    case 'expire':
      return parseDepositScript(redeemScript).expireTime;
    default:
      return FINAL_SEQUENCE;
  }
}

/**
 * One of the four recovery spends with the redeem script and secret it needs — what
 * {@link recoveryPath} and the reference-style signing of a given transaction work from.
 */
export type RecoverySpend =
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

/** A recovery spend resolved against its redeem script: who signs, which secret, how it unlocks. */
export interface RecoveryPath {
  readonly kind: RecoverySpendKind;
  readonly redeemScript: Uint8Array;
  readonly signerPubkey: Uint8Array;
  readonly role: 'payer' | 'payee';
  readonly secret?: {
    readonly value: Uint8Array;
    readonly hash: Uint8Array;
    readonly name: string;
  };
  readonly unlocking: (signature: Uint8Array) => UnlockingScript;
}

function parseRedeem<T>(parse: (s: Uint8Array) => T, script: Uint8Array, name: string): T {
  try {
    return parse(script);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `${name}: ${(cause as Error).message}`);
  }
}

/**
 * Resolves a recovery spend: parses its redeem script and names the signer, the secret to
 * check and the unlocking script of PROTOCOL.md §4.
 *
 * @throws {@link TransactionError} `TX_BAD_SCRIPT` when the redeem script does not parse.
 */
export function recoveryPath(spend: RecoverySpend): RecoveryPath {
  switch (spend.kind) {
    case 'payout': {
      const f = parseRedeem(parseCommitScript, spend.commitScript, 'commit script');
      return {
        kind: 'payout',
        redeemScript: spend.commitScript,
        signerPubkey: f.payeePubkey,
        role: 'payee',
        secret: { value: spend.spendSecret, hash: f.spendSecretHash, name: 'spend secret' },
        unlocking: (payeeSignature) => ({
          kind: 'payout',
          payeeSignature,
          spendSecret: spend.spendSecret,
          commitScript: spend.commitScript,
        }),
      };
    }
    case 'revoke': {
      const f = parseRedeem(parseCommitScript, spend.commitScript, 'commit script');
      return {
        kind: 'revoke',
        redeemScript: spend.commitScript,
        signerPubkey: f.payerPubkey,
        role: 'payer',
        secret: { value: spend.revokeSecret, hash: f.revokeSecretHash, name: 'revoke secret' },
        unlocking: (payerSignature) => ({
          kind: 'revoke',
          payerSignature,
          revokeSecret: spend.revokeSecret,
          commitScript: spend.commitScript,
        }),
      };
    }
    case 'change': {
      const f = parseRedeem(parseDepositScript, spend.depositScript, 'deposit script');
      return {
        kind: 'change',
        redeemScript: spend.depositScript,
        signerPubkey: f.payerPubkey,
        role: 'payer',
        secret: { value: spend.spendSecret, hash: f.spendSecretHash, name: 'spend secret' },
        unlocking: (payerSignature) => ({
          kind: 'change',
          payerSignature,
          spendSecret: spend.spendSecret,
          depositScript: spend.depositScript,
        }),
      };
    }
    case 'expire': {
      const f = parseRedeem(parseDepositScript, spend.depositScript, 'deposit script');
      return {
        kind: 'expire',
        redeemScript: spend.depositScript,
        signerPubkey: f.payerPubkey,
        role: 'payer',
        unlocking: (payerSignature) => ({
          kind: 'expire',
          payerSignature,
          depositScript: spend.depositScript,
        }),
      };
    }
  }
}

/**
 * Checks that `privateKey` is the key this path must be signed with and that its secret matches
 * the script.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_WRONG_SECRET` or `TX_INVALID_KEY`.
 */
export function assertRecoverySigner(path: RecoveryPath, privateKey: Uint8Array): void {
  if (!equalBytes(publicKeyOf(privateKey), path.signerPubkey)) {
    throw new TransactionError('TX_WRONG_KEY', `a ${path.kind} must be signed by the ${path.role}`);
  }
  if (path.secret && !equalBytes(hash160(path.secret.value), path.secret.hash)) {
    throw new TransactionError('TX_WRONG_SECRET', `${path.secret.name} does not match the script`);
  }
}

function buildSpend(params: SpendParams, spend: RecoverySpend): SpendTransaction {
  const path = recoveryPath(spend);
  assertAmount(params.value, 'spent value');
  assertFeeRate(params.feeRate);
  assertRecoverySigner(path, params.privateKey);
  if (
    !/^[0-9a-f]{64}$/.test(params.outpoint.txid) ||
    !Number.isInteger(params.outpoint.vout) ||
    params.outpoint.vout < 0 ||
    params.outpoint.vout > 0xffffffff
  ) {
    throw new TransactionError('TX_INVALID_PARAMS', 'outpoint must be a 64-hex txid and a vout');
  }
  const skeleton: TxData = {
    version: TRANSACTION_VERSION,
    inputs: [
      {
        txid: hexToBytes(params.outpoint.txid),
        index: params.outpoint.vout,
        scriptSig: buildUnlockingScript(path.unlocking(MAX_SIZE_SIGNATURE)),
        sequence: spendSequence(path.kind, path.redeemScript),
      },
    ],
    outputs: [{ value: 0n, script: params.destinationScript }],
    lockTime: 0,
  };
  const fee = feeFor(virtualSizeOf(skeleton), params.feeRate);
  const outputValue = params.value - fee;
  const dust = dustThreshold(params.destinationScript);
  if (outputValue < dust || outputValue <= 0n) {
    throw new TransactionError(
      'TX_INSUFFICIENT_FUNDS',
      `${params.value} cannot pay the fee ${fee} and a non-dust output (${dust})`,
    );
  }
  const unsigned: TxData = {
    ...skeleton,
    outputs: [{ value: outputValue, script: params.destinationScript }],
  };
  const signature = signP2shInput(unsigned, 0, path.redeemScript, params.privateKey);
  const signed = withScriptSig(unsigned, 0, buildUnlockingScript(path.unlocking(signature)));
  return { rawTx: encodeTransaction(signed), txid: transactionId(signed), fee, outputValue };
}

/**
 * The payee's payout of a commit output after `delay_time` confirmations: reveals the spend
 * secret; nSequence = delay time.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_WRONG_SECRET`, `TX_BAD_SCRIPT`, `TX_INSUFFICIENT_FUNDS`.
 */
export function buildPayoutTransaction(
  params: SpendParams & { commitScript: Uint8Array; spendSecret: Uint8Array },
): SpendTransaction {
  return buildSpend(params, {
    kind: 'payout',
    commitScript: params.commitScript,
    spendSecret: params.spendSecret,
  });
}

/**
 * The payer's revoke of a revoked commit output that the payee published: reveals the revoke
 * secret; final nSequence so that it can confirm before the payee's payout becomes valid.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_WRONG_SECRET`, `TX_BAD_SCRIPT`, `TX_INSUFFICIENT_FUNDS`.
 */
export function buildRevokeTransaction(
  params: SpendParams & { commitScript: Uint8Array; revokeSecret: Uint8Array },
): SpendTransaction {
  return buildSpend(params, {
    kind: 'revoke',
    commitScript: params.commitScript,
    revokeSecret: params.revokeSecret,
  });
}

/**
 * The payer's change: takes a deposit (or remainder) output with the spend secret the payee
 * revealed on payout; final nSequence.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_WRONG_SECRET`, `TX_BAD_SCRIPT`, `TX_INSUFFICIENT_FUNDS`.
 */
export function buildChangeTransaction(
  params: SpendParams & { depositScript: Uint8Array; spendSecret: Uint8Array },
): SpendTransaction {
  return buildSpend(params, {
    kind: 'change',
    depositScript: params.depositScript,
    spendSecret: params.spendSecret,
  });
}

/**
 * The payer's expire: takes a deposit (or remainder) output after `expire_time` confirmations;
 * nSequence = expire time.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_BAD_SCRIPT`, `TX_INSUFFICIENT_FUNDS`.
 */
export function buildExpireTransaction(
  params: SpendParams & { depositScript: Uint8Array },
): SpendTransaction {
  return buildSpend(params, { kind: 'expire', depositScript: params.depositScript });
}
