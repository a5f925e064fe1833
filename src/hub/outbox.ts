import type { TransportFactory } from '../manager/channel-manager.js';

/**
 * Message texts a manager sent, held per channel until the counterparty's next request
 * collects them: the hub and its clients talk only in request/response pairs.
 */
export class Outbox {
  private readonly queues = new Map<string, string[]>();

  /** The transport factory to hand to a ChannelManager. */
  readonly transport: TransportFactory = (channelId) => ({
    send: async (text: string) => {
      const queue = this.queues.get(channelId) ?? [];
      queue.push(text);
      this.queues.set(channelId, queue);
    },
  });

  /** Takes every message queued for these channels, oldest first. */
  drain(channelIds: readonly string[]): string[] {
    const out: string[] = [];
    for (const id of channelIds) {
      out.push(...(this.queues.get(id) ?? []));
      this.queues.delete(id);
    }
    return out;
  }
}
