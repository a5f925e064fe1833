import type { Store } from '../runtime/store.js';
import { ManagerError } from './errors.js';
import type { ChannelRole } from './events.js';

/** Format tag of the index text. */
export const CHANNEL_INDEX_FORMAT = 'picopayments-channel-index';
/** Version of the index text. */
export const CHANNEL_INDEX_VERSION = 1;
/** Largest number of channels one index holds. */
export const MAX_INDEXED_CHANNELS = 1_000_000;

/** One channel as the index records it. */
export interface IndexEntry {
  readonly channelId: string;
  readonly role: ChannelRole;
  /** Chain height when the channel was opened: nothing of it can have confirmed below. */
  readonly since: number;
}

const CHANNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;

function corrupt(why: string): ManagerError {
  return new ManagerError('INDEX_CORRUPT', `the channel index ${why}`);
}

/** Encodes the index as one JSON text (saved in one `Store.save`, hence atomically). */
export function encodeChannelIndex(entries: Iterable<IndexEntry>): string {
  const channels = [...entries].map((e) => [e.channelId, e.role, e.since]);
  return JSON.stringify({ format: CHANNEL_INDEX_FORMAT, version: CHANNEL_INDEX_VERSION, channels });
}

/**
 * Decodes an index text strictly.
 *
 * @throws {@link ManagerError} `INDEX_CORRUPT` for anything but a valid index.
 */
export function decodeChannelIndex(text: string): IndexEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw corrupt('is not an object');
  const { format, version, channels, ...extra } = parsed as Record<string, unknown>;
  if (format !== CHANNEL_INDEX_FORMAT) throw corrupt('has the wrong format tag');
  if (version !== CHANNEL_INDEX_VERSION)
    throw corrupt(`has unsupported version ${String(version)}`);
  if (Object.keys(extra).length > 0) throw corrupt('has unknown fields');
  if (!Array.isArray(channels)) throw corrupt('has no channel list');
  if (channels.length > MAX_INDEXED_CHANNELS) throw corrupt('lists too many channels');
  const seen = new Set<string>();
  return channels.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== 3)
      throw corrupt(`entry ${i} is not [id, role, since]`);
    const [channelId, role, since] = row as unknown[];
    if (typeof channelId !== 'string' || !CHANNEL_ID.test(channelId))
      throw corrupt(`entry ${i} has an invalid channel id`);
    if (role !== 'payer' && role !== 'payee') throw corrupt(`entry ${i} has an invalid role`);
    if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0)
      throw corrupt(`entry ${i} has an invalid height`);
    if (seen.has(channelId)) throw corrupt(`lists channel ${channelId} twice`);
    seen.add(channelId);
    return { channelId, role, since };
  });
}

/**
 * The channel index in the store: the set of channel ids the manager restores at start. Saves
 * are serialised and coalesced: changes made while a save is under way go out together in the
 * next one, so opening many channels at once costs a few saves, not one per channel.
 */
export class ChannelIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private writing: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    readonly key: string,
  ) {}

  /**
   * Loads the index from the store (empty when absent).
   *
   * @throws {@link ManagerError} `INDEX_CORRUPT`, `INDEX_STORE_FAILED`.
   */
  async load(): Promise<IndexEntry[]> {
    let text: string | null;
    try {
      text = await this.store.load(this.key);
    } catch (error) {
      throw new ManagerError('INDEX_STORE_FAILED', 'loading the channel index failed', error);
    }
    const entries = text === null ? [] : decodeChannelIndex(text);
    this.entries.clear();
    for (const entry of entries) this.entries.set(entry.channelId, entry);
    return entries;
  }

  /** The entry of a channel. */
  get(channelId: string): IndexEntry | undefined {
    return this.entries.get(channelId);
  }

  /** Adds a channel and resolves once a save holding it is durable. */
  add(entry: IndexEntry): Promise<void> {
    this.entries.set(entry.channelId, entry);
    return this.save();
  }

  /** Drops a channel from the entries without saving (its addition was never durable). */
  discard(channelId: string): void {
    this.entries.delete(channelId);
  }

  /** Removes channels and resolves once a save without them is durable. */
  remove(...channelIds: string[]): Promise<void> {
    for (const id of channelIds) this.entries.delete(id);
    return this.save();
  }

  /**
   * Resolves once the current entries are durable.
   *
   * @throws {@link ManagerError} `INDEX_STORE_FAILED`.
   */
  save(): Promise<void> {
    if (this.next) return this.next;
    // A failed earlier save does not fail this one: it writes the whole index again.
    const previous = (this.writing ?? Promise.resolve()).catch(() => undefined);
    const run: Promise<void> = previous.then(async () => {
      // From here on, changes wait for the save after this one.
      this.next = null;
      this.writing = run;
      try {
        await this.store.save(this.key, encodeChannelIndex(this.entries.values()));
      } catch (error) {
        throw new ManagerError('INDEX_STORE_FAILED', 'saving the channel index failed', error);
      } finally {
        if (this.writing === run) this.writing = null;
      }
    });
    this.next = run;
    return run;
  }
}
