/**
 * `npm run demo`: two payment channels on the embedded default stack (simulated chain whose
 * inputs are checked by bitcore-lib's interpreter, in-memory link and stores), told step by
 * step. Exits non-zero when any outcome differs from what the protocol promises.
 */
import { runHonestChannel } from './honest-channel.js';
import { consoleReporter } from './reporter.js';
import { runRevokedCommit } from './revoked-commit.js';
import type { ScenarioResult } from './scenario.js';
import { summaryLines } from './summary.js';

async function main(): Promise<number> {
  const started = performance.now();
  const reporter = consoleReporter();
  console.log(
    'picopayments demo: two channels on a simulated chain (scripts checked by bitcore-lib)',
  );
  const results: ScenarioResult[] = [
    await runHonestChannel(reporter),
    await runRevokedCommit(reporter),
  ];
  console.log('\n== Summary ==');
  for (const result of results) console.log(summaryLines(result).join('\n'));
  const failed = results.flatMap((r) => r.checks.filter((c) => !c.ok));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    failed.length === 0
      ? `\nAll ${results.reduce((n, r) => n + r.checks.length, 0)} checks passed in ${seconds} s.`
      : `\n${failed.length} check(s) FAILED in ${seconds} s.`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
