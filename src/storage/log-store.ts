import type { Store } from '../runtime/store.js';

/** One record of a key's append log. */
export interface LogRecord {
  /** Position in the key's log: 1, 2, 3, … with no gaps. */
  readonly seq: number;
  readonly data: string;
}

/** One write of an atomic group ({@link LogStore.writeAll}). */
export type LogWrite =
  | { readonly kind: 'save'; readonly key: string; readonly snapshot: string }
  | { readonly kind: 'append'; readonly key: string; readonly seq: number; readonly data: string }
  | {
      readonly kind: 'compact';
      readonly key: string;
      readonly snapshot: string;
      readonly throughSeq: number;
    };

/**
 * A {@link Store} that also keeps, per key, an append log with sequence numbers and compaction:
 * a step appends a small record instead of rewriting the snapshot, and now and then the snapshot
 * absorbs the log. Sequence numbers are chosen by the writer and checked by the store, so two
 * writers of one key cannot both append the same position.
 */
export interface LogStore extends Store {
  /**
   * Appends record `seq` to the key's log; `seq` must be one more than the last record (or the
   * last compaction point), else `STORE_CONFLICT` and nothing is written.
   */
  append(key: string, seq: number, data: string): Promise<void>;
  /** The records after the last compaction, oldest first. */
  records(key: string): Promise<LogRecord[]>;
  /**
   * Atomically replaces the snapshot and drops the records up to `throughSeq`, which must lie
   * between the last compaction point and the last record (else `STORE_CONFLICT`).
   */
  compact(key: string, snapshot: string, throughSeq: number): Promise<void>;
  /**
   * Carries out `writes` in order as one atomic unit: once it resolves all of them are durable;
   * if it rejects (a refused member, such as an append at the wrong position, refuses the whole
   * group with that member's error) none was written. Later members see earlier ones: two
   * appends to one key take consecutive positions. Optional: without it a writer falls back to
   * the single operations, one after another.
   */
  writeAll?(writes: readonly LogWrite[]): Promise<void>;
}
