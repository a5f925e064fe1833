import type { TransportFactory } from '../manager/channel-manager.js';
import type { Store } from '../runtime/store.js';
import { HubError } from './errors.js';
import { MAX_MESSAGES } from './schemas/common.js';

/** The saved index: which channels have queued messages (each queue is its own record). */
interface OutboxIndex {
  readonly v: 2;
  readonly channels: string[];
}

function isIndex(value: unknown): value is OutboxIndex {
  const v = value as Partial<OutboxIndex> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    v.v === 2 &&
    Array.isArray(v.channels) &&
    v.channels.every((c) => typeof c === 'string')
  );
}

/**
 * Message texts a manager sent, held per channel until the counterparty's next request
 * collects them: the hub and its clients talk only in request/response pairs. A text already
 * queued is not queued again (channels re-send at every block until answered).
 *
 * Given a store, every change is saved through the hub's journaled store: a message queued
 * during a request is durable with the channel state that sent it, and one handed out leaves
 * the queue in the same transaction as the stored answer carrying it. Each channel's queue is
 * its own record (`key/channelId`) and `key` holds the index of channels with queued messages,
 * so that a change writes that channel's queue, not every queue of every client. An outbox
 * saved whole under `key` (the earlier layout) is read too, and rewritten at the next change.
 */
export class Outbox {
  private queues = new Map<string, string[]>();
  /** The queues were read from a whole-outbox record: the next save writes every queue. */
  private legacy = false;

  constructor(
    private readonly store?: Store,
    /** Store key of the index (and prefix of the queues' records). */
    readonly key = 'hub:outbox',
  ) {}

  /** Store key of one channel's queue. */
  private recordKey(channelId: string): string {
    return `${this.key}/${channelId}`;
  }

  /** The transport factory to hand to a ChannelManager. */
  readonly transport: TransportFactory = (channelId) => ({
    send: async (text: string) => {
      const queue = this.queues.get(channelId);
      // A message re-sent at every block while the peer is away is queued once: the copy
      // already queued reaches the peer first, and a later copy would repeat it.
      if (queue?.includes(text)) return;
      if (queue) queue.push(text);
      else this.queues.set(channelId, [text]);
      await this.persist([channelId], !queue);
    },
  });

  /** Reads the queues back from the store (after a restart). */
  async reload(): Promise<void> {
    const text = this.store ? await this.store.load(this.key) : null;
    this.queues = new Map();
    this.legacy = false;
    if (text === null) return;
    let saved: unknown;
    try {
      saved = JSON.parse(text);
    } catch {
      throw unreadable();
    }
    if (!isIndex(saved)) {
      if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) throw unreadable();
      this.queues = new Map(Object.entries(saved as Record<string, string[]>));
      this.legacy = true;
      return;
    }
    for (const id of saved.channels) {
      const record = await this.store!.load(this.recordKey(id));
      let queue: unknown;
      try {
        queue = record === null ? null : JSON.parse(record);
      } catch {
        throw unreadable();
      }
      if (!Array.isArray(queue)) throw unreadable();
      if (queue.length > 0) this.queues.set(id, queue as string[]);
    }
  }

  /** Messages queued for these channels; with `counts`, only those it holds for. */
  pending(channelIds: readonly string[], counts?: (text: string) => boolean): number {
    let n = 0;
    for (const id of channelIds) {
      const queue = this.queues.get(id);
      if (!queue) continue;
      n += counts ? queue.filter(counts).length : queue.length;
    }
    return n;
  }

  /**
   * Takes the queued messages of these channels, oldest first, at most `max` in all (one
   * request's worth; the rest stay queued for the next request).
   */
  drain(channelIds: readonly string[], max = MAX_MESSAGES): string[] {
    const out: string[] = [];
    const changed: string[] = [];
    let emptied = false;
    for (const id of channelIds) {
      const queue = this.queues.get(id);
      if (!queue) continue;
      out.push(...queue.splice(0, max - out.length));
      changed.push(id);
      if (queue.length === 0) {
        this.queues.delete(id);
        emptied = true;
      }
      if (out.length >= max) break;
    }
    // Inside the hub's request transaction the save is held, never awaited separately.
    if (out.length > 0) void this.persist(changed, emptied).catch(() => undefined);
    return out;
  }

  /** Saves the queues of `changed` and, when the set of queues changed, the index. */
  private async persist(changed: readonly string[], indexChanged: boolean): Promise<void> {
    if (!this.store) return;
    const store = this.store;
    const ids = this.legacy ? [...this.queues.keys()] : changed;
    const saves: Promise<void>[] = [];
    // A queue emptied is left out of the index; its record is not read again.
    for (const id of ids) {
      const queue = this.queues.get(id);
      if (queue) saves.push(store.save(this.recordKey(id), JSON.stringify(queue)));
    }
    if (indexChanged || this.legacy) {
      const index: OutboxIndex = { v: 2, channels: [...this.queues.keys()] };
      saves.push(store.save(this.key, JSON.stringify(index)));
    }
    this.legacy = false;
    await Promise.all(saves);
  }
}

function unreadable(): HubError {
  return new HubError('INTERNAL', 'the hub outbox record is not readable');
}
