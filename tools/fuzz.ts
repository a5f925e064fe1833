/**
 * Long fuzzing runs of the property suites:
 *
 *     npm run fuzz -- --seed S --runs N [--no-shrink]
 *
 * Sets `FC_SEED` / `FC_RUNS` (read by `test/support/property-config.ts`) and runs
 * `vitest run test/property` with them; exits with vitest's code.
 */
import { spawnSync } from 'node:child_process';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const seed = option('seed') ?? String(Date.now() % 2_147_483_647);
const runs = option('runs') ?? '200';
if (!/^-?\d+$/.test(seed) || !/^\d+$/.test(runs)) {
  console.error('usage: npm run fuzz -- --seed <integer> --runs <count> [--no-shrink]');
  process.exit(2);
}

const env: NodeJS.ProcessEnv = { ...process.env, FC_SEED: seed, FC_RUNS: runs };
if (process.argv.includes('--no-shrink')) env.FC_NO_SHRINK = '1';
console.log(`fuzz: FC_SEED=${seed} FC_RUNS=${runs} vitest run test/property`);
console.log(`replay: npm run fuzz -- --seed ${seed} --runs ${runs}`);
console.log(`    or: FC_SEED=${seed} FC_RUNS=${runs} npx vitest run test/property`);

const result = spawnSync('npx', ['vitest', 'run', 'test/property'], { stdio: 'inherit', env });
if (result.status !== 0) {
  console.log(`\nfailed; replay with: npm run fuzz -- --seed ${seed} --runs ${runs}`);
}
process.exit(result.status ?? 1);
