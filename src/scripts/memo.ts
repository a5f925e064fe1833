/**
 * Bounded memos of pure functions of script bytes. A channel step parses and hashes the same
 * deposit and commit scripts several times (guard, machine, transaction builder and checker);
 * a memo answers the repeats. Only successes are kept (a refusal is computed again, with its
 * typed error), and callers hand out copies, so that a caller mutating what it got cannot
 * change what the next one gets.
 */

/** Inputs longer than this are not memoized (scripts of a channel are far shorter). */
const MAX_KEY_BYTES = 1024;

/** A string that identifies `bytes` exactly (one UTF-16 unit per byte), or null when too long. */
export function bytesKey(bytes: Uint8Array): string | null {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_KEY_BYTES) return null;
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** A map that forgets its oldest entry beyond `limit` entries. */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  /** The value stored under `key`, if any. */
  get(key: string | null): V | undefined {
    return key === null ? undefined : this.entries.get(key);
  }

  /** Stores `value` under `key` (nothing when `key` is null), forgetting the oldest beyond the limit. */
  set(key: string | null, value: V): void {
    if (key === null) return;
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}
