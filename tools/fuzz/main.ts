import { resolve } from 'node:path';
import { parseFuzzArgs } from './args.js';
import { runCampaign } from './campaign.js';
import { FuzzUsageError, USAGE, USAGE_EXIT_CODE } from './errors.js';
import { FAILURES_DIR } from './failures.js';
import { runFixed } from './fixed-run.js';
import { clockSeed } from './seeds.js';
import { PROPERTY_SUITES, type SuiteLocation, selectSuites } from './suites.js';

/** Where `npm run fuzz` runs and what it can be pointed at (tests use other suites). */
export interface FuzzEnvironment {
  readonly root: string;
  readonly location?: SuiteLocation;
  /** Failures directory, relative to the root (or absolute). */
  readonly failuresDir?: string;
  readonly vitestArgs?: readonly string[];
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly signal?: AbortSignal;
  /** `capture` keeps a fixed run's vitest output quiet (tests). */
  readonly vitestOutput?: 'inherit' | 'capture';
  /** How often a campaign prints progress while a round runs (default 30 s). */
  readonly progressEveryMs?: number;
}

/**
 * `npm run fuzz` with its arguments: a time-budgeted campaign with `--minutes`, else one fixed
 * run. Resolves with the exit code: 0 passed, 1 a property failed, 2 bad arguments, 130
 * interrupted.
 */
export async function fuzzMain(argv: readonly string[], env: FuzzEnvironment): Promise<number> {
  try {
    const options = parseFuzzArgs(argv);
    if (options.help) {
      env.out(USAGE);
      return 0;
    }
    const suites = selectSuites(env.root, env.location ?? PROPERTY_SUITES, options.suite);
    const settings = {
      root: env.root,
      suites,
      failuresDir: resolve(env.root, env.failuresDir ?? FAILURES_DIR),
      vitestArgs: env.vitestArgs ?? [],
      runs: options.runs,
      noShrink: options.noShrink,
      write: env.out,
      ...(env.signal ? { signal: env.signal } : {}),
      ...(env.vitestOutput ? { vitestOutput: env.vitestOutput } : {}),
    };
    const seed = options.seed ?? clockSeed();
    if (options.minutes === null) return await runFixed({ ...settings, seed });
    const campaign = { ...settings, minutes: options.minutes, seed };
    return (
      await runCampaign(
        env.progressEveryMs ? { ...campaign, progressEveryMs: env.progressEveryMs } : campaign,
      )
    ).exitCode;
  } catch (error) {
    if (!(error instanceof FuzzUsageError)) throw error;
    env.err(`fuzz: ${error.message}`);
    env.err(USAGE);
    return USAGE_EXIT_CODE;
  }
}
