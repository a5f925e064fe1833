import { equalBytes } from '../bytes.js';
import { type CommitScriptFields, parseCommitScript } from '../scripts/commit-script.js';
import { type DepositScriptFields, parseDepositScript } from '../scripts/deposit-script.js';
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
import { hexToBytes } from '../bytes.js';

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

interface PathSpec {
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

function buildSpend(
  kind: RecoverySpendKind,
  params: SpendParams,
  path: PathSpec,
): SpendTransaction {
  assertAmount(params.value, 'spent value');
  assertFeeRate(params.feeRate);
  if (!equalBytes(publicKeyOf(params.privateKey), path.signerPubkey)) {
    throw new TransactionError('TX_WRONG_KEY', `a ${kind} must be signed by the ${path.role}`);
  }
  if (path.secret && !equalBytes(hash160(path.secret.value), path.secret.hash)) {
    throw new TransactionError('TX_WRONG_SECRET', `${path.secret.name} does not match the script`);
  }
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
        sequence: spendSequence(kind, path.redeemScript),
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
  const fields: CommitScriptFields = parseRedeem(
    parseCommitScript,
    params.commitScript,
    'commit script',
  );
  return buildSpend('payout', params, {
    redeemScript: params.commitScript,
    signerPubkey: fields.payeePubkey,
    role: 'payee',
    secret: { value: params.spendSecret, hash: fields.spendSecretHash, name: 'spend secret' },
    unlocking: (payeeSignature) => ({
      kind: 'payout',
      payeeSignature,
      spendSecret: params.spendSecret,
      commitScript: params.commitScript,
    }),
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
  const fields: CommitScriptFields = parseRedeem(
    parseCommitScript,
    params.commitScript,
    'commit script',
  );
  return buildSpend('revoke', params, {
    redeemScript: params.commitScript,
    signerPubkey: fields.payerPubkey,
    role: 'payer',
    secret: { value: params.revokeSecret, hash: fields.revokeSecretHash, name: 'revoke secret' },
    unlocking: (payerSignature) => ({
      kind: 'revoke',
      payerSignature,
      revokeSecret: params.revokeSecret,
      commitScript: params.commitScript,
    }),
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
  const fields: DepositScriptFields = parseRedeem(
    parseDepositScript,
    params.depositScript,
    'deposit script',
  );
  return buildSpend('change', params, {
    redeemScript: params.depositScript,
    signerPubkey: fields.payerPubkey,
    role: 'payer',
    secret: { value: params.spendSecret, hash: fields.spendSecretHash, name: 'spend secret' },
    unlocking: (payerSignature) => ({
      kind: 'change',
      payerSignature,
      spendSecret: params.spendSecret,
      depositScript: params.depositScript,
    }),
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
  const fields: DepositScriptFields = parseRedeem(
    parseDepositScript,
    params.depositScript,
    'deposit script',
  );
  return buildSpend('expire', params, {
    redeemScript: params.depositScript,
    signerPubkey: fields.payerPubkey,
    role: 'payer',
    unlocking: (payerSignature) => ({
      kind: 'expire',
      payerSignature,
      depositScript: params.depositScript,
    }),
  });
}
