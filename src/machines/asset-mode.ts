import { hexToBytes } from '../bytes.js';
import { parseAmount } from '../messages/amount.js';
import { buildCommitScript } from '../scripts/commit-script.js';
import { assetChannelBudget } from '../transactions/asset-budget.js';
import {
  buildAssetChangeTransaction,
  buildAssetExpireTransaction,
  buildAssetPayoutTransaction,
  buildAssetRevokeTransaction,
  minAssetSpendValue,
} from '../transactions/asset-spends.js';
import type { AssetTerms } from '../transactions/asset-terms.js';
import {
  type RecoverySpend,
  type SpendParams,
  type SpendTransaction,
  buildChangeTransaction,
  buildExpireTransaction,
  buildPayoutTransaction,
  buildRevokeTransaction,
} from '../transactions/spend-transactions.js';
import type { ChannelAsset, PayeeContext, PayerContext } from './context.js';

/**
 * Asset mode of the machines: which transactions a channel builds when it carries a
 * Counterparty asset, and the BTC it needs alongside. The scripts, spend paths and bookkeeping
 * are those of a BTC channel; amounts count asset units and BTC only pays fees.
 *
 * @module
 */

/** The asset terms of a channel's transactions, or null for a BTC channel. */
export function assetTermsOf(context: {
  readonly network: AssetTerms['network'];
  readonly asset?: ChannelAsset;
}): AssetTerms | null {
  return context.asset ? { asset: context.asset.asset, network: context.network } : null;
}

/**
 * The least BTC a commit output must carry for the payee's payout at its fee rate, for a
 * commit script of delay `delayTime` (a longer delay never makes the script shorter, so the
 * offer's longest delay gives a value every accepted delay fits in).
 *
 * @throws {@link TransactionError} for terms no payout can meet.
 */
export function payeeCommitValueNeed(
  context: PayeeContext,
  terms: AssetTerms,
  delayTime: number,
): bigint {
  const commitScript = buildCommitScript({
    // Any two keys: the payer key is not known yet, and a compressed key is always 33 bytes.
    payerPubkey: hexToBytes(context.payeePubkey),
    payeePubkey: hexToBytes(context.payeePubkey),
    spendSecretHash: hexToBytes(context.spendSecretHash),
    revokeSecretHash: new Uint8Array(20),
    delayTime,
  });
  return minAssetSpendValue(
    { kind: 'payout', commitScript, spendSecret: new Uint8Array(32) },
    hexToBytes(context.destinationScript),
    context.feeRate,
    terms,
  );
}

/** The BTC side of an asset channel, as the payer settles it at the offer. */
export interface PayerAssetBudget {
  /** BTC of every commit output. */
  readonly commitValue: bigint;
  /** BTC of the deposit output: commit value, commit fee and a remainder for change or expire. */
  readonly depositValue: bigint;
}

/**
 * The payer's BTC budget: a commit output worth the payee's asked value or the payer's own
 * revoke, whichever is more, and a remainder that pays the change or the expire, at the payer's
 * fee rate.
 *
 * @throws {@link TransactionError} for terms no spend can meet.
 */
export function payerAssetBudget(
  context: PayerContext,
  terms: AssetTerms,
  depositScript: Uint8Array,
  delayTime: number,
  offeredCommitValue: bigint,
): PayerAssetBudget {
  const { commitValue, depositValue } = assetChannelBudget({
    depositScript,
    delayTime,
    payerDestination: hexToBytes(context.destinationScript),
    payerFeeRate: context.feeRate,
    payee: { askedCommitValue: offeredCommitValue },
    terms,
  });
  return { commitValue, depositValue };
}

/** The spend-specific part of a recovery spend's parameters. */
export type ChannelSpend = RecoverySpend;

/**
 * Builds a recovery spend of the channel's mode. In asset mode it also moves `quantity` units
 * of the asset from the spent output's address: the commit's amount for a payout or revoke, the
 * deposit's quantity for a change or expire (a classic send above the address's balance moves
 * the balance).
 *
 * @throws {@link TransactionError} as the builders do.
 */
export function buildChannelSpend(
  terms: AssetTerms | null,
  quantity: bigint,
  base: SpendParams,
  spend: ChannelSpend,
): SpendTransaction {
  if (terms === null) {
    switch (spend.kind) {
      case 'payout':
        return buildPayoutTransaction({ ...base, ...spend });
      case 'revoke':
        return buildRevokeTransaction({ ...base, ...spend });
      case 'change':
        return buildChangeTransaction({ ...base, ...spend });
      case 'expire':
        return buildExpireTransaction({ ...base, ...spend });
    }
  }
  const asset = { ...base, quantity, terms };
  switch (spend.kind) {
    case 'payout':
      return buildAssetPayoutTransaction({ ...asset, ...spend });
    case 'revoke':
      return buildAssetRevokeTransaction({ ...asset, ...spend });
    case 'change':
      return buildAssetChangeTransaction({ ...asset, ...spend });
    case 'expire':
      return buildAssetExpireTransaction({ ...asset, ...spend });
  }
}

/** The asset units a payer's change or expire moves: what the deposit locked. */
export function depositQuantity(context: { readonly asset?: ChannelAsset }): bigint {
  return context.asset ? parseAmount(context.asset.quantity) : 0n;
}
