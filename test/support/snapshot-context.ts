import { readSnapshotMachine } from '../../src/snapshots/compact-snapshot.js';

/** The machine context inside a persisted channel snapshot (the envelope's `machine.context`), commit records whole. */
export function snapshotContext<T>(text: string): T {
  return readSnapshotMachine(text).context as T;
}
