import { hexToBytes } from '../bytes.js';
import { buildUnlockingScript } from '../scripts/unlocking-scripts.js';
import { type AssetTerms, assetSendOutputs } from './asset-terms.js';
import { TRANSACTION_VERSION } from './commit-transaction.js';
import { TransactionError } from './errors.js';
import { assertAmount, assertFeeRate, dustThreshold, feeFor } from './fees.js';
import { MAX_SIZE_SIGNATURE, signP2shInput } from './p2sh-signing.js';
import {
  type Outpoint,
  type TxData,
  encodeTransaction,
  transactionId,
  virtualSizeOf,
  withScriptSig,
} from './raw-transaction.js';
import {
  type RecoveryPath,
  type RecoverySpend,
  type SpendParams,
  type SpendTransaction,
  assertRecoverySigner,
  recoveryPath,
  spendSequence,
} from './spend-transactions.js';

/** What every asset-mode recovery spend needs: the BTC spend's parameters plus the send. */
export interface AssetSpendParams extends SpendParams {
  /**
   * Asset units to move from the spent output's address: the commit's amount for a payout or
   * revoke, what the deposit address still holds for a change or expire (a classic send above
   * the balance moves the balance).
   */
  readonly quantity: bigint;
  readonly terms: AssetTerms;
}

/** A signed asset-mode recovery transaction. */
export interface AssetSpendTransaction extends SpendTransaction {
  /** Asset units the classic send names. */
  readonly quantity: bigint;
}

function spendSkeleton(
  path: RecoveryPath,
  outpoint: Outpoint,
  destinationScript: Uint8Array,
  quantity: bigint,
  terms: AssetTerms,
): TxData {
  const dust = dustThreshold(destinationScript);
  return {
    version: TRANSACTION_VERSION,
    inputs: [
      {
        txid: hexToBytes(outpoint.txid),
        index: outpoint.vout,
        scriptSig: buildUnlockingScript(path.unlocking(MAX_SIZE_SIGNATURE)),
        sequence: spendSequence(path.kind, path.redeemScript),
      },
    ],
    outputs: assetSendOutputs(terms, quantity, destinationScript, dust, outpoint.txid),
    lockTime: 0,
  };
}

/**
 * The least BTC a channel output must carry for an asset-mode spend along `spend` to pay its fee
 * at `feeRate` and leave a non-dust destination: what a commit output needs for the payee's
 * payout (and the payer's revoke), and a remainder for the change or expire.
 *
 * @throws {@link TransactionError} `TX_BAD_SCRIPT` or `TX_INVALID_PARAMS`.
 */
export function minAssetSpendValue(
  spend: RecoverySpend,
  destinationScript: Uint8Array,
  feeRate: number,
  terms: AssetTerms,
): bigint {
  assertFeeRate(feeRate);
  const skeleton = spendSkeleton(
    recoveryPath(spend),
    { txid: '00'.repeat(32), vout: 0 },
    destinationScript,
    1n,
    terms,
  );
  return feeFor(virtualSizeOf(skeleton), feeRate) + dustThreshold(destinationScript);
}

/**
 * Builds one recovery spend in asset mode: the single input spends the channel output, output 0
 * pays the destination all the BTC left after the fee (so the destination holds an output at
 * its address for its own next send), output 1 is the OP_RETURN moving `quantity` of the asset
 * to it. Paths, nSequence and signatures are those of the BTC spends.
 */
function buildAssetSpend(params: AssetSpendParams, spend: RecoverySpend): AssetSpendTransaction {
  const path = recoveryPath(spend);
  assertAmount(params.value, 'spent value');
  assertFeeRate(params.feeRate);
  assertRecoverySigner(path, params.privateKey);
  const { outpoint } = params;
  if (
    !/^[0-9a-f]{64}$/.test(outpoint.txid) ||
    !Number.isInteger(outpoint.vout) ||
    outpoint.vout < 0 ||
    outpoint.vout > 0xffffffff
  ) {
    throw new TransactionError('TX_INVALID_PARAMS', 'outpoint must be a 64-hex txid and a vout');
  }
  const dust = dustThreshold(params.destinationScript);
  const skeleton = spendSkeleton(
    path,
    outpoint,
    params.destinationScript,
    params.quantity,
    params.terms,
  );
  const sizing = skeleton.outputs;
  const fee = feeFor(virtualSizeOf(skeleton), params.feeRate);
  const outputValue = params.value - fee;
  if (outputValue < dust) {
    throw new TransactionError(
      'TX_INSUFFICIENT_FUNDS',
      `${params.value} cannot pay the fee ${fee} and a non-dust destination (${dust})`,
    );
  }
  const [destination, data] = sizing;
  const unsigned: TxData = {
    ...skeleton,
    outputs: [{ ...destination!, value: outputValue }, data!],
  };
  const signature = signP2shInput(unsigned, 0, path.redeemScript, params.privateKey);
  const signed = withScriptSig(unsigned, 0, buildUnlockingScript(path.unlocking(signature)));
  return {
    rawTx: encodeTransaction(signed),
    txid: transactionId(signed),
    fee,
    outputValue,
    quantity: params.quantity,
  };
}

/**
 * The payee's payout in asset mode: after `delay_time` confirmations of the commit, moves the
 * commit's asset and its BTC to the payee, revealing the spend secret.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_WRONG_SECRET`, `TX_BAD_SCRIPT`,
 *   `TX_INVALID_PARAMS`, `TX_INSUFFICIENT_FUNDS`.
 */
export function buildAssetPayoutTransaction(
  params: AssetSpendParams & { commitScript: Uint8Array; spendSecret: Uint8Array },
): AssetSpendTransaction {
  return buildAssetSpend(params, {
    kind: 'payout',
    commitScript: params.commitScript,
    spendSecret: params.spendSecret,
  });
}

/**
 * The payer's revoke in asset mode: takes a revoked commit's asset and BTC back with the revoke
 * secret; final nSequence.
 *
 * @throws {@link TransactionError} as {@link buildAssetPayoutTransaction}.
 */
export function buildAssetRevokeTransaction(
  params: AssetSpendParams & { commitScript: Uint8Array; revokeSecret: Uint8Array },
): AssetSpendTransaction {
  return buildAssetSpend(params, {
    kind: 'revoke',
    commitScript: params.commitScript,
    revokeSecret: params.revokeSecret,
  });
}

/**
 * The payer's change in asset mode: spends the remainder output at the deposit address with the
 * spend secret a payout revealed and moves what the deposit address holds back to the payer.
 *
 * @throws {@link TransactionError} as {@link buildAssetPayoutTransaction}.
 */
export function buildAssetChangeTransaction(
  params: AssetSpendParams & { depositScript: Uint8Array; spendSecret: Uint8Array },
): AssetSpendTransaction {
  return buildAssetSpend(params, {
    kind: 'change',
    depositScript: params.depositScript,
    spendSecret: params.spendSecret,
  });
}

/**
 * The payer's expire in asset mode: after `expire_time` confirmations of the spent deposit (or
 * remainder) output, moves what the deposit address holds back to the payer.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_BAD_SCRIPT`, `TX_INVALID_PARAMS`,
 *   `TX_INSUFFICIENT_FUNDS`.
 */
export function buildAssetExpireTransaction(
  params: AssetSpendParams & { depositScript: Uint8Array },
): AssetSpendTransaction {
  return buildAssetSpend(params, { kind: 'expire', depositScript: params.depositScript });
}
