import { PicopaymentsError } from '../errors.js';

/**
 * Where a channel's persisted snapshot lives. An embedder may back it with a file, SQLite or a
 * database row; the engine only needs atomic save and load of one JSON text per key.
 */
export interface Store {
  load(key: string): Promise<string | null>;
  save(key: string, snapshot: string): Promise<void>;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Keep every version ever saved, for tests that restart from a stale snapshot. Off by
   * default: the embedded default must not grow with a channel's history.
   */
  readonly keepVersions?: boolean;
}

/** The embedded default {@link Store}: a map in memory, holding the latest snapshot per key. */
export class MemoryStore implements Store {
  private readonly current = new Map<string, string>();
  private readonly history: Map<string, string[]> | null;

  constructor(options: MemoryStoreOptions = {}) {
    this.history = options.keepVersions ? new Map() : null;
  }

  async load(key: string): Promise<string | null> {
    return this.current.get(key) ?? null;
  }

  async save(key: string, snapshot: string): Promise<void> {
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
