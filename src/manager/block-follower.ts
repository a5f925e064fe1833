/**
 * Runs rounds of work when blocks arrive: one round at a time, and blocks that arrive during a
 * round are coalesced into one more round (each round reads the tip itself, so none is lost).
 */
export class BlockFollower {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly round: () => Promise<void>) {}

  /** Asks for a round: starts one now, or one more after the current round. */
  trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Resolves when no round is running or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        // A round reports its own failures; nothing it throws may stop the follower.
        await this.round().catch(() => undefined);
      } while (this.again);
    } finally {
      this.running = null;
    }
  }
}

/** Runs `task` for every item with at most `limit` running at once. */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
