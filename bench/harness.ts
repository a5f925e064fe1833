/**
 * A small measuring harness: warm-up, several timed samples, median operations per second and
 * the coefficient of variation of the samples.
 */

/** One benchmark: `run(n)` performs `n` operations; `prepare(n)`, untimed, readies a sample. */
export interface Benchmark<S> {
  readonly name: string;
  /** Fixed operations per sample (instead of calibrating), e.g. payments of one channel. */
  readonly operations?: number;
  /** Untimed per-sample preparation; its result is handed to `run`. */
  prepare?(operations: number): S | Promise<S>;
  /** Performs `operations` operations (timed). */
  run(operations: number, state: S): void | Promise<void>;
}

/** How long and how often to measure. */
export interface MeasureOptions {
  /** Operations per sample; when absent, calibrated so that a sample lasts about `sampleMs`. */
  readonly operations?: number;
  /** Target duration of one sample when calibrating, milliseconds. */
  readonly sampleMs?: number;
  /** Timed samples. */
  readonly samples?: number;
  /** Untimed warm-up samples run before measuring. */
  readonly warmups?: number;
}

/** What a benchmark measured. */
export interface Measurement {
  readonly name: string;
  /** Median of the samples' operations per second. */
  readonly opsPerSecond: number;
  /** Standard deviation over mean of the samples' operations per second. */
  readonly cv: number;
  readonly samples: number;
  readonly operationsPerSample: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function coefficientOfVariation(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return mean === 0 ? 0 : Math.sqrt(variance) / mean;
}

async function timeSample<S>(bench: Benchmark<S>, operations: number): Promise<number> {
  const state = (await bench.prepare?.(operations)) as S;
  const start = process.hrtime.bigint();
  await bench.run(operations, state);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  return elapsedNs / 1e6;
}

/** Chooses operations per sample so that one sample lasts about `sampleMs`. */
async function calibrate<S>(bench: Benchmark<S>, sampleMs: number): Promise<number> {
  let operations = 1;
  for (;;) {
    const ms = await timeSample(bench, operations);
    if (ms >= sampleMs / 4 || operations >= 1 << 20) {
      return Math.max(1, Math.round((operations * sampleMs) / Math.max(ms, 1e-3)));
    }
    operations *= ms < sampleMs / 64 ? 8 : 2;
  }
}

/** Measures a benchmark: warm-up, then `samples` timed samples. */
export async function measure<S>(
  bench: Benchmark<S>,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const [measurement] = await measureGroup([bench as Benchmark<unknown>], options);
  return measurement!;
}

/**
 * Measures benchmarks that are to be compared with each other: each is calibrated and warmed
 * up, then their samples are taken in turn (round-robin), so that a change of machine load
 * during the run affects all of them alike and their ratios stay meaningful.
 */
export async function measureGroup(
  benches: readonly Benchmark<unknown>[],
  options: MeasureOptions = {},
): Promise<Measurement[]> {
  const sampleMs = options.sampleMs ?? 250;
  const samples = options.samples ?? 7;
  const warmups = options.warmups ?? 2;
  const operations: number[] = [];
  for (const bench of benches) {
    operations.push(bench.operations ?? options.operations ?? (await calibrate(bench, sampleMs)));
  }
  for (let i = 0; i < warmups; i++) {
    for (const [b, bench] of benches.entries()) await timeSample(bench, operations[b]!);
  }
  const rates: number[][] = benches.map(() => []);
  for (let i = 0; i < samples; i++) {
    for (const [b, bench] of benches.entries()) {
      const ms = await timeSample(bench, operations[b]!);
      rates[b]!.push((operations[b]! * 1000) / ms);
    }
  }
  return benches.map((bench, b) => ({
    name: bench.name,
    opsPerSecond: median(rates[b]!),
    cv: coefficientOfVariation(rates[b]!),
    samples,
    operationsPerSample: operations[b]!,
  }));
}
