/**
 * Long fuzzing runs of the property suites (`test/property/*.property.test.ts`):
 *
 *     npm run fuzz -- --minutes M [--seed S] [--runs N] [--suite NAME] [--no-shrink]
 *     npm run fuzz -- [--seed S] [--runs N] [--suite NAME] [--no-shrink]
 *
 * With `--minutes`, rounds with fresh seeds run until the budget is spent, printing progress
 * (runs and steps/s); without it, one run with the given seed and runs. Neither has a per-test
 * timeout. Every failing property is written with its seed, shrunk counterexample and replay
 * command to `fuzz-failures/`. The logic is in `tools/fuzz/`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzMain } from './fuzz/main.js';

const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
process.once('SIGTERM', () => interrupt.abort());

fuzzMain(process.argv.slice(2), {
  root: resolve(fileURLToPath(new URL('..', import.meta.url))),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  signal: interrupt.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
