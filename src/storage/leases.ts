import { StoreError } from './errors.js';

/** Exclusive right to advance one channel, until released (or the holding process dies). */
export interface ChannelLease {
  /** The store key the lease covers. */
  readonly key: string;
  /** False once released or lost (e.g. the database connection holding it dropped). */
  readonly held: boolean;
  /** Gives the channel up; idempotent. */
  release(): Promise<void>;
}

/** How long {@link LeaseTable.acquire} and the stores' `lockChannel` wait for a held lease. */
export interface LockOptions {
  /** Milliseconds to wait before `STORE_LOCKED`; 0 (the default) tries once. */
  readonly waitMs?: number;
}

/** Checks a wait option. */
export function waitMsOf(options: LockOptions | undefined): number {
  const waitMs = options?.waitMs ?? 0;
  if (!Number.isSafeInteger(waitMs) || waitMs < 0 || waitMs > 3_600_000)
    throw new StoreError('STORE_INVALID_OPTIONS', 'waitMs must be an integer 0..3600000');
  return waitMs;
}

/** Leases held within this process, one per key; the database-level lock is the caller's. */
export class LeaseTable {
  private readonly held = new Map<string, { released: Promise<void> }>();

  /** True while some lease on `key` is held in this process. */
  has(key: string): boolean {
    return this.held.has(key);
  }

  /** Takes the lease on `key`, waiting up to `waitMs` for a holder in this process to release it. */
  async acquire(key: string, waitMs: number): Promise<ChannelLease> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const current = this.held.get(key);
      if (!current) break;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new StoreError('STORE_LOCKED', `channel ${JSON.stringify(key)} is leased`);
      await Promise.race([current.released, new Promise((r) => setTimeout(r, left))]);
    }
    let release!: () => void;
    const entry = { released: new Promise<void>((r) => (release = r)) };
    this.held.set(key, entry);
    const table = this.held;
    let held = true;
    return {
      key,
      get held() {
        return held;
      },
      async release() {
        if (!held) return;
        held = false;
        if (table.get(key) === entry) table.delete(key);
        release();
      },
    };
  }
}
