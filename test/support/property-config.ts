import { appendFileSync } from 'node:fs';
import fc, { type Parameters, type RunDetails } from 'fast-check';
import { expect } from 'vitest';

/**
 * Name of the environment variable that asks every property to append a
 * {@link PropertyRunRecord} (one JSON line) to the file it names when it ends. The fuzz command
 * sets it to count runs and to collect failing seeds with their shrunk counterexamples.
 */
export const PROPERTY_REPORT_ENV = 'FC_REPORT_FILE';

/** What one finished `fc.assert` reports to the {@link PROPERTY_REPORT_ENV} file. */
export interface PropertyRunRecord {
  /** The label given to {@link propertyConfig}. */
  readonly suite: string;
  /** Full name of the vitest test that ran the property (`describe > test`). */
  readonly test: string;
  /** Path of the test file, relative to the working directory when possible. */
  readonly file: string;
  readonly seed: number;
  /** Runs asked for (`numRuns`). */
  readonly runs: number;
  /** Runs actually executed, shrinking excluded. */
  readonly executed: number;
  readonly failed: boolean;
  /** The run was stopped early (time limit, `endOnFailure` aside). */
  readonly interrupted: boolean;
  readonly shrinks: number;
  /** fast-check's path to the counterexample (replay with `seed` and `path`); null on success. */
  readonly path: string | null;
  /** The shrunk counterexample as fast-check prints it; null on success. */
  readonly counterexample: string | null;
  /** First line of the error the property raised; null on success. */
  readonly error: string | null;
}

function firstLine(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!.slice(0, 500);
}

function relativeFile(path: string | undefined): string {
  if (!path) return '';
  const cwd = `${process.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

/** The record of a finished property run. */
export function propertyRunRecord(suite: string, details: RunDetails<unknown>): PropertyRunRecord {
  const state = expect.getState();
  return {
    suite,
    test: state.currentTestName ?? '',
    file: relativeFile(state.testPath),
    seed: details.seed,
    runs: details.runConfiguration.numRuns ?? 0,
    executed: details.numRuns,
    failed: details.failed,
    interrupted: details.interrupted,
    shrinks: details.numShrinks,
    path: details.counterexamplePath,
    counterexample: details.counterexample === null ? null : fc.stringify(details.counterexample),
    error: firstLine(details.errorInstance),
  };
}

/**
 * A reporter that appends the run's record to `file`, then fails exactly as fast-check's
 * default reporter does (same message, same `cause`), so that the suites behave the same.
 */
function recordingReporter(suite: string, file: string): (details: RunDetails<unknown>) => void {
  return (details) => {
    appendFileSync(file, `${JSON.stringify(propertyRunRecord(suite, details))}\n`);
    if (!details.failed) return;
    const message = fc.defaultReportMessage(details) ?? 'property failed';
    if (details.runConfiguration.includeErrorInReport) throw new Error(message);
    throw new Error(message, { cause: details.errorInstance });
  };
}

/**
 * fast-check parameters shared by every property suite.
 *
 * The seed comes from `FC_SEED` when set (to replay a failure), else from the clock; it is
 * printed once per suite so that any run can be replayed. `FC_RUNS` scales the number of runs
 * (the fuzz command sets it for long runs); `defaultRuns` is the CI budget. When
 * {@link PROPERTY_REPORT_ENV} names a file, each property appends its {@link PropertyRunRecord}.
 */
export function propertyConfig(suite: string, defaultRuns: number): Parameters<unknown> {
  const seed = process.env.FC_SEED
    ? Number(process.env.FC_SEED)
    : Date.now() ^ (Math.random() * 0x7fffffff);
  const runs = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : defaultRuns;
  if (!printed.has(suite)) {
    printed.add(suite);
    process.stdout.write(
      `[property] ${suite}: seed=${seed} runs=${runs} (replay: FC_SEED=${seed})\n`,
    );
  }
  const reportFile = process.env[PROPERTY_REPORT_ENV];
  return {
    seed,
    numRuns: runs,
    verbose: 1,
    ...(reportFile ? { reporter: recordingReporter(suite, reportFile) } : {}),
  };
}

const printed = new Set<string>();
