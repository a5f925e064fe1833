/**
 * Carries JSON message texts to the counterparty. Delivery may be lossy, duplicated or out of
 * order: the machines re-send what is outstanding at every block and refuse what does not fit.
 */
export interface Transport {
  send(text: string): Promise<void>;
}

/** A message text in flight inside a {@link MemoryLink}. */
export interface InFlightMessage {
  readonly from: 'payer' | 'payee';
  readonly text: string;
}

/**
 * The embedded default transport: an in-process link between a payer and a payee. Messages
 * queue until {@link MemoryLink.deliver} hands them to the receiving side, so tests can drop,
 * duplicate, reorder or delay them.
 */
export class MemoryLink {
  /** Messages sent and not yet delivered, oldest first. */
  readonly queue: InFlightMessage[] = [];
  private readonly receivers: Partial<Record<'payer' | 'payee', (text: string) => Promise<void>>> =
    {};

  /** The transport one side sends with. */
  endpoint(side: 'payer' | 'payee'): Transport {
    return {
      send: async (text: string) => {
        this.queue.push({ from: side, text });
      },
    };
  }

  /** Registers the function that receives messages for `side`. */
  attach(side: 'payer' | 'payee', receive: (text: string) => Promise<void>): void {
    this.receivers[side] = receive;
  }

  /** Delivers one message to the other side of its sender. */
  async deliverOne(message: InFlightMessage): Promise<void> {
    const to = message.from === 'payer' ? 'payee' : 'payer';
    await this.receivers[to]?.(message.text);
  }

  /** Delivers queued messages in order until the queue is empty (replies included). */
  async deliver(limit = 10_000): Promise<number> {
    let delivered = 0;
    while (this.queue.length > 0 && delivered < limit) {
      await this.deliverOne(this.queue.shift()!);
      delivered++;
    }
    return delivered;
  }
}
