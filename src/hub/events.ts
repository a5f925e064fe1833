import type { PaymentEventJson } from './schemas/events.js';

/** A listener of one connection's incoming payments. */
export type PaymentListener = (event: PaymentEventJson) => void;

/** Limits of {@link PaymentEvents}. */
export interface PaymentEventsLimits {
  /** Subscriptions per connection at once (default 4). */
  readonly perHandle?: number;
  /** Subscriptions in all (default 10 000). */
  readonly total?: number;
}

const REMEMBERED_TOKENS = 10_000;

/**
 * In-process fan-out of queued payments to their payee's subscribers. A push is a hint to sync
 * now, never the payment itself: the hub hands a payment over only in `hub_sync`, so a lost or
 * duplicated event changes nothing. A token is published once (a retried `hub_pay` is not
 * announced twice).
 */
export class PaymentEvents {
  private readonly listeners = new Map<string, Set<PaymentListener>>();
  private readonly published = new Set<string>();
  private count = 0;
  private readonly perHandle: number;
  private readonly total: number;

  constructor(limits: PaymentEventsLimits = {}) {
    this.perHandle = limits.perHandle ?? 4;
    this.total = limits.total ?? 10_000;
  }

  /** Subscriptions now. */
  get size(): number {
    return this.count;
  }

  /** Adds a listener; null when a limit is reached. Returns the function that removes it. */
  subscribe(handle: string, listener: PaymentListener): (() => void) | null {
    const set = this.listeners.get(handle) ?? new Set<PaymentListener>();
    if (set.size >= this.perHandle || this.count >= this.total) return null;
    set.add(listener);
    this.listeners.set(handle, set);
    this.count++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      set.delete(listener);
      this.count--;
      if (set.size === 0) this.listeners.delete(handle);
    };
  }

  /** Tells the payee's subscribers about a queued payment (once per token). */
  publish(event: PaymentEventJson): void {
    if (this.published.has(event.token)) return;
    this.published.add(event.token);
    // Oldest first out: a Set iterates in insertion order.
    if (this.published.size > REMEMBERED_TOKENS)
      this.published.delete(this.published.values().next().value as string);
    for (const listener of [...(this.listeners.get(event.to) ?? [])]) {
      try {
        listener(event);
      } catch {
        // One broken subscriber never stops the others.
      }
    }
  }
}
