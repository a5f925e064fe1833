import type { PayeeContext, PayerContext } from './context.js';
import type { HistoryRecord, LoadedHistory } from './history.js';
import { payeeHistoryKeys } from './payee-history.js';
import { payerHistoryKeys } from './payer-history.js';

/** Bound on lookup rounds for one event: a deep walk reads one record per round. */
export const MAX_HISTORY_ROUNDS = 1_000_000;

/**
 * The history records a machine needs for `event` that `loaded` does not hold yet. An embedder
 * loads them and asks again, until the answer is empty; then it sends the event with the
 * records attached as `history` (see {@link withHistory}).
 */
export function historyKeys(
  context: PayerContext | PayeeContext,
  event: { type: string } & Record<string, unknown>,
  loaded: LoadedHistory,
): string[] {
  return context.role === 'payer'
    ? payerHistoryKeys(context, event, loaded)
    : payeeHistoryKeys(context, event, loaded);
}

/**
 * `event` with the history it needs attached, read through `load` (null where the store holds
 * no record). The event is returned unchanged when it needs none.
 */
export async function withHistory<E extends { type: string } & Record<string, unknown>>(
  context: PayerContext | PayeeContext,
  event: E,
  load: (key: string) => Promise<HistoryRecord | null> | HistoryRecord | null,
): Promise<E> {
  let keys = historyKeys(context, event, {});
  if (keys.length === 0) return event;
  const loaded: { [key: string]: HistoryRecord | null } = {};
  for (let round = 0; keys.length > 0 && round < MAX_HISTORY_ROUNDS; round++) {
    for (const key of keys) loaded[key] = await load(key);
    // Asking again for what was just loaded would never end: what is there is all there is.
    keys = historyKeys(context, event, loaded).filter((key) => !(key in loaded));
  }
  return { ...event, history: loaded };
}
