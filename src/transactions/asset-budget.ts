import { buildCommitScript } from '../scripts/commit-script.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { assetCommitFee } from './asset-commit.js';
import { minAssetSpendValue } from './asset-spends.js';
import type { AssetTerms } from './asset-terms.js';
import { TransactionError } from './errors.js';

/** What {@link assetChannelBudget} needs. */
export interface AssetBudgetParams {
  readonly depositScript: Uint8Array;
  readonly delayTime: number;
  readonly payerDestination: Uint8Array;
  /** Fee rate of the payer's commit, revoke, change and expire, sat/vB. */
  readonly payerFeeRate: number;
  readonly terms: AssetTerms;
  /**
   * What the payee's payout needs: its destination and fee rate, from which it is sized, or
   * (for a payer, which knows neither) the commit value the payee asked for.
   */
  readonly payee:
    | { readonly destination: Uint8Array; readonly feeRate: number }
    | { readonly askedCommitValue: bigint };
}

/**
 * The BTC an asset channel carries alongside its asset. Every commit splits the deposit's BTC
 * the same way, whatever asset amount it sends, so the split is fixed when the channel opens.
 */
export interface AssetChannelBudget {
  /** BTC of every commit output: enough for the payee's payout and the payer's revoke. */
  readonly commitValue: bigint;
  /** Least BTC left at the deposit address by a commit: enough for the change or expire. */
  readonly remainder: bigint;
  /** BTC fee of a commit at the payer's rate. */
  readonly commitFee: bigint;
  /** Least BTC the deposit output carries: commit value, commit fee and remainder. */
  readonly depositValue: bigint;
}

/**
 * The least BTC an asset channel needs at each step, from the sizes of its transactions at the
 * parties' fee rates.
 *
 * @throws {@link TransactionError} `TX_BAD_SCRIPT` or `TX_INVALID_PARAMS`.
 */
export function assetChannelBudget(params: AssetBudgetParams): AssetChannelBudget {
  const { depositScript, terms } = params;
  let fields: ReturnType<typeof parseDepositScript>;
  try {
    fields = parseDepositScript(depositScript);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
  }
  // Commit scripts of a channel differ only in their revoke hash, so any one sizes them all.
  const commitScript = buildCommitScript({
    payerPubkey: fields.payerPubkey,
    payeePubkey: fields.payeePubkey,
    spendSecretHash: fields.spendSecretHash,
    revokeSecretHash: new Uint8Array(20),
    delayTime: params.delayTime,
  });
  const secret = new Uint8Array(32);
  const { payee } = params;
  const payout =
    'askedCommitValue' in payee
      ? payee.askedCommitValue
      : minAssetSpendValue(
          { kind: 'payout', commitScript, spendSecret: secret },
          payee.destination,
          payee.feeRate,
          terms,
        );
  const revoke = minAssetSpendValue(
    { kind: 'revoke', commitScript, revokeSecret: secret },
    params.payerDestination,
    params.payerFeeRate,
    terms,
  );
  const change = minAssetSpendValue(
    { kind: 'change', depositScript, spendSecret: secret },
    params.payerDestination,
    params.payerFeeRate,
    terms,
  );
  const expire = minAssetSpendValue(
    { kind: 'expire', depositScript },
    params.payerDestination,
    params.payerFeeRate,
    terms,
  );
  const commitValue = payout > revoke ? payout : revoke;
  const remainder = change > expire ? change : expire;
  const commitFee = assetCommitFee(depositScript, commitScript, params.payerFeeRate, terms);
  return { commitValue, remainder, commitFee, depositValue: commitValue + commitFee + remainder };
}
