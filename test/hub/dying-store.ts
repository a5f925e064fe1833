import type { MemoryStore, Store, StoreWrite } from '../../src/runtime/store.js';

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

/**
 * A {@link DyingStore} with an atomic `saveAll`: a group of writes counts as one save, and a
 * group past the budget lands not at all (the process died before the transaction committed).
 */
export class AtomicDyingStore extends DyingStore {
  saveAll(writes: readonly StoreWrite[]): Promise<void> {
    // One save of the budget for the whole group, made through the inner store's own saveAll.
    return this.save('\u0000group', '').then(() => this.inner.saveAll(writes));
  }
}
