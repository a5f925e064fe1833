import type { Parameters } from 'fast-check';

/**
 * fast-check parameters shared by every property suite.
 *
 * The seed comes from `FC_SEED` when set (to replay a failure), else from the clock; it is
 * printed once per suite so that any run can be replayed. `FC_RUNS` scales the number of runs
 * (the fuzz command sets it for long runs); `defaultRuns` is the CI budget.
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
  return { seed, numRuns: runs, verbose: 1 };
}

const printed = new Set<string>();
