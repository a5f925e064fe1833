import { bytesToHex, hexToBytes } from '../bytes.js';
import type { AddressHistoryOutput, AddressOutput } from '../counterparty/asset-address-guards.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import type { AmountText, Hex, PayeeContext, PayerContext } from './context.js';
import { historyOf } from './history.js';
import { findPayerCommit, matchPayerSecrets } from './payer-history.js';

/**
 * What an asset-mode machine needs to know of the Counterparty ledger and of the addresses of
 * its channel, read by the embedder before the event (as history records are), so that the
 * machine's step stays pure. Counterparty balances follow addresses, while timelocks follow
 * outputs, so two decisions need more than the transaction at hand:
 *
 * - the payee opens the channel only when the deposit address holds the asset as Counterparty
 *   computed it after the deposit's block, and no older output there could expire it early;
 * - the payer counts a given-back commit only when nothing at the commit address can move the
 *   asset before its revoke could (see `assetRevocationTrusted`).
 *
 * @module
 */

/** The ledger's view of the deposit address, attached to the deposit's `TX_CONFIRMED`. */
export interface AssetDepositReading {
  /** The address's balance of the channel's asset, after the deposit's block. */
  readonly balance: AmountText;
  /** Every unspent output at the deposit address (the deposit output among them). */
  readonly outputs: readonly AddressOutput[];
}

/** Histories of commit addresses, by P2SH output script (hex), attached to `REVOKE_SECRETS`. */
export type CommitAddressReadings = {
  readonly [outputScript: Hex]: readonly AddressHistoryOutput[];
};

/** A reading an event needs. */
export type AssetReadingRequest =
  /** The deposit address's balance of `asset` and its unspent outputs, once the ledger has processed block `height`. */
  | {
      readonly kind: 'deposit-address';
      readonly outputScript: Hex;
      readonly asset: string;
      readonly height: number;
    }
  /** Every output the commit address received, with its spender. */
  | { readonly kind: 'commit-address'; readonly outputScript: Hex };

/**
 * The readings an asset-mode machine needs for `event` (with its history attached); none for a
 * BTC channel or an event that decides nothing of the kind.
 */
export function assetReadingsNeeded(
  context: PayerContext | PayeeContext,
  event: { type: string } & Record<string, unknown>,
): AssetReadingRequest[] {
  const asset = context.asset;
  if (!asset) return [];
  if (context.role === 'payee') {
    const deposit = context.deposit;
    if (
      event.type !== 'TX_CONFIRMED' ||
      !deposit ||
      !context.depositScript ||
      event.txid !== deposit.txid ||
      typeof event.blockHeight !== 'number'
    ) {
      return [];
    }
    return [
      {
        kind: 'deposit-address',
        outputScript: bytesToHex(p2shOutputScript(hexToBytes(context.depositScript))),
        asset: asset.asset,
        height: event.blockHeight,
      },
    ];
  }
  if (event.type !== 'REVOKE_SECRETS') return [];
  const message = event.message as { channelId?: unknown; secrets?: unknown };
  if (message.channelId !== context.channelId || !Array.isArray(message.secrets)) return [];
  const history = historyOf(event);
  const scripts = new Set<Hex>();
  for (const hash of matchPayerSecrets(context, history, message.secrets as Hex[]).keys()) {
    const commit = findPayerCommit(context, history, hash);
    if (commit) scripts.add(bytesToHex(p2shOutputScript(hexToBytes(commit.commitScript))));
  }
  return [...scripts].map((outputScript) => ({ kind: 'commit-address', outputScript }));
}

/** The deposit reading attached to an event, if any. */
export function depositReadingOf(event: object): AssetDepositReading | undefined {
  return (event as { assetDeposit?: AssetDepositReading }).assetDeposit;
}

/** The commit address readings attached to an event (empty when none). */
export function commitReadingsOf(event: object): CommitAddressReadings {
  return (event as { commitAddresses?: CommitAddressReadings }).commitAddresses ?? {};
}
