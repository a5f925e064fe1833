/** Outcome of one operation inside a committed batch. */
export type BatchOutcome<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: unknown };

interface Pending<T, R> {
  readonly operation: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/** Counters of a {@link GroupCommit}, for tests and benchmarks. */
export interface GroupCommitStats {
  /** Batches committed (each one transaction, one sync to disk). */
  readonly batches: number;
  /** Operations carried by those batches. */
  readonly operations: number;
  /** Largest batch so far. */
  readonly largestBatch: number;
}

/**
 * Group commit: operations submitted while a batch is being written (or within the same turn
 * of the event loop) are written together by the next batch, in submission order, so that many
 * channels share one transaction and one sync to disk. A promise settles only after its batch
 * was committed (or refused), never before.
 */
export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private counters = { batches: 0, operations: 0, largestBatch: 0 };

  /**
   * @param commit writes one batch in one transaction and reports each operation's outcome, in
   *   order; throwing means the whole batch failed with that error.
   * @param maxBatch most operations in one batch (a bound on one transaction's locks and size);
   *   the rest follow in the next batch, right after.
   */
  constructor(
    private readonly commit: (batch: readonly T[]) => Promise<BatchOutcome<R>[]>,
    private readonly maxBatch = 1024,
  ) {}

  /** Queues one operation; resolves once it is durable. */
  submit(operation: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ operation, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every operation submitted so far has settled. */
  async drain(): Promise<void> {
    while (this.flushing || this.scheduled || this.queue.length > 0) {
      if (this.flushing) await this.flushing;
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Counters so far. */
  get stats(): GroupCommitStats {
    return { ...this.counters };
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // Waiting one turn lets every channel that is stepping right now join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.counters.batches++;
    this.counters.operations += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    let outcomes: BatchOutcome<R>[];
    try {
      outcomes = await this.commit(batch.map((p) => p.operation));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (!outcome) p.reject(new Error('group commit: missing outcome'));
      else if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    });
  }
}
