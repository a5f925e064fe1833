import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FuzzSettings, reportFailures } from './campaign.js';
import { readRecords } from './records.js';
import { runRound } from './vitest-round.js';

/** Runs per property of a fixed run when `--runs` is not given. */
export const DEFAULT_FIXED_RUNS = 200;

/**
 * The fixed mode (`--seed S --runs N`): one vitest run of the suites with that seed and number
 * of runs, no per-test timeout, vitest's output shown. Failing properties are written to the
 * failures directory as in a campaign. Resolves with vitest's exit code.
 */
export async function runFixed(
  settings: FuzzSettings & { readonly seed: number },
): Promise<number> {
  const runs = settings.runs ?? DEFAULT_FIXED_RUNS;
  const files = settings.suites.map((s) => s.file);
  const suiteArg = settings.suites.length === 1 ? ` --suite ${settings.suites[0]!.name}` : '';
  settings.write(`fuzz: FC_SEED=${settings.seed} FC_RUNS=${runs} vitest run ${files.join(' ')}`);
  settings.write(`replay: npm run fuzz -- --seed ${settings.seed} --runs ${runs}${suiteArg}`);
  const work = mkdtempSync(join(tmpdir(), 'picopayments-fuzz-'));
  try {
    const reportFile = join(work, 'run.jsonl');
    const result = await runRound({
      root: settings.root,
      files,
      seed: settings.seed,
      runs,
      noShrink: settings.noShrink,
      reportFile,
      vitestArgs: settings.vitestArgs,
      output: settings.vitestOutput ?? 'inherit',
      ...(settings.signal ? { signal: settings.signal } : {}),
    });
    reportFailures(settings, readRecords(reportFile).records, null);
    if (result.stopped) return 130;
    if (result.exitCode !== 0)
      settings.write(
        `\nfailed; replay with: npm run fuzz -- --seed ${settings.seed} --runs ${runs}${suiteArg}`,
      );
    return result.exitCode ?? 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
