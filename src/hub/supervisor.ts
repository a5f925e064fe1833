/** What health reports of one job. */
export interface JobHealth {
  readonly name: string;
  readonly runs: number;
  readonly failures: number;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly healthy: boolean;
}

/** Options of {@link Supervisor.add}. */
export interface JobOptions {
  /** Time between runs when the job succeeds, ms. */
  readonly intervalMs: number;
  /** First retry delay after a failure, doubled up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

interface Job {
  name: string;
  run: () => Promise<void>;
  options: JobOptions;
  runs: number;
  failures: number;
  consecutive: number;
  lastError: string | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs background jobs forever: a failing job is logged, counted and retried with backoff;
 * it never stops itself or the others (the reference's loop died at its first exception).
 */
export class Supervisor {
  private readonly jobs = new Map<string, Job>();
  private stopped = false;

  constructor(private readonly log: (event: Record<string, unknown>) => void = () => undefined) {}

  /** Adds a job and schedules its first run at once. */
  add(name: string, run: () => Promise<void>, options: JobOptions): void {
    const job: Job = {
      name,
      run,
      options,
      runs: 0,
      failures: 0,
      consecutive: 0,
      lastError: null,
      timer: null,
    };
    this.jobs.set(name, job);
    this.schedule(job, 0);
  }

  /** Counts a failure reported from outside a job run (e.g. a channel-error event). */
  recordFailure(name: string, error: unknown): void {
    const job = this.jobs.get(name);
    if (!job) return;
    job.failures++;
    job.lastError = error instanceof Error ? error.message : String(error);
  }

  private schedule(job: Job, delay: number): void {
    if (this.stopped) return;
    job.timer = setTimeout(() => void this.tick(job), delay);
    job.timer.unref?.();
  }

  private async tick(job: Job): Promise<void> {
    job.runs++;
    try {
      await job.run();
      job.consecutive = 0;
      this.schedule(job, job.options.intervalMs);
    } catch (error) {
      job.failures++;
      job.consecutive++;
      job.lastError = error instanceof Error ? error.message : String(error);
      this.log({
        event: 'job-failed',
        job: job.name,
        error: job.lastError,
        consecutive: job.consecutive,
      });
      const base = job.options.backoffMs ?? 100;
      const delay = Math.min(base * 2 ** (job.consecutive - 1), job.options.maxBackoffMs ?? 30_000);
      this.schedule(job, delay);
    }
  }

  /** Every job's health. */
  health(): JobHealth[] {
    return [...this.jobs.values()].map((j) => ({
      name: j.name,
      runs: j.runs,
      failures: j.failures,
      consecutiveFailures: j.consecutive,
      lastError: j.lastError,
      healthy: j.consecutive === 0,
    }));
  }

  /** Stops scheduling; a run in progress ends on its own. */
  stop(): void {
    this.stopped = true;
    for (const j of this.jobs.values()) if (j.timer) clearTimeout(j.timer);
  }
}
