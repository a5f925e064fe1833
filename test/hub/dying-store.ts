import type { MemoryStore, Store } from '../../src/runtime/store.js';

/**
 * A store that dies after `budget` saves: later saves never land and never resolve, as when the
 * process is killed (SIGKILL) in the middle of a write.
 */
export class DyingStore implements Store {
  private count = 0;
  dead = false;
  private onDeath: () => void = () => undefined;
  /** Resolves when the first save past the budget is attempted. */
  readonly died = new Promise<void>((ok) => {
    this.onDeath = ok;
  });

  constructor(
    readonly inner: MemoryStore,
    private readonly budget: number,
  ) {}

  load(key: string): Promise<string | null> {
    return this.inner.load(key);
  }

  save(key: string, snapshot: string): Promise<void> {
    if (this.dead || this.count++ >= this.budget) {
      this.dead = true;
      this.onDeath();
      return new Promise(() => undefined);
    }
    return this.inner.save(key, snapshot);
  }
}
