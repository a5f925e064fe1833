/** What the group-commit kill test's parent and child share. */
import type { LogStore } from '../../src/storage/log-store.js';
import type { StoreSpec } from './kill-scenario.js';

/** What the parent passes in `GROUP_KILL_SPEC`. */
export interface GroupKillSpec {
  readonly store: StoreSpec;
  readonly keys: number;
  readonly early?: boolean;
}

/** Key of channel `i`. */
export const groupKey = (i: number) => `group/channel-${i}`;

/** Seq of the last record written to a log: its last record, or where its snapshot absorbed it. */
export async function headOf(store: LogStore, key: string): Promise<number> {
  const records = await store.records(key);
  if (records.length > 0) return records[records.length - 1]!.seq;
  const snapshot = await store.load(key);
  return snapshot === null ? 0 : Number(snapshot.split(' ')[1]);
}
