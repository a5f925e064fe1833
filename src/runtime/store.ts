/**
 * Where a channel's persisted snapshot lives. An embedder may back it with a file, SQLite or a
 * database row; the engine only needs atomic save and load of one JSON text per key.
 */
export interface Store {
  load(key: string): Promise<string | null>;
  save(key: string, snapshot: string): Promise<void>;
}

/** The embedded default {@link Store}: a map in memory, with every saved version kept for tests. */
export class MemoryStore implements Store {
  private readonly current = new Map<string, string>();
  private readonly history = new Map<string, string[]>();

  async load(key: string): Promise<string | null> {
    return this.current.get(key) ?? null;
  }

  async save(key: string, snapshot: string): Promise<void> {
    this.current.set(key, snapshot);
    const versions = this.history.get(key) ?? [];
    versions.push(snapshot);
    this.history.set(key, versions);
  }

  /** Every snapshot ever saved under `key`, oldest first (to restart from a stale one in tests). */
  versions(key: string): readonly string[] {
    return this.history.get(key) ?? [];
  }
}
