import type { ChainWatchRequest } from '../chain/chain.js';
import type { Watches } from '../machines/context.js';

/** Key of one watched item, to tell which were already handed to the chain. */
function keysOf(
  watches: Watches,
): Map<string, { txid?: string; outpoint?: { txid: string; vout: number } }> {
  const keys = new Map<string, { txid?: string; outpoint?: { txid: string; vout: number } }>();
  for (const w of watches.txids) keys.set(`tx:${w.txid}`, { txid: w.txid });
  for (const w of watches.outpoints)
    keys.set(`out:${w.outpoint.txid}:${w.outpoint.vout}`, { outpoint: w.outpoint });
  return keys;
}

/** What one channel needs to tell the chain: the request and the keys it covers. */
export interface PendingWatches {
  readonly request: ChainWatchRequest & { readonly fromHeight: number };
  readonly keys: readonly string[];
}

/**
 * The watches of a channel not yet handed to the chain, with the lowest height at which any of
 * them may already have confirmed.
 *
 * A deposit can confirm before the payee hears of it (a late message), so while the channel's
 * deposit is unconfirmed in its context, the rescan starts where the channel began (`since`).
 * Everything else is spent or confirmed after something the channel saw at `height`, so a
 * margin below it covers reorganisations.
 */
export function pendingWatches(
  watches: Watches,
  handed: ReadonlySet<string>,
  position: { since: number; height: number; depositConfirmed: boolean; margin: number },
): PendingWatches | null {
  const txids: string[] = [];
  const outpoints: { txid: string; vout: number }[] = [];
  const keys: string[] = [];
  for (const [key, item] of keysOf(watches)) {
    if (handed.has(key)) continue;
    keys.push(key);
    if (item.txid !== undefined) txids.push(item.txid);
    if (item.outpoint !== undefined) outpoints.push(item.outpoint);
  }
  if (keys.length === 0) return null;
  const recent = Math.max(position.since, position.height - position.margin);
  const fromHeight = Math.max(0, position.depositConfirmed ? recent : position.since);
  return { request: { txids, outpoints, fromHeight }, keys };
}

/** Merges several channels' requests into one, rescanning from the lowest height among them. */
export function mergeWatches(pending: readonly PendingWatches[]): PendingWatches | null {
  if (pending.length === 0) return null;
  return {
    request: {
      txids: pending.flatMap((p) => p.request.txids ?? []),
      outpoints: pending.flatMap((p) => p.request.outpoints ?? []),
      fromHeight: pending.reduce((low, p) => Math.min(low, p.request.fromHeight), Infinity),
    },
    keys: pending.flatMap((p) => p.keys),
  };
}
