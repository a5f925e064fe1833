/** The figures of a campaign so far. */
export interface Progress {
  readonly elapsedMs: number;
  readonly budgetMs: number;
  /** Rounds finished. */
  readonly rounds: number;
  /** fast-check runs executed (shrinking excluded): the campaign's steps. */
  readonly runs: number;
  /** Properties finished. */
  readonly properties: number;
  readonly failures: number;
}

/** `m:ss` of a duration. */
export function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Steps (fast-check runs) per second; 0 before any time has passed. */
export function stepsPerSecond(runs: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (runs * 1000) / elapsedMs : 0;
}

const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

/** One progress line: time used of the budget, rounds, runs, steps/s and failures. */
export function progressLine(p: Progress): string {
  const rate = stepsPerSecond(p.runs, p.elapsedMs);
  return [
    `fuzz ${clock(p.elapsedMs)}/${clock(p.budgetMs)}`,
    `rounds ${p.rounds}`,
    `properties ${grouped(p.properties)}`,
    `runs ${grouped(p.runs)}`,
    `${rate < 10 ? rate.toFixed(1) : grouped(rate)} steps/s`,
    `failures ${p.failures}`,
  ].join(' | ');
}
