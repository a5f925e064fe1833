import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { failureFileName } from '../../tools/fuzz/failures.js';
import { clock, progressLine, stepsPerSecond } from '../../tools/fuzz/progress.js';
import { executedRuns, readRecords } from '../../tools/fuzz/records.js';
import { roundSeed } from '../../tools/fuzz/seeds.js';
import {
  PROPERTY_REPORT_ENV,
  type PropertyRunRecord,
  propertyConfig,
} from '../support/property-config.js';

const dirs: string[] = [];
function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-parts-'));
  dirs.push(dir);
  return join(dir, name);
}
const saved = process.env[PROPERTY_REPORT_ENV];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env[PROPERTY_REPORT_ENV];
  else process.env[PROPERTY_REPORT_ENV] = saved;
});

const failing = () => fc.property(fc.integer({ min: 0, max: 100_000 }), (n) => n < 500);

function thrown(run: () => void): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('the property report hook', () => {
  it('records each property and fails exactly as fast-check does without it', () => {
    const file = tempFile('report.jsonl');
    delete process.env[PROPERTY_REPORT_ENV];
    const plain = thrown(() => fc.assert(failing(), { ...propertyConfig('hook', 40), seed: 3 }));
    process.env[PROPERTY_REPORT_ENV] = file;
    const hooked = thrown(() => fc.assert(failing(), { ...propertyConfig('hook', 40), seed: 3 }));
    expect(hooked.message).toBe(plain.message);
    expect((hooked.cause as Error).message).toBe((plain.cause as Error).message);
    fc.assert(
      fc.property(fc.nat(), (n) => n >= 0),
      { ...propertyConfig('hook', 25), seed: 4 },
    );
    const { records, unreadable } = readRecords(file);
    expect(unreadable).toBe(0);
    expect(records).toHaveLength(2);
    const [failed, passed] = records as [PropertyRunRecord, PropertyRunRecord];
    expect(failed).toMatchObject({
      suite: 'hook',
      file: 'test/tools/fuzz-parts.test.ts',
      seed: 3,
      runs: 40,
      failed: true,
      counterexample: '[500]',
    });
    expect(failed.test).toContain('records each property');
    expect(failed.path).toMatch(/^\d+(:\d+)*$/);
    expect(failed.error).toBe('Error: Property failed by returning false');
    expect(passed).toMatchObject({ seed: 4, runs: 25, executed: 25, failed: false, path: null });
    expect(passed.counterexample).toBeNull();
    expect(executedRuns(records)).toBe(failed.executed + 25);
  });

  it('keeps includeErrorInReport as the suites set it', () => {
    process.env[PROPERTY_REPORT_ENV] = tempFile('report.jsonl');
    const error = thrown(() =>
      fc.assert(failing(), { ...propertyConfig('hook', 40), seed: 3, includeErrorInReport: true }),
    );
    expect(error.cause).toBeUndefined();
    expect(error.message).toContain('Got error: Property failed by returning false');
  });
});

describe('report files', () => {
  it('a missing file is empty; partial and foreign lines are counted, not trusted', () => {
    const file = tempFile('r.jsonl');
    expect(readRecords(file)).toEqual({ records: [], unreadable: 0 });
    process.env[PROPERTY_REPORT_ENV] = file;
    fc.assert(
      fc.property(fc.nat(), () => true),
      { ...propertyConfig('ok', 10), seed: 1 },
    );
    const good = readFileSync(file, 'utf8');
    appendFileSync(file, '{"suite":"cut off by a kill');
    appendFileSync(file, '\n{"suite":"x","test":"y"}\n[]\n\n');
    const { records, unreadable } = readRecords(file);
    expect(records).toHaveLength(1);
    expect(unreadable).toBe(3);
    writeFileSync(file, good.replace('"executed":10', '"executed":"10"'));
    expect(readRecords(file)).toEqual({ records: [], unreadable: 1 });
  });

  it('failure file names start with the seed and stay in one directory', () => {
    const name = failureFileName({
      file: 'test/property/channel.model.property.test.ts',
      test: 'channel model (PROTOCOL.md §8) > a dishonest payee / never ../takes',
      seed: 123,
    } as PropertyRunRecord);
    expect(name).toMatch(/^seed-123-channel-model-property-test-ts-a-dishonest-payee-never-/);
    expect(name).not.toContain('/');
    expect(name.endsWith('.json')).toBe(true);
  });
});

describe('round seeds and progress', () => {
  it('round seeds are deterministic, non-negative 31-bit, and distinct', () => {
    const seeds = Array.from({ length: 2000 }, (_, i) => roundSeed(42, i));
    expect(seeds).toEqual(Array.from({ length: 2000 }, (_, i) => roundSeed(42, i)));
    expect(new Set(seeds).size).toBe(2000);
    for (const s of seeds) expect(s >= 0 && s <= 0x7fffffff && Number.isInteger(s)).toBe(true);
    expect(roundSeed(43, 0)).not.toBe(roundSeed(42, 0));
    expect(roundSeed(-2147483648, 0)).toBeGreaterThanOrEqual(0);
  });

  it('progress shows time of budget, rounds, runs and steps/s', () => {
    expect(clock(61_999)).toBe('1:01');
    expect(stepsPerSecond(1200, 2000)).toBe(600);
    expect(stepsPerSecond(5, 0)).toBe(0);
    expect(
      progressLine({
        elapsedMs: 90_000,
        budgetMs: 600_000,
        rounds: 3,
        runs: 123_456,
        properties: 12,
        failures: 1,
      }),
    ).toBe(
      'fuzz 1:30/10:00 | rounds 3 | properties 12 | runs 123,456 | 1,372 steps/s | failures 1',
    );
    expect(
      progressLine({
        elapsedMs: 4000,
        budgetMs: 6000,
        rounds: 0,
        runs: 10,
        properties: 1,
        failures: 0,
      }),
    ).toContain('2.5 steps/s');
  });
});
