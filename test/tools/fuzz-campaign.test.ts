import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FailureReport, shellQuote } from '../../tools/fuzz/failures.js';
import { fuzzMain } from '../../tools/fuzz/main.js';
import { roundSeed } from '../../tools/fuzz/seeds.js';

const ROOT = process.cwd();
const FIXTURE_CONFIG = 'test/tools/fixtures/vitest.fixture.config.ts';
const FIXTURES = { dir: 'test/tools/fixtures', suffix: '.property.fixture.ts' };

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function reports(dir: string): FailureReport[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as FailureReport);
}

describe('npm run fuzz', () => {
  it('--minutes runs rounds with fresh seeds until the budget is spent, with steps/s', async () => {
    const failures = tempDir();
    const out: string[] = [];
    const started = performance.now();
    const code = await fuzzMain(['--minutes', '0.2', '--suite', 'bookkeeping', '--seed', '7'], {
      root: ROOT,
      failuresDir: failures,
      // Well below a round's length (a vitest child: 0.7 s or more), so a round always ticks.
      progressEveryMs: 150,
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(code).toBe(0);
    // The budget is 12 s; the last round is stopped when it runs out.
    expect(seconds).toBeGreaterThanOrEqual(12);
    expect(seconds).toBeLessThan(40);
    expect(out[0]).toBe('fuzz: campaign seed 7, 0.2 min, 1 suite(s): bookkeeping');
    const rounds = out.filter((l) => /\(round \d+, seed \d+: passed\)$/.test(l));
    expect(rounds.length).toBeGreaterThanOrEqual(1);
    expect(rounds[0]).toContain(`seed ${roundSeed(7, 0)}: passed`);
    if (rounds[1]) expect(rounds[1]).toContain(`seed ${roundSeed(7, 1)}: passed`);
    // Four properties of 300 runs each per round.
    expect(rounds[0]).toMatch(
      /rounds 1 \| properties 4 \| runs 1,200 \| [\d.,]+ steps\/s \| failures 0/,
    );
    // While a round runs, progress is printed from the properties finished so far.
    expect(out.some((l) => / steps\/s \| failures 0 \(round \d+ running\)$/.test(l))).toBe(true);
    const done = out.at(-1)!;
    expect(done).toMatch(/^fuzz: done: .* runs [\d,]+ \| [\d.,]+ steps\/s \| failures 0$/);
    expect(reports(failures)).toEqual([]);
  });

  it('writes every failing seed with its shrunk counterexample and a replay command that fails again', async () => {
    const failures = tempDir();
    const out: string[] = [];
    const code = await fuzzMain(['--minutes', '0.15', '--seed', '11', '--suite', 'threshold'], {
      root: ROOT,
      location: FIXTURES,
      failuresDir: failures,
      vitestArgs: ['--config', FIXTURE_CONFIG],
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(1);
    const written = reports(failures);
    expect(written.length).toBeGreaterThanOrEqual(1);
    // Every round finds the failure (its own seed) and shrinks it to exactly 1000.
    const seeds = written.map((r) => r.seed);
    expect(seeds).toContain(roundSeed(11, 0));
    for (const report of written) {
      expect(report).toMatchObject({
        file: 'test/tools/fixtures/threshold.property.fixture.ts',
        test: 'fuzz fixture > integers stay below 1000',
        suite: 'fixture: fails',
        runs: 100,
        failed: true,
        counterexample: '[1000]',
      });
      expect(report.error).toContain('Property failed by returning false');
      expect(report.campaign?.seed).toBe(11);
      expect(report.replay.vitest).toBe(
        `FC_SEED=${report.seed} FC_RUNS=100 npx vitest run test/tools/fixtures/threshold.property.fixture.ts -t 'integers stay below 1000' --testTimeout=0 --config ${FIXTURE_CONFIG}`,
      );
    }
    expect(out.some((l) => l.startsWith('FAILED test/tools/fixtures/threshold'))).toBe(true);
    expect(out.some((l) => l === '  counterexample: [1000]')).toBe(true);

    const first = written.find((r) => r.seed === roundSeed(11, 0))!;
    const replay = spawnSync('sh', ['-c', first.replay.vitest], { cwd: ROOT, encoding: 'utf8' });
    expect(replay.status).toBe(1);
    expect(replay.stdout + replay.stderr).toContain(`seed: ${first.seed}`);
    expect(replay.stdout + replay.stderr).toContain('Counterexample: [1000]');
    // Only the failing property ran: the replay is of that test alone.
    expect(replay.stdout).not.toContain('fixture: holds');
  });

  it('the fixed --seed/--runs mode still runs once, without timeout, and writes its failures', async () => {
    const failures = tempDir();
    const out: string[] = [];
    const code = await fuzzMain(['--seed', '5', '--runs', '20', '--suite', 'threshold'], {
      root: ROOT,
      location: FIXTURES,
      failuresDir: failures,
      vitestArgs: ['--config', FIXTURE_CONFIG],
      vitestOutput: 'capture',
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(1);
    expect(out[0]).toBe(
      'fuzz: FC_SEED=5 FC_RUNS=20 vitest run test/tools/fixtures/threshold.property.fixture.ts',
    );
    expect(out[1]).toBe('replay: npm run fuzz -- --seed 5 --runs 20 --suite threshold');
    const [report, ...more] = reports(failures);
    expect(more).toEqual([]);
    expect(report).toMatchObject({ seed: 5, runs: 20, counterexample: '[1000]', campaign: null });
  });

  it('a round that fails without a property failure stops the campaign with its output', async () => {
    const out: string[] = [];
    const started = performance.now();
    const code = await fuzzMain(['--minutes', '1', '--suite', 'broken'], {
      root: ROOT,
      location: FIXTURES,
      failuresDir: tempDir(),
      vitestArgs: ['--config', FIXTURE_CONFIG],
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(1);
    // It stopped after the first round instead of spending the minute.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(out.filter((l) => l.includes('(round ')).length).toBe(1);
    expect(out).toContain('fuzz: a round failed without a property failure; its output ends with:');
    expect(out.join('\n')).toContain('fixture: this suite cannot load');
  });

  it('Ctrl-C stops the running round and the command exits with 130', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tools/fuzz.ts', '--minutes', '5', '--suite', 'channel.model'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (output.includes('fuzz: campaign seed')) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    // Let vitest start its workers, then interrupt.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = performance.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(output).toMatch(/\(round 1, seed \d+: interrupted\)/);
    expect(output).toMatch(/fuzz: done: .* rounds 0 /);
  });

  it('replay commands survive the shell: odd test names are quoted', () => {
    const odd = `it's "odd" $HOME (§8) > a|b`;
    const echoed = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(odd)}`], {
      encoding: 'utf8',
    });
    expect(echoed).toBe(odd);
    expect(shellQuote('test/property/x.ts')).toBe('test/property/x.ts');
  });
});
