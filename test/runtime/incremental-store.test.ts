import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { IncrementalStore } from '../../src/runtime/incremental-store.js';
import { type Json, JsonDeltaError, applyDelta, diffJson } from '../../src/runtime/json-delta.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { StoreError } from '../../src/storage/errors.js';
import type { LogStore, LogWrite } from '../../src/storage/log-store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { propertyConfig } from '../support/property-config.js';

const CONFIG = propertyConfig('incremental store', 60);
const dir = mkdtempSync(join(tmpdir(), 'incremental-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (max: number) =>
  fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b).toString('hex'));

/** Snapshot-like values: a few scalars, a window of records that shifts, nested objects. */
const record = fc.record({
  amount: fc.bigInt({ min: 0n, max: 10n ** 12n }).map(String),
  hash: hex(20),
  secret: fc.option(hex(8)),
});
const snapshotLike = fc.record({
  height: fc.nat(1000),
  state: fc.constantFrom('open', 'closing', { settling: 'waiting' }),
  window: fc.array(record, { maxLength: 5 }),
  extra: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
});
const anyJson = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;

/** Steps of a writer: save a value, crash (its cache is gone; a new one takes over), or a failing write. */
const steps = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: snapshotLike.map((value) => ({ kind: 'save' as const, value })) },
    { weight: 2, arbitrary: anyJson.map((value) => ({ kind: 'save' as const, value })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'fail' as const }) },
  ),
  { maxLength: 40 },
);

/** A log store whose next write fails when armed: the write does not happen. */
class FailingLog implements LogStore {
  failNext = false;
  constructor(readonly inner: LogStore) {}
  load(key: string) {
    return this.inner.load(key);
  }
  records(key: string) {
    return this.inner.records(key);
  }
  private check(): void {
    if (!this.failNext) return;
    this.failNext = false;
    throw new StoreError('STORE_IO', 'injected: disk full');
  }
  async save(key: string, text: string) {
    this.check();
    return this.inner.save(key, text);
  }
  async append(key: string, seq: number, data: string) {
    this.check();
    return this.inner.append(key, seq, data);
  }
  async compact(key: string, text: string, through: number) {
    this.check();
    return this.inner.compact(key, text, through);
  }
  async writeAll(writes: readonly LogWrite[]) {
    this.check();
    return this.inner.writeAll!(writes);
  }
}

/** Steps of a writer of groups: save some of three keys at once (one written whole), crash, fail. */
const groupSteps = fc.array(
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .uniqueArray(fc.constantFrom('a', 'b', 'a#history'), { minLength: 1, maxLength: 3 })
        .chain((keys) =>
          fc.tuple(...keys.map((key) => snapshotLike.map((value) => ({ key, value })))),
        )
        .map((writes) => ({ kind: 'group' as const, writes })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'fail' as const }) },
  ),
  { maxLength: 30 },
);

describe('JSON deltas', () => {
  test('applying the delta from a to b gives exactly b, member order included', () => {
    fc.assert(
      fc.property(fc.oneof(snapshotLike, anyJson), fc.oneof(snapshotLike, anyJson), (a, b) => {
        const delta = diffJson(a, b);
        const result = delta === null ? a : applyDelta(a, delta);
        expect(JSON.stringify(result)).toBe(JSON.stringify(b));
      }),
      CONFIG,
    );
  });

  test('a window that moves by one is a delta of the new element only', () => {
    for (const bad of [{ s: [] }, { s: [1, 2, 3] }, { s: 'x' }])
      expect(() => applyDelta([1, 2], bad as never), JSON.stringify(bad)).toThrow(JsonDeltaError);
    expect(applyDelta([1, 2], { s: [3] })).toEqual([2, 3]);
    const big = (n: number) => ({ n, tx: String(n).repeat(600) });
    const from = { height: 1, window: [big(1), big(2), big(3), big(4)] };
    const to = { height: 2, window: [big(2), big(3), big(4), big(5)] };
    const delta = diffJson(from, to)!;
    expect(delta).toEqual({ n: [0, 2, 1, { s: [big(5)] }] });
    expect(applyDelta(from, delta)).toEqual(to);
    // The named form of older logs applies the same.
    expect(applyDelta(from, { o: { height: 2, window: { a: [1, {}, [big(5)]] } } })).toEqual(to);
  });

  test('inside changes, a non-object value replaces; the long form of older logs applies the same', () => {
    const from: Json = { n: 1, h: 'a', list: [1, { x: 1 }], gone: 'y', obj: { k: 1 } };
    const to: Json = { n: 2, h: null, list: [[3], { x: 2 }], gone: false, obj: { j: 2 } };
    const delta = diffJson(from, to)!;
    expect(delta).toEqual({
      n: [0, 2, 1, null, 2, [[3], { x: 2 }], 3, false, 4, { '=': { j: 2 } }],
    });
    expect(applyDelta(from, delta)).toEqual(to);
    expect(
      applyDelta(from, { o: { list: { a: [0, { 0: [3], 1: { o: { x: 2 } } }, []] } } }),
    ).toEqual({ ...from, list: [[3], { x: 2 }] });
    const long = {
      o: {
        n: { '=': 2 },
        h: { '=': null },
        list: { a: [0, { 0: { '=': [3] }, 1: { o: { x: { '=': 2 } } } }, []] },
        gone: { '=': false },
        obj: { '=': { j: 2 } },
      },
    };
    expect(applyDelta(from, long as never)).toEqual(to);
  });

  test('a change deep in single members is one path: names with a dot are not merged', () => {
    const from: Json = { machine: { context: { n: 1, m: [1] }, value: 'open' }, v: 3 };
    const to: Json = { machine: { context: { n: 2, m: [1, 2] }, value: 'open' }, v: 3 };
    const delta = diffJson(from, to)!;
    expect(delta).toEqual({ p: [0, 0], n: [0, 2, 1, [1, 2]] });
    expect(applyDelta(from, delta)).toEqual(to);
    expect(applyDelta(from, { p: 'machine.context', o: { n: 2, m: [1, 2] } })).toEqual(to);
    // Named paths of older logs: names with a dot were never merged.
    const dotted: Json = { 'a.b': { c: { d: 1, e: 1 } } };
    const changed = diffJson(dotted, { 'a.b': { c: { d: 2, e: 1 } } })!;
    expect(changed).toEqual({ p: [0, 0], n: [0, 2] });
    expect(applyDelta(dotted, changed)).toEqual({ 'a.b': { c: { d: 2, e: 1 } } });
    expect(applyDelta(dotted, { o: { 'a.b': { p: 'c', o: { d: 2 } } } })).toEqual({
      'a.b': { c: { d: 2, e: 1 } },
    });
    for (const bad of [
      { p: 'machine.nothing', o: { n: 1 } },
      { p: '', o: {} },
      { p: 7, o: {} },
      { p: 'machine', '=': 1 },
      { p: 'machine' },
      { p: 'v', o: { x: 1 } },
      { p: [], n: [] },
      { p: [0, 5], n: [0, 1] },
      { p: [0, -1], n: [0, 1] },
      { p: [0, '0'], n: [0, 1] },
      { p: [0], p2: 1 },
      { p: [0, 0], n: [1, 1, 0, 1] },
      { p: [0, 0], n: [0, 1, 0, 1] },
      { p: [0, 0], n: [0] },
      { p: [0, 0], n: [9, 1] },
      { p: [0, 0], n: { 0: 1 } },
      { n: [2, 1] },
    ])
      expect(() => applyDelta(from, bad as never), JSON.stringify(bad)).toThrow(JsonDeltaError);
  });

  test('long strings a new value shares with the old one are copies; `^` strings come back (property)', () => {
    const shared = fc.string({ minLength: 20, maxLength: 60 });
    const pair = fc
      .tuple(
        fc.array(shared, { minLength: 1, maxLength: 6 }),
        fc.array(fc.string(), { maxLength: 4 }),
      )
      .chain(([pool, other]) => {
        const text = fc.oneof(
          fc.constantFrom(...pool),
          fc.constantFrom(...pool).map((t) => `^${t}`),
          fc.string().map((t) => `^${t}`),
          ...(other.length > 0 ? [fc.constantFrom(...other)] : []),
        );
        const value = fc.record({
          machine: fc.record({
            context: fc.record({
              a: text,
              list: fc.array(fc.array(text), { maxLength: 4 }),
              n: fc.nat(),
            }),
          }),
        });
        return fc.tuple(value, value);
      });
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const delta = diffJson(a as Json, b as Json);
        const result = delta === null ? a : applyDelta(a as Json, delta);
        expect(JSON.stringify(result)).toBe(JSON.stringify(b));
      }),
      CONFIG,
    );
  });

  test('a revoke hash that moves into a new commit is a copy of where it was', () => {
    const hash = 'ab'.repeat(20);
    const before = 'cd'.repeat(20);
    const from: Json = { machine: { context: { next: hash, commits: [{ h: before }] } } };
    const to: Json = {
      machine: { context: { next: null, commits: [{ h: before }, { h: hash, b: before }] } },
    };
    const delta = diffJson(from, to)!;
    expect(delta).toEqual({
      P: [0, 0],
      n: [0, null, 1, { a: [0, {}, [{ h: '^0', b: '^1.0.0' }]] }],
    });
    expect(applyDelta(from, delta)).toEqual(to);
    // A new string that starts with `^` is escaped in a copying delta, literal in any other.
    const caret: Json = { machine: { context: { next: '^0', commits: [{ h: hash }] } } };
    const escaped = diffJson(to, caret)!;
    expect(JSON.stringify(escaped)).toContain('"^^0"');
    expect(applyDelta(to, escaped)).toEqual(caret);
    expect(applyDelta(from, { p: [0, 0], n: [0, '^1.0.0'] })).toEqual({
      machine: { context: { next: '^1.0.0', commits: [{ h: before }] } },
    });
    for (const bad of [
      { P: 'x', n: [0, 1] },
      { P: [0, 0], n: [0, '^9'] },
      { P: [0, 0], n: [0, '^1'] },
      { P: [0, 0], n: [0, '^1.0.5'] },
      { P: [0, 0], n: [0, '^a'] },
      { P: [0, 0], p: [0], n: [0, 1] },
      { P: [0, 0], '=': 1 },
      { P: [0, 0], n: [1, { P: [], n: [0, 1] }] },
    ])
      expect(() => applyDelta(from, bad as never), JSON.stringify(bad)).toThrow(JsonDeltaError);
  });

  test('a delta that does not fit the value is refused, the value untouched', () => {
    const value: Json = { a: [1, 2], b: 'x' };
    const copy = structuredClone(value);
    for (const delta of [
      { o: { missing: { '=': 1 } } },
      { o: { a: { a: [3, {}, []] } } },
      { o: { a: { a: [0, { '5': { '=': 1 } }, []] } } },
      { o: { a: { a: [0, { '-1': { '=': 1 } }, []] } } },
      { o: { b: { o: {} } } },
      { a: [0, {}, []] },
      { x: 1 },
      null,
      [],
    ])
      expect(() => applyDelta(value, delta as never), JSON.stringify(delta)).toThrow();
    expect(value).toEqual(copy);
  });
});

describe('IncrementalStore', () => {
  const backends: [string, () => Promise<LogStore>][] = [
    ['memory', async () => new MemoryStore()],
    ['sqlite', async () => SqliteStore.open(join(dir, `p-${Math.random()}.db`))],
  ];
  for (const [name, open] of backends) {
    test(`${name}: loads what was saved last, through crashes, failed writes and compactions`, async () => {
      await fc.assert(
        fc.asyncProperty(steps, fc.integer({ min: 1, max: 6 }), async (run, compactEvery) => {
          const log = new FailingLog(await open());
          let store = new IncrementalStore(log, { compactEvery });
          let expected: string | null = null;
          for (const step of run) {
            if (step.kind === 'crash') store = new IncrementalStore(log, { compactEvery });
            else if (step.kind === 'fail') log.failNext = true;
            else {
              try {
                await store.save('k', JSON.stringify(step.value));
                expected = JSON.stringify(step.value);
              } catch (error) {
                expect((error as StoreError).code).toBe('STORE_IO');
              }
              log.failNext = false;
            }
            expect(await store.load('k')).toBe(expected);
            expect(await new IncrementalStore(log).load('k')).toBe(expected);
            expect((await log.records('k')).length).toBeLessThanOrEqual(compactEvery);
          }
          await (log.inner as { close?: () => Promise<void> }).close?.();
        }),
        { ...CONFIG, numRuns: name === 'sqlite' ? 15 : 60 },
      );
    });
  }

  for (const [name, open] of backends) {
    test(`${name}: saveAll lands a group whole or not at all, through crashes, failed writes and compactions`, async () => {
      await fc.assert(
        fc.asyncProperty(groupSteps, fc.integer({ min: 1, max: 4 }), async (run, compactEvery) => {
          const log = new FailingLog(await open());
          let store = new IncrementalStore(log, { compactEvery });
          const expected = new Map<string, string>();
          let groups = 0;
          for (const step of run) {
            if (step.kind === 'crash') store = new IncrementalStore(log, { compactEvery });
            else if (step.kind === 'fail') log.failNext = true;
            else {
              const writes = step.writes.map((w) => ({
                key: w.key,
                snapshot: JSON.stringify(w.value),
              }));
              try {
                await store.saveAll(writes);
                for (const w of writes) expected.set(w.key, w.snapshot);
                groups++;
              } catch (error) {
                expect((error as StoreError).code).toBe('STORE_IO');
              }
              log.failNext = false;
            }
            const fresh = new IncrementalStore(log);
            for (const key of ['a', 'b', 'a#history']) {
              expect(await store.load(key)).toBe(expected.get(key) ?? null);
              expect(await fresh.load(key)).toBe(expected.get(key) ?? null);
            }
            expect((await log.records('a')).length).toBeLessThanOrEqual(compactEvery);
          }
          // A key's first write compacts (its whole value); later ones may be deltas.
          if (expected.has('a')) expect(await log.load('a')).not.toBeNull();
          if (groups === 0) expect(await log.load('a')).toBeNull();
          await (log.inner as { close?: () => Promise<void> }).close?.();
        }),
        { ...CONFIG, numRuns: name === 'sqlite' ? 15 : 60 },
      );
    });
  }

  test('saveAll over a log store without writeAll saves one key after another', async () => {
    const inner = new MemoryStore();
    const log: LogStore = {
      load: (k) => inner.load(k),
      save: (k, v) => inner.save(k, v),
      append: (k, s, d) => inner.append(k, s, d),
      records: (k) => inner.records(k),
      compact: (k, v, t) => inner.compact(k, v, t),
    };
    const store = new IncrementalStore(log);
    await store.saveAll([
      { key: 'a', snapshot: '{"n":1}' },
      { key: 'a#h', snapshot: 'not json, written whole' },
    ]);
    expect(await store.load('a')).toBe('{"n":1}');
    expect(await store.load('a#h')).toBe('not json, written whole');
    await expect(store.saveAll([{ key: 'b', snapshot: 'not json' }])).rejects.toMatchObject({
      code: 'STORE_INVALID_VALUE',
    });
    await expect(store.saveAll('x' as never)).rejects.toMatchObject({
      code: 'STORE_INVALID_VALUE',
    });
    expect(await store.load('b')).toBeNull();
  });

  test('a payment-like step appends a few hundred bytes, not the whole value', async () => {
    const log = new MemoryStore();
    const store = new IncrementalStore(log, { compactEvery: 64 });
    const commit = (n: number) => ({ amount: String(n * 1000), rawTx: `${n}`.padEnd(700, 'f') });
    let value = { counter: 0, commits: [1, 2, 3, 4].map(commit), padding: 'e'.repeat(6000) };
    await store.save('c', JSON.stringify(value));
    for (let n = 5; n < 20; n++) {
      value = { ...value, counter: n, commits: [...value.commits.slice(1), commit(n)] };
      await store.save('c', JSON.stringify(value));
    }
    const records = await log.records('c');
    expect(records.length).toBe(15);
    for (const r of records) expect(r.data.length).toBeLessThan(800);
    expect(await store.load('c')).toBe(JSON.stringify(value));
  });

  test('a compaction is a delta from a base written once; a new base only when the value moves far', async () => {
    const log = new MemoryStore();
    const store = new IncrementalStore(log, { compactEvery: 4 });
    const constants = 'c'.repeat(3000);
    let value: Json = { constants, n: 0, window: [] as Json[] };
    const bases = () => [
      ...new Set(compactions.map((c) => JSON.parse(c).base).filter((b) => b !== undefined)),
    ];
    const compactions: string[] = [];
    const compact = log.compact.bind(log);
    log.compact = async (k, text, through) => {
      compactions.push(text);
      return compact(k, text, through);
    };
    for (let n = 1; n <= 40; n++) {
      value = { constants, n, window: [`${n}`.repeat(20)] };
      await store.save('k', JSON.stringify(value));
      expect(await new IncrementalStore(log).load('k')).toBe(JSON.stringify(value));
    }
    // The first save is whole; every later compaction is small, against the one base.
    expect(JSON.parse(compactions[0]!).format).toBe('picopayments/incremental/v1');
    const later = compactions.slice(1);
    expect(later.length).toBeGreaterThan(5);
    for (const text of later) {
      expect(JSON.parse(text).format).toBe('picopayments/incremental/v2');
      expect(text.length).toBeLessThan(300);
    }
    expect(bases()).toHaveLength(1);
    const base = bases()[0] as string;
    expect(base).toMatch(/^k#~base\/[A-Za-z0-9_-]{20}$/);
    expect(JSON.parse((await log.load(base))!).value.constants).toBe(constants);
    // A value far from the base gets a new one, in the same group as its compaction.
    for (let n = 41; n <= 48; n++) {
      value = { constants: 'd'.repeat(3000), n, window: [] };
      await store.save('k', JSON.stringify(value));
    }
    expect(bases().length).toBe(2);
    expect(await new IncrementalStore(log).load('k')).toBe(JSON.stringify(value));
    // Delete removes the key, its log and its base.
    const current = JSON.parse((await log.load('k'))!).base as string;
    await store.delete('k');
    expect(await log.load(current)).toBeNull();
    expect(await new IncrementalStore(log).load('k')).toBeNull();
  });

  test('a value compacted whole before is read, and compacts against a base next time', async () => {
    const log = new MemoryStore();
    await log.compact(
      'k',
      JSON.stringify({ format: 'picopayments/incremental/v1', through: 0, value: { a: 1 } }),
      0,
    );
    await log.append('k', 1, JSON.stringify({ o: { a: 2 } }));
    const store = new IncrementalStore(log, { compactEvery: 1 });
    expect(await store.load('k')).toBe('{"a":2}');
    await store.save('k', '{"a":3}');
    expect(JSON.parse((await log.load('k'))!).format).toBe('picopayments/incremental/v2');
    expect(await new IncrementalStore(log).load('k')).toBe('{"a":3}');
  });

  test('a missing, altered or foreign base is STORE_CORRUPT, never a wrong value', async () => {
    const log = new MemoryStore();
    const store = new IncrementalStore(log, { compactEvery: 1 });
    for (const n of [1, 2, 3]) await store.save('k', JSON.stringify({ n, pad: 'x'.repeat(100) }));
    const envelope = JSON.parse((await log.load('k'))!);
    const baseText = (await log.load(envelope.base))!;
    const cases: [string, (m: MemoryStore) => Promise<void>][] = [
      ['missing', async (m) => m.delete(envelope.base)],
      ['altered', async (m) => m.save(envelope.base, baseText.replace('xxx', 'xxy'))],
      [
        'foreign',
        async (m) => {
          await m.save('other#~base/AAAAAAAAAAAAAAAAAAAA', baseText);
          await m.compact(
            'k',
            JSON.stringify({ ...envelope, base: 'other#~base/AAAAAAAAAAAAAAAAAAAA' }),
            0,
          );
        },
      ],
      [
        'no delta',
        async (m) => m.compact('k', JSON.stringify({ ...envelope, delta: undefined }), 0),
      ],
    ];
    for (const [name, damage] of cases) {
      const damaged = new MemoryStore();
      await damaged.save(envelope.base, baseText);
      await damaged.compact('k', (await log.load('k'))!, 0);
      await damage(damaged);
      await expect(new IncrementalStore(damaged).load('k'), name).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
      });
    }
  });

  test('a record is an array of its path and changes, the path 0 (or 1, copying) when it is the one before', async () => {
    const log = new MemoryStore();
    const store = new IncrementalStore(log, { compactEvery: 3 });
    const hash = (n: number) => String(n).padStart(40, 'a');
    // Every other step moves a long string into another field: a copying record.
    const value = (n: number) => ({
      machine: {
        context: { n, next: hash(n), last: n % 2 === 0 ? hash(n - 1) : 'x', pad: 'x'.repeat(300) },
      },
    });
    let copying = 0;
    for (let n = 0; n < 12; n++) {
      await store.save('k', JSON.stringify(value(n)));
      expect(await new IncrementalStore(log).load('k')).toBe(JSON.stringify(value(n)));
      const records = (await log.records('k')).map((r) => JSON.parse(r.data));
      records.forEach((r, i) => {
        expect(Array.isArray(r)).toBe(true);
        const copies = JSON.stringify(r).includes('"^');
        if (copies) copying++;
        if (i === 0) expect(r[0]).toEqual(copies ? { P: [0, 0] } : [0, 0]);
        else expect(r[0]).toBe(copies ? 1 : 0);
      });
    }
    expect(copying).toBeGreaterThan(0);
  });

  test('two writers of one key: the second one conflicts, reads again, and wins', async () => {
    const log = new MemoryStore();
    const a = new IncrementalStore(log);
    const b = new IncrementalStore(log);
    await a.save('k', JSON.stringify({ v: 1, w: [1] }));
    await b.save('k', JSON.stringify({ v: 2, w: [1] }));
    await a.save('k', JSON.stringify({ v: 3, w: [1, 2] }));
    expect(await b.load('k')).toBe(JSON.stringify({ v: 3, w: [1, 2] }));
  });

  test('bad input: non-JSON values and bad options are typed errors and write nothing', async () => {
    const log = new MemoryStore();
    const store = new IncrementalStore(log);
    for (const text of ['{', '', 'undefined', '{"a":1}x'])
      await expect(store.save('k', text)).rejects.toMatchObject({ code: 'STORE_INVALID_VALUE' });
    await expect(store.save('k', 42 as never)).rejects.toMatchObject({
      code: 'STORE_INVALID_VALUE',
    });
    expect(await log.load('k')).toBeNull();
    for (const compactEvery of [0, -1, 1.5, Number.NaN])
      expect(() => new IncrementalStore(log, { compactEvery })).toThrow(
        expect.objectContaining({ code: 'STORE_INVALID_OPTIONS' }),
      );
  });

  test('a damaged log is STORE_CORRUPT on load, never a wrong value', async () => {
    const log = new MemoryStore();
    const store = new IncrementalStore(log);
    await store.save('k', JSON.stringify({ a: 1, b: [1, 2] }));
    await store.save('k', JSON.stringify({ a: 2, b: [1, 2] }));
    for (const data of [
      '{',
      '{"o":{"zz":{"=":1}}}',
      '{"a":[9,{},[]]}',
      '"x"',
      '{"p":0,"n":[0,1]}',
      '[0,0,1]',
      '[1,0,1]',
      '["x",0,1]',
      '[{"P":5},0,1]',
    ]) {
      const damaged = new MemoryStore();
      await damaged.compact('k', (await log.load('k'))!, 0);
      await damaged.append('k', 1, data);
      await expect(new IncrementalStore(damaged).load('k')).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
      });
    }
    const envelope = new MemoryStore();
    await envelope.save('k', '{"format":"picopayments/incremental/v1","through":-3,"value":1}');
    await expect(new IncrementalStore(envelope).load('k')).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
  });

  test('history keys are written whole; delete removes a key and its log', async () => {
    const log = new MemoryStore();
    const store = new IncrementalStore(log);
    await store.save('chan#c/ab', 'record text, not JSON');
    expect(await log.load('chan#c/ab')).toBe('record text, not JSON');
    await store.save('chan', JSON.stringify({ a: 1 }));
    await store.save('chan', JSON.stringify({ a: 2 }));
    await store.delete('chan');
    expect(await store.load('chan')).toBeNull();
    expect(await log.records('chan')).toEqual([]);
    await store.save('chan', JSON.stringify({ a: 3 }));
    expect(await new IncrementalStore(log).load('chan')).toBe('{"a":3}');
  });
});
