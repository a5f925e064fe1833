import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PropertyRunRecord } from '../../test/support/property-config.js';

/** Directory, relative to the repository root, that failing seeds are written to (gitignored). */
export const FAILURES_DIR = 'fuzz-failures';

/** What is written for one failing property. */
export interface FailureReport extends PropertyRunRecord {
  /** Commands that run exactly the failing property again with the same seed and runs. */
  readonly replay: { readonly vitest: string; readonly fuzz: string | null };
  /** The campaign seed and round, when found by a time-budgeted campaign. */
  readonly campaign: { readonly seed: number; readonly round: number } | null;
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The test's own name: vitest reports `describe > test`, and `-t` matches a part of it. */
function ownTestName(test: string): string {
  const parts = test.split(' > ');
  return parts[parts.length - 1] ?? test;
}

/**
 * The vitest command that replays one property: same seed, same number of runs, only that
 * test, no timeout.
 */
export function vitestReplayCommand(
  record: PropertyRunRecord,
  vitestArgs: readonly string[],
): string {
  const words = [
    `FC_SEED=${record.seed}`,
    `FC_RUNS=${record.runs}`,
    'npx',
    'vitest',
    'run',
    record.file,
    '-t',
    escapeRegExp(ownTestName(record.test)),
    '--testTimeout=0',
    ...vitestArgs,
  ];
  return words.map(shellQuote).join(' ');
}

/** The `npm run fuzz` command that replays the suite of a record, or null outside the suites. */
export function fuzzReplayCommand(
  record: PropertyRunRecord,
  suiteName: string | null,
): string | null {
  if (suiteName === null) return null;
  return `npm run fuzz -- --seed ${record.seed} --runs ${record.runs} --suite ${shellQuote(suiteName)}`;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'property'
  );
}

/** File name of a failure: seed first, so that the files of one campaign sort by round. */
export function failureFileName(record: PropertyRunRecord): string {
  return `seed-${record.seed}-${slug(`${record.file.split('/').pop() ?? ''}-${ownTestName(record.test)}`)}.json`;
}

/** Writes the report of one failing property under `dir` and returns the file's path. */
export function writeFailure(dir: string, report: FailureReport): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, failureFileName(report));
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
