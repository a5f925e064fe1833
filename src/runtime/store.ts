import { PicopaymentsError } from '../errors.js';
import { StoreError } from '../storage/errors.js';
import type { LogRecord, LogStore } from '../storage/log-store.js';

/**
 * Where a channel's persisted snapshot lives. An embedder may back it with a file, SQLite or a
 * database row; the engine only needs atomic save and load of one JSON text per key.
 */
export interface Store {
  load(key: string): Promise<string | null>;
  save(key: string, snapshot: string): Promise<void>;
  /** Removes `key` (and its log, where the store keeps one); optional, idempotent. */
  delete?(key: string): Promise<void>;
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
    if (!Number.isSafeInteger(seq) || seq !== head + 1)
      throw new StoreError('STORE_CONFLICT', `append of record ${seq}, but the log is at ${head}`);
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
      throw new StoreError(
        'STORE_CONFLICT',
        `compaction through ${throughSeq}, but the log holds records ${log.base + 1}..${head}`,
      );
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
