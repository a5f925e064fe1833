import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAX_MINUTES, MAX_RUNS, parseFuzzArgs } from '../../tools/fuzz/args.js';
import { FuzzUsageError } from '../../tools/fuzz/errors.js';
import { fuzzMain } from '../../tools/fuzz/main.js';
import { PROPERTY_SUITES, listSuites, selectSuites } from '../../tools/fuzz/suites.js';

const ROOT = process.cwd();

function usageError(argv: string[]): FuzzUsageError {
  try {
    parseFuzzArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(FuzzUsageError);
    expect((error as FuzzUsageError).code).toBe('FUZZ_USAGE');
    return error as FuzzUsageError;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('fuzz arguments', () => {
  it('reads every option, in both spellings', () => {
    expect(
      parseFuzzArgs(['--minutes', '2.5', '--seed', '-42', '--runs=300', '--suite=bookkeeping']),
    ).toEqual({
      minutes: 2.5,
      seed: -42,
      runs: 300,
      suite: 'bookkeeping',
      noShrink: false,
      help: false,
    });
    expect(parseFuzzArgs(['--no-shrink', '-h'])).toMatchObject({
      minutes: null,
      seed: null,
      runs: null,
      suite: null,
      noShrink: true,
      help: true,
    });
    expect(parseFuzzArgs([`--minutes=${MAX_MINUTES}`, `--runs=${MAX_RUNS}`])).toMatchObject({
      minutes: MAX_MINUTES,
      runs: MAX_RUNS,
    });
    expect(parseFuzzArgs(['--seed', '2147483647']).seed).toBe(2147483647);
    expect(parseFuzzArgs(['--seed', '-2147483648']).seed).toBe(-2147483648);
  });

  it.each([
    [['--minutes'], '--minutes needs a value'],
    [['--minutes', '--seed', '1'], '--minutes needs a value'],
    [['--minutes='], '--minutes needs a value'],
    [['--minutes', 'abc'], 'must be a number'],
    [['--minutes', '0'], 'must be in (0,'],
    [['--minutes', '-1'], 'must be a number'],
    [['--minutes', '1e3'], 'must be a number'],
    [['--minutes', 'Infinity'], 'must be a number'],
    [['--minutes', '5m'], 'must be a number'],
    [['--minutes', String(MAX_MINUTES + 1)], 'must be in (0,'],
    [['--minutes', '1', '--minutes', '2'], 'given twice'],
    [['--seed', '1.5'], '--seed must be an integer'],
    [['--seed', '2147483648'], 'must be in -2147483648..2147483647'],
    [['--seed', '99999999999'], '--seed must be an integer'],
    [['--runs', '0'], '--runs must be in 1..'],
    [['--runs', '-3'], '--runs must be a positive integer'],
    [['--runs', String(MAX_RUNS + 1)], '--runs must be in 1..'],
    [['--suite', '../etc/passwd'], '--suite must be a suite name'],
    [['--suite', 'x'.repeat(65)], '--suite must be a suite name'],
    [['--bogus'], 'unknown argument "--bogus"'],
    [['stray'], 'unknown argument "stray"'],
  ])('refuses %j', (argv, message) => {
    expect(usageError(argv).message).toContain(message);
  });

  it('lists the property suites and refuses an unknown one, naming the known ones', () => {
    const names = listSuites(ROOT, PROPERTY_SUITES).map((s) => s.name);
    expect(names).toContain('bookkeeping');
    expect(names).toContain('channel.model');
    expect(selectSuites(ROOT, PROPERTY_SUITES, 'bookkeeping')).toEqual([
      { name: 'bookkeeping', file: 'test/property/bookkeeping.property.test.ts' },
    ]);
    expect(selectSuites(ROOT, PROPERTY_SUITES, null)).toHaveLength(names.length);
    expect(() => selectSuites(ROOT, PROPERTY_SUITES, 'nope')).toThrow(
      /known suites: (\S+, )*bookkeeping/,
    );
    expect(() => selectSuites(ROOT, { dir: 'no/such/dir', suffix: '.ts' }, null)).toThrow(
      FuzzUsageError,
    );
  });

  it('a bad command line prints the error and the usage and returns 2, running nothing', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { root: ROOT, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await fuzzMain(['--minutes', 'soon'], env)).toBe(2);
    expect(err[0]).toBe('fuzz: FUZZ_USAGE: --minutes must be a number, got "soon"');
    expect(err[1]).toMatch(/^usage: npm run fuzz/);
    expect(out).toEqual([]);
    expect(await fuzzMain(['--suite', 'nope', '--minutes', '1'], env)).toBe(2);
    expect(await fuzzMain(['--help'], env)).toBe(0);
    expect(out[0]).toMatch(/^usage: npm run fuzz/);
  });

  it('the command exits with code 2 on a bad argument', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'tools/fuzz.ts', '--minutes', '-5'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('FUZZ_USAGE: --minutes must be a number, got "-5"');
    expect(result.stdout).toBe('');
  });
});
