import type { PayeeContext } from '../../src/machines/context.js';
import type { MemoryStore } from '../../src/runtime/store.js';
import { readSnapshotMachine } from '../../src/snapshots/compact-snapshot.js';

/** The machine context inside a persisted channel snapshot (the envelope's `machine.context`), commit records whole. */
export function snapshotContext<T>(text: string): T {
  return readSnapshotMachine(text).context as T;
}

/**
 * The newest snapshot a payee's store kept in which a commit of `amount` is still active: what a
 * payee restoring a stale backup would publish from. Undefined when there is none.
 */
export function newestPayeeSnapshotHolding(
  store: MemoryStore,
  key: string,
  amount: bigint,
): string | undefined {
  return [...store.versions(key)]
    .reverse()
    .find((text) =>
      snapshotContext<PayeeContext>(text).activeCommits.some((c) => c.amount === String(amount)),
    );
}
