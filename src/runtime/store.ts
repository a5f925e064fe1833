import { PicopaymentsError } from '../errors.js';
import type { LogRecord, LogStore, LogWrite } from '../storage/log-store.js';
import { appendConflict, compactConflict } from '../storage/write-operations.js';

/** One save of an atomic group ({@link Store.saveAll}). */
export interface StoreWrite {
  readonly key: string;
  readonly snapshot: string;
}

/**
 * Where a channel's persisted snapshot lives. An embedder may back it with a file, SQLite or a
 * database row; the engine only needs atomic save and load of one JSON text per key.
 */
export interface Store {
  load(key: string): Promise<string | null>;
  save(key: string, snapshot: string): Promise<void>;
  /** Removes `key` (and its log, where the store keeps one); optional, idempotent. */
  delete?(key: string): Promise<void>;
  /**
   * Saves every write, in order (a later write of a key wins), as one atomic unit: after a
   * crash all of them are there or none is. The runtime writes a channel step (its snapshot and
   * its history records) through it, in one transaction and one sync to disk. Optional: without
   * it the runtime saves one key after another, in an order that a crash between any two
   * leaves restorable.
   */
  saveAll?(writes: readonly StoreWrite[]): Promise<void>;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Keep every version ever saved, for tests that restart from a stale snapshot. Off by
   * default: the embedded default must not grow with a channel's history.
   */
  readonly keepVersions?: boolean;
}

/**
 * The embedded default {@link Store}: a map in memory, holding the latest snapshot per key, and a
 * {@link LogStore} (append logs with compaction) so that an `IncrementalStore` can run on it.
 */
export class MemoryStore implements LogStore {
  private readonly current = new Map<string, string>();
  private readonly logs = new Map<string, { base: number; records: LogRecord[] }>();
  private readonly history: Map<string, string[]> | null;

  constructor(options: MemoryStoreOptions = {}) {
    this.history = options.keepVersions ? new Map() : null;
  }

  async load(key: string): Promise<string | null> {
    return this.current.get(key) ?? null;
  }

  async save(key: string, snapshot: string): Promise<void> {
    this.put(key, snapshot);
  }

  async append(key: string, seq: number, data: string): Promise<void> {
    const log = this.logs.get(key) ?? { base: 0, records: [] };
    const head = log.base + log.records.length;
    if (!Number.isSafeInteger(seq) || seq !== head + 1) throw appendConflict(seq, head);
    log.records.push({ seq, data });
    this.logs.set(key, log);
  }

  async records(key: string): Promise<LogRecord[]> {
    return [...(this.logs.get(key)?.records ?? [])];
  }

  async compact(key: string, snapshot: string, throughSeq: number): Promise<void> {
    const log = this.logs.get(key) ?? { base: 0, records: [] };
    const head = log.base + log.records.length;
    if (!Number.isSafeInteger(throughSeq) || throughSeq < log.base || throughSeq > head)
      throw compactConflict(throughSeq, log.base, head);
    this.logs.set(key, {
      base: throughSeq,
      records: log.records.filter((r) => r.seq > throughSeq),
    });
    this.put(key, snapshot);
  }

  async delete(key: string): Promise<void> {
    this.current.delete(key);
    this.logs.delete(key);
  }

  /** See {@link Store.saveAll}. */
  async saveAll(writes: readonly StoreWrite[]): Promise<void> {
    for (const w of writes) this.put(w.key, w.snapshot);
  }

  /**
   * See {@link LogStore.writeAll}: every member is checked against the logs as the earlier
   * members leave them before anything changes, so a refused member changes nothing.
   */
  async writeAll(writes: readonly LogWrite[]): Promise<void> {
    const heads = new Map<string, { base: number; head: number }>();
    const at = (key: string) => {
      const log = this.logs.get(key);
      return (
        heads.get(key) ?? {
          base: log?.base ?? 0,
          head: (log?.base ?? 0) + (log?.records.length ?? 0),
        }
      );
    };
    for (const w of writes) {
      if (w.kind === 'save') continue;
      const { base, head } = at(w.key);
      if (w.kind === 'append') {
        if (!Number.isSafeInteger(w.seq) || w.seq !== head + 1) throw appendConflict(w.seq, head);
        heads.set(w.key, { base, head: w.seq });
      } else {
        if (!Number.isSafeInteger(w.throughSeq) || w.throughSeq < base || w.throughSeq > head)
          throw compactConflict(w.throughSeq, base, head);
        heads.set(w.key, { base: w.throughSeq, head });
      }
    }
    for (const w of writes) {
      if (w.kind === 'save') this.put(w.key, w.snapshot);
      else if (w.kind === 'append') await this.append(w.key, w.seq, w.data);
      else await this.compact(w.key, w.snapshot, w.throughSeq);
    }
  }

  private put(key: string, snapshot: string): void {
    this.current.set(key, snapshot);
    if (!this.history) return;
    const versions = this.history.get(key) ?? [];
    versions.push(snapshot);
    this.history.set(key, versions);
  }

  /**
   * Every snapshot ever saved under `key`, oldest first (to restart from a stale one in tests).
   *
   * @throws {@link PicopaymentsError} `STORE_NO_HISTORY` unless created with `keepVersions`.
   */
  versions(key: string): readonly string[] {
    if (!this.history)
      throw new PicopaymentsError(
        'STORE_NO_HISTORY',
        'this MemoryStore keeps no versions; create it with { keepVersions: true }',
      );
    return this.history.get(key) ?? [];
  }
}
