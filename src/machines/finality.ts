import type { FinalSpends, Watches } from './context.js';
import type { OutpointRef } from './effects.js';

/** What the finality rules read from either party's context. */
interface FinalityView {
  readonly height: number;
  readonly finalityDepth: number;
  readonly finalSpends: FinalSpends;
  readonly watches: Watches;
}

/** A chain event as far as finality is concerned. */
type ChainObservation =
  | {
      readonly type: 'OUTPOINT_SPENT';
      readonly outpoint: OutpointRef;
      readonly txid: string;
      readonly blockHeight: number | null;
    }
  | { readonly type: 'OUTPOINT_UNSPENT'; readonly outpoint: OutpointRef }
  | { readonly type: string };

/** The watched outpoint with `label`, if any. */
export function watchedOutpoint(context: FinalityView, label: string): OutpointRef | null {
  return context.watches.outpoints.find((w) => w.label === label)?.outpoint ?? null;
}

function isWatched(context: FinalityView, label: string, outpoint: OutpointRef): boolean {
  const watched = watchedOutpoint(context, label);
  return watched !== null && watched.txid === outpoint.txid && watched.vout === outpoint.vout;
}

/**
 * True once the settling spend of the output `label` has `finalityDepth` confirmations: the
 * block that holds it and `finalityDepth - 1` on top. Shallower reorganisations are followed.
 */
export function spendIsFinal(context: FinalityView, label: string): boolean {
  const spend = context.finalSpends[label];
  if (spend === undefined) return false;
  // A spend confirmed at a height means the tip is at least there, whatever was heard last.
  const tip = Math.max(context.height, spend.confirmedHeight);
  return tip - spend.confirmedHeight + 1 >= context.finalityDepth;
}

/**
 * True when a reorganisation took the settling spend of output `label` out of the chain: the
 * output is reported spent only in the mempool again, or not spent at all.
 */
export function spendWithdrawn(
  context: FinalityView,
  event: ChainObservation,
  label: string,
): boolean {
  if (event.type === 'OUTPOINT_UNSPENT' && 'outpoint' in event)
    return isWatched(context, label, event.outpoint);
  return (
    event.type === 'OUTPOINT_SPENT' &&
    'blockHeight' in event &&
    event.blockHeight === null &&
    isWatched(context, label, event.outpoint)
  );
}

/** The final-spends map with the confirmed spend of `label` recorded (when the event is one). */
export function withFinalSpend(
  context: FinalityView,
  event: ChainObservation,
  label: string,
): FinalSpends | null {
  if (event.type !== 'OUTPOINT_SPENT' || !('blockHeight' in event) || event.blockHeight === null)
    return null;
  return { ...context.finalSpends, [label]: { confirmedHeight: event.blockHeight } };
}

/**
 * The final-spends map with the confirmed spend of `label` recorded, and whether to persist it:
 * not when it is final at once (depth 1), since the final state's own persist follows.
 */
export function recordedFinalSpend(
  context: FinalityView,
  event: ChainObservation,
  label: string,
): { finalSpends: FinalSpends; persist: boolean } | null {
  const finalSpends = withFinalSpend(context, event, label);
  if (!finalSpends) return null;
  return { finalSpends, persist: !spendIsFinal({ ...context, finalSpends }, label) };
}

/** The final-spends map without `label`. */
export function withoutFinalSpend(context: FinalityView, label: string): FinalSpends {
  const { [label]: _dropped, ...rest } = context.finalSpends;
  return rest;
}
