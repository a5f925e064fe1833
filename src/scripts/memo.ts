/**
 * Bounded memos of pure functions of script bytes. A channel step parses and hashes the same
 * deposit and commit scripts several times (guard, machine, transaction builder and checker);
 * a memo answers the repeats. Only successes are kept (a refusal is computed again, with its
 * typed error), and callers hand out copies, so that a caller mutating what it got cannot
 * change what the next one gets.
 */
import { equalBytes } from '../bytes.js';

/** Inputs longer than this are not memoized (scripts of a channel are far shorter). */
const MAX_KEY_BYTES = 1024;

/** Entries compared byte by byte before any key is built: one step asks about one script in a row. */
const RECENT = 4;

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

/**
 * A memo keyed by bytes: the last few inputs are compared directly (no key to build), the rest
 * go through a {@link BoundedMemo}.
 */
export class BytesMemo<V> {
  private readonly recent: { bytes: Uint8Array; value: V }[] = [];
  private readonly memo: BoundedMemo<V>;

  constructor(limit: number) {
    this.memo = new BoundedMemo(limit);
  }

  /** The value remembered for these exact bytes, if any. */
  get(bytes: Uint8Array): V | undefined {
    if (!(bytes instanceof Uint8Array) || bytes.length > MAX_KEY_BYTES) return undefined;
    for (const r of this.recent) if (equalBytes(r.bytes, bytes)) return r.value;
    const value = this.memo.get(bytesKey(bytes));
    if (value !== undefined) this.keepRecent(bytes, value);
    return value;
  }

  /** Remembers `value` for (a copy of) `bytes`. */
  set(bytes: Uint8Array, value: V): void {
    if (!(bytes instanceof Uint8Array) || bytes.length > MAX_KEY_BYTES) return;
    this.memo.set(bytesKey(bytes), value);
    this.keepRecent(bytes, value);
  }

  private keepRecent(bytes: Uint8Array, value: V): void {
    this.recent.unshift({ bytes: Uint8Array.from(bytes), value });
    if (this.recent.length > RECENT) this.recent.pop();
  }
}
