import { FuzzUsageError } from './errors.js';

/** What `npm run fuzz` was asked to do. */
export interface FuzzOptions {
  /** Time budget in minutes; null for one fixed run (`--seed`/`--runs` mode). */
  readonly minutes: number | null;
  /** The seed given with `--seed`, or null to draw one. */
  readonly seed: number | null;
  /** Runs per property given with `--runs`, or null for the default. */
  readonly runs: number | null;
  /** Suite name given with `--suite`, or null for every property suite. */
  readonly suite: string | null;
  readonly noShrink: boolean;
  readonly help: boolean;
}

/** Longest budget accepted: one week. */
export const MAX_MINUTES = 7 * 24 * 60;
/** Most runs per property accepted. */
export const MAX_RUNS = 10_000_000;

const VALUED = new Set(['--minutes', '--seed', '--runs', '--suite']);
const FLAGS = new Set(['--no-shrink', '--help', '-h']);
const usage = (why: string) => new FuzzUsageError('FUZZ_USAGE', why);

function parseMinutes(text: string): number {
  // Decimal notation only: `1e3`, `0x10`, `Infinity` or a trailing unit are refused.
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text))
    throw usage(`--minutes must be a number, got "${text}"`);
  const minutes = Number(text);
  if (!(minutes > 0) || minutes > MAX_MINUTES)
    throw usage(`--minutes must be in (0, ${MAX_MINUTES}], got ${text}`);
  return minutes;
}

function parseSeed(text: string): number {
  if (!/^-?\d{1,10}$/.test(text)) throw usage(`--seed must be an integer, got "${text}"`);
  const seed = Number(text);
  if (seed < -0x80000000 || seed > 0x7fffffff)
    throw usage(`--seed must be in -2147483648..2147483647, got ${text}`);
  return seed;
}

function parseRuns(text: string): number {
  if (!/^\d{1,8}$/.test(text)) throw usage(`--runs must be a positive integer, got "${text}"`);
  const runs = Number(text);
  if (runs < 1 || runs > MAX_RUNS) throw usage(`--runs must be in 1..${MAX_RUNS}, got ${text}`);
  return runs;
}

function parseSuite(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text))
    throw usage(`--suite must be a suite name such as "bookkeeping", got "${text}"`);
  return text;
}

/**
 * Parses the arguments after `npm run fuzz --`. Every option may appear once; `--opt=value` is
 * accepted as well as `--opt value`.
 *
 * @throws {@link FuzzUsageError} `FUZZ_USAGE` naming the first bad argument.
 */
export function parseFuzzArgs(argv: readonly string[]): FuzzOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUED.has(name)) {
      const inline = eq > 0;
      const value = inline ? arg.slice(eq + 1) : argv[++i];
      // `--seed --runs 5` is a missing value, not the seed "--runs".
      if (value === undefined || value === '' || (!inline && value.startsWith('--')))
        throw usage(`${name} needs a value`);
      if (values.has(name)) throw usage(`${name} given twice`);
      values.set(name, value);
    } else if (FLAGS.has(arg)) {
      flags.add(arg === '-h' ? '--help' : arg);
    } else {
      throw usage(`unknown argument "${arg}"`);
    }
  }
  const minutes = values.get('--minutes');
  const seed = values.get('--seed');
  const runs = values.get('--runs');
  const suite = values.get('--suite');
  return {
    minutes: minutes === undefined ? null : parseMinutes(minutes),
    seed: seed === undefined ? null : parseSeed(seed),
    runs: runs === undefined ? null : parseRuns(runs),
    suite: suite === undefined ? null : parseSuite(suite),
    noShrink: flags.has('--no-shrink'),
    help: flags.has('--help'),
  };
}
