/**
 * Mutation run: applies each deliberate engine mutation (see `mutations.ts`) to a temporary copy
 * of the repository — the real `src/` is never touched — runs the suites with a fixed seed, and
 * records which tests caught it. Writes the table to `tools/mutations/RESULTS.md`.
 *
 *     npm run mutate -- [--seed S] [--runs N] [--only id,id] [--no-write]
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATIONS, type Mutation } from './mutations.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SUITES = [
  'test/property/channel.model.property.test.ts',
  'test/property/asset-runtime.property.test.ts',
  'test/runtime',
  'test/machines',
];
const COPIED = ['src', 'test', 'package.json', 'tsconfig.json', 'vitest.config.ts'];
const TIMEOUT_MS = 600_000;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const seed = option('seed') ?? '20261121';
/** Runs per property; the suites' own CI budget when omitted. */
const runs = option('runs');
const only = option('only')?.split(',');
const write = !process.argv.includes('--no-write');

interface Outcome {
  readonly id: string;
  readonly description: string;
  readonly file: string;
  readonly caught: boolean;
  readonly by: string[];
  readonly seconds: number;
}

interface VitestJson {
  testResults: {
    name: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

/** The property or check a failure names: the first assertion message after fast-check's report. */
function reasonOf(messages: readonly string[]): string {
  const text = messages.join('\n');
  const got = /\nGot (?:error: )?([^\n]*)/.exec(text);
  const line = got?.[1] ?? text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.slice(0, 110);
}

function makeCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'picopayments-mutant-'));
  for (const entry of COPIED) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function applyMutation(dir: string, mutation: Mutation): void {
  const path = join(dir, mutation.file);
  const text = readFileSync(path, 'utf8');
  const count = text.split(mutation.search).length - 1;
  if (count !== 1)
    throw new Error(`${mutation.id}: search text found ${count} times in ${mutation.file}`);
  writeFileSync(path, text.replace(mutation.search, mutation.replace));
}

function runSuites(dir: string): { exitCode: number; failures: string[]; seconds: number } {
  const report = join(dir, 'vitest-report.json');
  const started = Date.now();
  const result = spawnSync(
    'npx',
    ['vitest', 'run', ...SUITES, '--reporter=json', `--outputFile=${report}`],
    {
      cwd: dir,
      env: {
        ...process.env,
        FC_SEED: seed,
        ...(runs ? { FC_RUNS: runs } : {}),
        FC_NO_SHRINK: '1',
        PICOPAYMENTS_VECTORS: resolve(ROOT, '../shared/vectors/reference-fixtures.json'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: TIMEOUT_MS,
      encoding: 'utf8',
    },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  const failures: string[] = [];
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
    for (const file of json.testResults) {
      const name = file.name.replace(`${dir}/`, '');
      for (const test of file.assertionResults) {
        if (test.status === 'failed')
          failures.push(`${name} › ${test.fullName} — ${reasonOf(test.failureMessages)}`);
      }
    }
  } else if (result.stderr) {
    failures.push(`no report: ${result.stderr.slice(0, 200)}`);
  }
  // The model suites first: they name the violated property.
  failures.sort(
    (a, b) => Number(!a.includes('channel.model')) - Number(!b.includes('channel.model')),
  );
  return { exitCode: result.status ?? 1, failures, seconds };
}

function table(outcomes: readonly Outcome[]): string {
  const rows = outcomes.map(
    (o) =>
      `| \`${o.id}\` | ${o.description} (\`${o.file}\`) | ${o.caught ? 'yes' : '**NO**'} | ${
        o.by.length === 0 ? '—' : o.by.map((b) => b.replace(/\|/g, '\\|')).join('<br>')
      } | ${o.seconds} s |`,
  );
  return [
    '| mutation | what it breaks | caught? | by (test — first failing check) | time |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function main(): void {
  const selected = MUTATIONS.filter((m) => !only || only.includes(m.id));
  console.log(`mutation run: seed=${seed} runs=${runs ?? 'CI budget'} suites=${SUITES.join(' ')}`);
  const baselineDir = makeCopy();
  const baseline = runSuites(baselineDir);
  rmSync(baselineDir, { recursive: true, force: true });
  if (baseline.exitCode !== 0) {
    console.error('the unmutated suites fail; fix them first:');
    for (const f of baseline.failures) console.error(`  ${f}`);
    process.exit(2);
  }
  console.log(`baseline passes (${baseline.seconds} s)`);
  const outcomes: Outcome[] = [];
  for (const mutation of selected) {
    const dir = makeCopy();
    try {
      try {
        applyMutation(dir, mutation);
      } catch (error) {
        // The source moved on: the mutation must be rewritten, it proves nothing as it is.
        const message = error instanceof Error ? error.message : String(error);
        outcomes.push({ ...mutation, caught: false, by: [`not applied: ${message}`], seconds: 0 });
        console.log(`STALE   ${mutation.id}: ${message}`);
        continue;
      }
      const run = runSuites(dir);
      const caught = run.exitCode !== 0;
      const outcome = {
        id: mutation.id,
        description: mutation.description,
        file: mutation.file,
        caught,
        by: run.failures.slice(0, 3),
        seconds: run.seconds,
      };
      outcomes.push(outcome);
      console.log(`${caught ? 'caught ' : 'MISSED '} ${mutation.id} (${run.seconds} s)`);
      for (const f of outcome.by) console.log(`    ${f}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const missed = outcomes.filter((o) => !o.caught);
  const markdown = [
    '# Mutation run results',
    '',
    'Each row is one deliberate mutation of the engine (`tools/mutations/mutations.ts`), applied to a',
    'temporary copy of the repository; the suites below ran against it with a fixed seed and',
    'without shrinking. A mutation is caught when at least one test fails.',
    '',
    `- command: \`npm run mutate -- --seed ${seed}${runs ? ` --runs ${runs}` : ''}\` (runs per property: ${runs ?? "the suites' CI budget"})`,
    `- suites: ${SUITES.map((s) => `\`${s}\``).join(', ')}`,
    `- baseline (no mutation): passes in ${baseline.seconds} s`,
    `- caught: ${outcomes.length - missed.length} of ${outcomes.length}`,
    '',
    table(outcomes),
    '',
  ].join('\n');
  if (write && !only) writeFileSync(join(ROOT, 'tools/mutations/RESULTS.md'), markdown);
  console.log(`\n${table(outcomes)}`);
  if (missed.length > 0) {
    console.error(
      `\n${missed.length} mutation(s) not caught: ${missed.map((m) => m.id).join(', ')}`,
    );
    process.exit(1);
  }
}

main();
