import type { TransportFactory } from '../manager/channel-manager.js';
import type { Store } from '../runtime/store.js';
import { HubError } from './errors.js';
import { MAX_MESSAGES } from './schemas/common.js';

/**
 * Message texts a manager sent, held per channel until the counterparty's next request
 * collects them: the hub and its clients talk only in request/response pairs. A text already
 * queued is not queued again (channels re-send at every block until answered).
 *
 * Given a store, the queue is saved under `key` at every change, through the hub's journaled
 * store: a message queued during a request is durable with the channel state that sent it, and
 * one handed out leaves the queue in the same transaction as the stored answer carrying it.
 */
export class Outbox {
  private queues = new Map<string, string[]>();
  /** Each queue's part of the saved text, `"id":[...]`, kept until that queue changes. */
  private readonly fragments = new Map<string, string>();

  constructor(
    private readonly store?: Store,
    /** Store key of the queue. */
    readonly key = 'hub:outbox',
  ) {}

  /** The transport factory to hand to a ChannelManager. */
  readonly transport: TransportFactory = (channelId) => ({
    send: async (text: string) => {
      const queue = this.queues.get(channelId) ?? [];
      // A message re-sent at every block while the peer is away is queued once: the copy
      // already queued reaches the peer first, and a later copy would repeat it.
      if (queue.includes(text)) return;
      queue.push(text);
      this.queues.set(channelId, queue);
      this.fragments.delete(channelId);
      await this.persist();
    },
  });

  /** Reads the saved queue again (at start, or after another process changed it). */
  async reload(): Promise<void> {
    const text = this.store ? await this.store.load(this.key) : null;
    if (text === null) {
      this.queues = new Map();
      this.fragments.clear();
      return;
    }
    try {
      const saved = JSON.parse(text) as Record<string, string[]>;
      this.queues = new Map(Object.entries(saved));
      this.fragments.clear();
    } catch {
      throw new HubError('INTERNAL', 'the hub outbox record is not readable');
    }
  }

  /** How many messages are queued for these channels. */
  pending(channelIds: readonly string[]): number {
    let n = 0;
    for (const id of channelIds) n += this.queues.get(id)?.length ?? 0;
    return n;
  }

  /**
   * Takes the messages queued for these channels, oldest first, at most `max`: one request or
   * answer carries no more ({@link MAX_MESSAGES}), and the rest stay queued for the next one
   * (an answer over the limit would be refused by the client, and stored for its retries).
   */
  drain(channelIds: readonly string[], max = MAX_MESSAGES): string[] {
    const out: string[] = [];
    for (const id of channelIds) {
      const queue = this.queues.get(id);
      if (!queue) continue;
      out.push(...queue.splice(0, max - out.length));
      this.fragments.delete(id);
      if (queue.length === 0) this.queues.delete(id);
      if (out.length >= max) break;
    }
    // Inside the hub's request transaction the save is held, never awaited separately.
    if (out.length > 0) void this.persist().catch(() => undefined);
    return out;
  }

  private persist(): Promise<void> {
    if (!this.store) return Promise.resolve();
    return this.store.save(this.key, this.text());
  }

  /**
   * `JSON.stringify(Object.fromEntries(queues))`, from the parts of the queues that did not
   * change kept as they were: every message queued or drained saves the whole outbox, and most
   * of it is the same text again.
   */
  private text(): string {
    let out = '';
    for (const [id, queue] of this.queues) {
      // An index-like key would be put first by the object: the plain encoding then.
      if (/^(0|[1-9][0-9]*)$/.test(id)) return JSON.stringify(Object.fromEntries(this.queues));
      let part = this.fragments.get(id);
      if (part === undefined) {
        part = `${JSON.stringify(id)}:${JSON.stringify(queue)}`;
        this.fragments.set(id, part);
      }
      out += out === '' ? part : `,${part}`;
    }
    return `{${out}}`;
  }
}
