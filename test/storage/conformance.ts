import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Store } from '../../src/runtime/store.js';
import { StoreError } from '../../src/storage/errors.js';
import type { ChannelLease, LockOptions } from '../../src/storage/leases.js';
import type { LogStore } from '../../src/storage/log-store.js';
import { propertyConfig } from '../support/property-config.js';

/** A store under test, with what its backend can additionally do. */
export interface StoreUnderTest {
  readonly store: Store;
  /** Closes the store and opens the same database again. */
  reopen?(): Promise<Store>;
  /** Opens the same database read-only (after closing the writer). */
  readOnly?(): Promise<Store>;
  /** Damages the stored bytes of `key` behind the store's back (the store is closed first). */
  tamper?(key: string): Promise<Store>;
  /** Closes the store: later calls must fail with `STORE_CLOSED`. */
  close?(): Promise<void>;
  /** Removes everything the test created. */
  dispose(): Promise<void>;
}

/** How to make fresh, empty stores of one kind. */
export interface StoreFactory {
  readonly name: string;
  /** Refuses keys and values it cannot hold exactly (non-strings, lone surrogates) with typed errors. */
  readonly strict: boolean;
  /** Which optional members of {@link StoreUnderTest} its stores provide. */
  readonly capabilities: ReadonlyArray<
    'reopen' | 'readOnly' | 'tamper' | 'close' | 'log' | 'leases'
  >;
  create(): Promise<StoreUnderTest>;
}

type Lockable = Store & { lockChannel(key: string, options?: LockOptions): Promise<ChannelLease> };

/** Expects `promise` to reject with a {@link StoreError} of `code`. */
export async function expectStoreError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
}

const HOSTILE_KEYS = [
  '',
  ' ',
  "'; DROP TABLE snapshots; --",
  'x" OR "1"="1',
  '%',
  '_',
  '\\',
  '\\0',
  '\u0000',
  'a\u0000b',
  'a',
  'A',
  '\u00e9', // é precomposed
  'e\u0301', // é decomposed: a different key
  '\u{1F4B8}\u{1F525}',
  '\u202Eevil\u202C',
  '\uFEFFbom',
  '\n\r\t',
  '$1',
  'k'.repeat(1024),
];

function isLogStore(store: Store): store is LogStore {
  return typeof (store as Partial<LogStore>).append === 'function';
}

type Deletable = Store & { delete(key: string): Promise<void> };

function isDeletable(store: Store): store is Deletable {
  return typeof (store as Partial<Deletable>).delete === 'function';
}

function isLockable(store: Store): store is Lockable {
  return typeof (store as Partial<Lockable>).lockChannel === 'function';
}

/** Runs `body` with a fresh store and disposes of it afterwards. */
async function withStore(factory: StoreFactory, body: (s: StoreUnderTest) => Promise<void>) {
  const s = await factory.create();
  try {
    await body(s);
  } finally {
    await s.dispose();
  }
}

/**
 * The behaviour every {@link Store} must show, whatever the backend: run against a factory of
 * fresh stores. Capabilities a backend lacks (reopen, read-only, tamper) skip their tests.
 */
export function storeConformance(factory: StoreFactory): void {
  const has = (capability: StoreFactory['capabilities'][number]) =>
    factory.capabilities.includes(capability);

  describe(`Store conformance: ${factory.name}`, () => {
    test('a missing key loads as null', () =>
      withStore(factory, async ({ store }) => {
        expect(await store.load('missing')).toBeNull();
      }));

    test('round trip and overwrite', () =>
      withStore(factory, async ({ store }) => {
        await store.save('k', 'one');
        expect(await store.load('k')).toBe('one');
        await store.save('k', 'two');
        expect(await store.load('k')).toBe('two');
        await store.save('k', '');
        expect(await store.load('k')).toBe('');
      }));

    test('many keys keep their own values', () =>
      withStore(factory, async ({ store }) => {
        const keys = Array.from({ length: 300 }, (_, i) => `channel-${i}`);
        for (const key of keys) await store.save(key, `value of ${key}`);
        for (const key of keys) expect(await store.load(key)).toBe(`value of ${key}`);
      }));

    test('concurrent saves: every key written, the last save of a key wins', () =>
      withStore(factory, async ({ store }) => {
        await Promise.all([
          ...Array.from({ length: 100 }, (_, i) => store.save('same', `v${i}`)),
          ...Array.from({ length: 100 }, (_, i) => store.save(`k${i}`, `w${i}`)),
        ]);
        expect(await store.load('same')).toBe('v99');
        for (let i = 0; i < 100; i++) expect(await store.load(`k${i}`)).toBe(`w${i}`);
      }));

    test('a huge value (8 MiB, multi-byte) round-trips exactly', () =>
      withStore(factory, async ({ store }) => {
        const huge = `{"x":"${'\u00e9\u{1F4B8}abc'.repeat(1024 * 1024)}"}`;
        await store.save('huge', huge);
        expect((await store.load('huge')) === huge).toBe(true);
      }));

    test('hostile keys: SQL metacharacters, NUL, unicode, empty — each its own key', () =>
      withStore(factory, async ({ store }) => {
        for (const [i, key] of HOSTILE_KEYS.entries()) await store.save(key, `value ${i}`);
        for (const [i, key] of HOSTILE_KEYS.entries())
          expect(await store.load(key)).toBe(`value ${i}`);
        expect(await store.load('a\u0000')).toBeNull();
      }));

    test('hostile values round-trip exactly', () =>
      withStore(factory, async ({ store }) => {
        const values = [
          '\u0000',
          "'); DELETE FROM snapshots; --",
          '\\x00ff',
          '\u{10FFFF}',
          'a\r\nb',
        ];
        for (const [i, value] of values.entries()) await store.save(`v${i}`, value);
        for (const [i, value] of values.entries()) expect(await store.load(`v${i}`)).toBe(value);
      }));

    if (factory.strict)
      test('keys and values that cannot round-trip are refused, typed, and change nothing', () =>
        withStore(factory, async ({ store }) => {
          await store.save('k', 'before');
          await expectStoreError(store.save('\uD800', 'x'), 'STORE_INVALID_KEY');
          await expectStoreError(store.load('x\uDC00'), 'STORE_INVALID_KEY');
          await expectStoreError(store.save('k'.repeat(5000), 'x'), 'STORE_INVALID_KEY');
          await expectStoreError(store.save(42 as unknown as string, 'x'), 'STORE_INVALID_KEY');
          await expectStoreError(store.save('k', 'lone \uD83D'), 'STORE_INVALID_VALUE');
          await expectStoreError(store.save('k', null as unknown as string), 'STORE_INVALID_VALUE');
          expect(await store.load('k')).toBe('before');
        }));

    test('property: any sequence of saves leaves exactly the model', () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              key: fc.constantFrom('a', 'b', "c'", '\u{1F4B8}', ''),
              value: fc.string({ unit: 'grapheme', maxLength: 40 }),
              concurrent: fc.boolean(),
            }),
            { maxLength: 30 },
          ),
          (ops) =>
            withStore(factory, async ({ store }) => {
              const model = new Map<string, string>();
              let inFlight: Promise<void>[] = [];
              for (const op of ops) {
                model.set(op.key, op.value);
                inFlight.push(store.save(op.key, op.value));
                if (!op.concurrent) {
                  await Promise.all(inFlight);
                  inFlight = [];
                }
              }
              await Promise.all(inFlight);
              for (const key of ['a', 'b', "c'", '\u{1F4B8}', ''])
                expect(await store.load(key)).toBe(model.get(key) ?? null);
            }),
        ),
        propertyConfig(`store conformance ${factory.name}`, 15),
      ));

    if (has('reopen'))
      test('everything acknowledged is there after reopening', () =>
        withStore(factory, async (s) => {
          await Promise.all(Array.from({ length: 50 }, (_, i) => s.store.save(`k${i}`, `v${i}`)));
          const reopened = await s.reopen!();
          for (let i = 0; i < 50; i++) expect(await reopened.load(`k${i}`)).toBe(`v${i}`);
        }));

    if (has('readOnly'))
      test('failing writes (read-only database) are typed and change nothing', () =>
        withStore(factory, async (s) => {
          await s.store.save('k', 'before');
          const ro = await s.readOnly!();
          expect(await ro.load('k')).toBe('before');
          await expectStoreError(ro.save('k', 'after'), 'STORE_IO');
          await expectStoreError(ro.save('new', 'x'), 'STORE_IO');
          expect(await ro.load('k')).toBe('before');
          expect(await ro.load('new')).toBeNull();
        }));

    if (has('tamper'))
      test('a damaged stored value fails with STORE_CORRUPT, never as other data', () =>
        withStore(factory, async (s) => {
          await s.store.save('victim', '{"secret":"0123456789abcdef"}');
          await s.store.save('bystander', 'fine');
          const damaged = await s.tamper!('victim');
          await expectStoreError(damaged.load('victim'), 'STORE_CORRUPT');
          expect(await damaged.load('bystander')).toBe('fine');
        }));

    if (has('close'))
      test('a closed store refuses everything with STORE_CLOSED', () =>
        withStore(factory, async (s) => {
          const pending = s.store.save('k', 'written before close');
          await s.close!();
          await pending;
          await expectStoreError(s.store.save('k', 'x'), 'STORE_CLOSED');
          await expectStoreError(s.store.load('k'), 'STORE_CLOSED');
          if (isDeletable(s.store)) await expectStoreError(s.store.delete('k'), 'STORE_CLOSED');
          const reopened = await s.reopen!();
          expect(await reopened.load('k')).toBe('written before close');
        }));

    if (has('log'))
      test('append log: sequence checked, records kept, compaction absorbs them', () =>
        withStore(factory, async ({ store }) => {
          if (!isLogStore(store)) throw new Error('not a LogStore');
          expect(await store.records('ch')).toEqual([]);
          await store.append('ch', 1, 'r1');
          await store.append('ch', 2, 'r2');
          await expectStoreError(store.append('ch', 2, 'dup'), 'STORE_CONFLICT');
          await expectStoreError(store.append('ch', 4, 'gap'), 'STORE_CONFLICT');
          await expectStoreError(store.append('ch', 0, 'zero'), 'STORE_CONFLICT');
          await expectStoreError(store.append('ch', 1.5, 'frac'), 'STORE_CONFLICT');
          const [a, b] = await Promise.allSettled([
            store.append('ch', 3, 'x'),
            store.append('ch', 3, 'y'),
          ]);
          expect(a.status).toBe('fulfilled');
          expect(b.status).toBe('rejected');
          expect(await store.records('ch')).toEqual([
            { seq: 1, data: 'r1' },
            { seq: 2, data: 'r2' },
            { seq: 3, data: 'x' },
          ]);
          await expectStoreError(store.compact('ch', 'snap', 4), 'STORE_CONFLICT');
          await store.compact('ch', 'snap through 2', 2);
          expect(await store.load('ch')).toBe('snap through 2');
          expect(await store.records('ch')).toEqual([{ seq: 3, data: 'x' }]);
          await expectStoreError(store.compact('ch', 'back', 1), 'STORE_CONFLICT');
          await store.append('ch', 4, 'r4');
          await store.compact('ch', 'snap through 4', 4);
          expect(await store.records('ch')).toEqual([]);
          await store.append('ch', 5, 'r5');
          expect(await store.records('ch')).toEqual([{ seq: 5, data: 'r5' }]);
          expect(await store.records('other')).toEqual([]);
        }));

    if (has('log'))
      test('property: appends and compactions, valid or not, leave exactly the model', () =>
        fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.record({
                kind: fc.constantFrom('append', 'append', 'compact', 'save', 'delete'),
                // Offset from the valid position: 0 is valid, anything else must be refused.
                offset: fc.constantFrom(0, 0, 0, -1, 1, 2),
                back: fc.nat(4),
                text: fc.string({ maxLength: 12 }),
              }),
              { maxLength: 25 },
            ),
            (ops) =>
              withStore(factory, async ({ store }) => {
                if (!isLogStore(store)) throw new Error('not a LogStore');
                let base = 0;
                let records: { seq: number; data: string }[] = [];
                let snapshot: string | null = null;
                for (const op of ops) {
                  const head = records.length > 0 ? records[records.length - 1]!.seq : base;
                  if (op.kind === 'append') {
                    const seq = head + 1 + op.offset;
                    const outcome = await store.append('log', seq, op.text).then(
                      () => 'ok',
                      (e: StoreError) => e.code,
                    );
                    if (op.offset === 0) {
                      expect(outcome).toBe('ok');
                      records.push({ seq, data: op.text });
                    } else expect(outcome).toBe('STORE_CONFLICT');
                  } else if (op.kind === 'compact') {
                    const through =
                      op.offset === 0 ? Math.max(base, head - op.back) : head + op.offset;
                    const valid = through >= base && through <= head;
                    const outcome = await store.compact('log', op.text, through).then(
                      () => 'ok',
                      (e: StoreError) => e.code,
                    );
                    expect(outcome).toBe(valid ? 'ok' : 'STORE_CONFLICT');
                    if (valid) {
                      base = through;
                      records = records.filter((r) => r.seq > through);
                      snapshot = op.text;
                    }
                  } else if (op.kind === 'delete') {
                    if (!isDeletable(store)) continue;
                    await store.delete('log');
                    base = 0;
                    records = [];
                    snapshot = null;
                  } else {
                    await store.save('log', op.text);
                    snapshot = op.text;
                  }
                }
                expect(await store.records('log')).toEqual(records);
                expect(await store.load('log')).toBe(snapshot);
              }),
          ),
          propertyConfig(`log conformance ${factory.name}`, 15),
        ));

    test('saveAll: a group lands whole, in order (the last write of a key wins); bad input is typed and writes nothing', () =>
      withStore(factory, async ({ store }) => {
        if (!store.saveAll) throw new Error('no saveAll');
        await store.save('a', 'old a');
        await store.saveAll([
          { key: 'a', snapshot: 'new a' },
          { key: 'b', snapshot: 'first b' },
          { key: "c'; --", snapshot: 'c' },
          { key: 'b', snapshot: 'last b' },
        ]);
        expect(await store.load('a')).toBe('new a');
        expect(await store.load('b')).toBe('last b');
        expect(await store.load("c'; --")).toBe('c');
        await store.saveAll([]);
        if (factory.strict) {
          const bad: [unknown, string][] = [
            [
              [
                { key: 'a', snapshot: 'changed' },
                { key: 'x', snapshot: 42 },
              ],
              'STORE_INVALID_VALUE',
            ],
            [
              [
                { key: 'a', snapshot: 'changed' },
                { key: 7, snapshot: 'x' },
              ],
              'STORE_INVALID_KEY',
            ],
            [[{ key: 'a', snapshot: 'changed' }, null], 'STORE_INVALID_KEY'],
            ['not an array', 'STORE_INVALID_VALUE'],
          ];
          for (const [writes, code] of bad)
            await expectStoreError(store.saveAll(writes as never), code);
          expect(await store.load('a')).toBe('new a');
          expect(await store.load('x')).toBeNull();
        }
      }));

    if (has('reopen'))
      test('saveAll: groups acknowledged are there after reopening', () =>
        withStore(factory, async (s) => {
          if (!s.store.saveAll) throw new Error('no saveAll');
          await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              s.store.saveAll!([
                { key: `g${i}`, snapshot: `snapshot ${i}` },
                { key: `g${i}#h`, snapshot: `history ${i}` },
              ]),
            ),
          );
          const reopened = await s.reopen!();
          for (let i = 0; i < 20; i++) {
            expect(await reopened.load(`g${i}`)).toBe(`snapshot ${i}`);
            expect(await reopened.load(`g${i}#h`)).toBe(`history ${i}`);
          }
        }));

    if (has('log'))
      test('writeAll: members see earlier members; one refused member refuses the group and writes nothing', () =>
        withStore(factory, async ({ store }) => {
          if (!isLogStore(store) || !store.writeAll) throw new Error('no writeAll');
          await store.writeAll([
            { kind: 'append', key: 'ch', seq: 1, data: 'r1' },
            { kind: 'append', key: 'ch', seq: 2, data: 'r2' },
            { kind: 'save', key: 'ch#h', snapshot: 'h' },
          ]);
          expect(await store.records('ch')).toEqual([
            { seq: 1, data: 'r1' },
            { seq: 2, data: 'r2' },
          ]);
          // The conflict is the last member: the save and the compaction before it are undone.
          await expectStoreError(
            store.writeAll([
              { kind: 'save', key: 'ch#h', snapshot: 'changed' },
              { kind: 'compact', key: 'ch', snapshot: 'snap', throughSeq: 2 },
              { kind: 'append', key: 'ch', seq: 9, data: 'gap' },
            ]),
            'STORE_CONFLICT',
          );
          expect(await store.load('ch#h')).toBe('h');
          expect(await store.load('ch')).toBeNull();
          expect(await store.records('ch')).toHaveLength(2);
          await store.writeAll([
            { kind: 'compact', key: 'ch', snapshot: 'snap', throughSeq: 2 },
            { kind: 'append', key: 'ch', seq: 3, data: 'r3' },
          ]);
          expect(await store.load('ch')).toBe('snap');
          expect(await store.records('ch')).toEqual([{ seq: 3, data: 'r3' }]);
          await expectStoreError(
            store.writeAll([{ kind: 'rename', key: 'ch' } as never]),
            'STORE_INVALID_VALUE',
          );
          expect(await store.records('ch')).toEqual([{ seq: 3, data: 'r3' }]);
        }));

    if (has('log'))
      test('property: groups of appends, compactions and saves, valid or not, are all-or-nothing against the model', () =>
        fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.array(
                fc.record({
                  kind: fc.constantFrom('append', 'append', 'compact', 'save'),
                  key: fc.constantFrom('x', 'y'),
                  offset: fc.constantFrom(0, 0, 0, 0, 0, 1, -1),
                  back: fc.nat(3),
                  text: fc.string({ maxLength: 8 }),
                }),
                { minLength: 1, maxLength: 5 },
              ),
              { maxLength: 8 },
            ),
            (groups) =>
              withStore(factory, async ({ store }) => {
                const writeAll = isLogStore(store) ? store.writeAll?.bind(store) : undefined;
                if (!isLogStore(store) || !writeAll) throw new Error('no writeAll');
                type Model = Map<
                  string,
                  { base: number; head: number; records: string[]; snap: string | null }
                >;
                let model: Model = new Map();
                const of = (m: Model, k: string) =>
                  m.get(k) ?? { base: 0, head: 0, records: [], snap: null };
                for (const group of groups) {
                  // The model applies the group to a copy; any refused member discards the copy.
                  const next: Model = new Map(
                    [...model].map(([k, v]) => [k, { ...v, records: [...v.records] }]),
                  );
                  let valid = true;
                  const writes = group.map((op) => {
                    const state = of(next, op.key);
                    next.set(op.key, state);
                    if (op.kind === 'save') {
                      state.snap = op.text;
                      return { kind: 'save', key: op.key, snapshot: op.text } as const;
                    }
                    if (op.kind === 'append') {
                      const seq = state.head + 1 + op.offset;
                      if (op.offset !== 0) valid = false;
                      else {
                        state.head = seq;
                        state.records.push(op.text);
                      }
                      return { kind: 'append', key: op.key, seq, data: op.text } as const;
                    }
                    const through =
                      op.offset === 0 ? Math.max(state.base, state.head - op.back) : state.head + 1;
                    if (op.offset !== 0) valid = false;
                    else {
                      state.records = state.records.slice(through - state.base);
                      state.base = through;
                      state.snap = op.text;
                    }
                    return {
                      kind: 'compact',
                      key: op.key,
                      snapshot: op.text,
                      throughSeq: through,
                    } as const;
                  });
                  const outcome = await writeAll(writes).then(
                    () => 'ok',
                    (e: StoreError) => e.code,
                  );
                  expect(outcome).toBe(valid ? 'ok' : 'STORE_CONFLICT');
                  if (valid) model = next;
                }
                for (const key of ['x', 'y']) {
                  const m = of(model, key);
                  expect(await store.load(key)).toBe(m.snap);
                  expect(await store.records(key)).toEqual(
                    m.records.map((data, i) => ({ seq: m.base + 1 + i, data })),
                  );
                }
              }),
          ),
          propertyConfig(`group conformance ${factory.name}`, 15),
        ));

    test('delete: removes the snapshot and the whole log, leaves other keys, is idempotent', () =>
      withStore(factory, async (s) => {
        const { store } = s;
        if (!isDeletable(store)) return;
        await store.delete('never written');
        await store.save('gone', 'snapshot');
        await store.save('kept', 'bystander');
        if (isLogStore(store)) {
          await store.append('gone', 1, 'r1');
          await store.append('gone', 2, 'r2');
          await store.compact('gone', 'compacted', 1);
          await store.append('gone', 3, 'r3');
          await store.append('kept', 1, 'k1');
        }
        await store.delete('gone');
        expect(await store.load('gone')).toBeNull();
        expect(await store.load('kept')).toBe('bystander');
        await store.delete('gone');
        expect(await store.load('gone')).toBeNull();
        if (isLogStore(store)) {
          expect(await store.records('gone')).toEqual([]);
          expect(await store.records('kept')).toEqual([{ seq: 1, data: 'k1' }]);
          // The log starts over: position 4 would continue the deleted log, so it is refused.
          await expectStoreError(store.append('gone', 4, 'stale'), 'STORE_CONFLICT');
          await store.append('gone', 1, 'fresh');
          expect(await store.records('gone')).toEqual([{ seq: 1, data: 'fresh' }]);
        }
        for (const key of HOSTILE_KEYS) await store.save(key, 'x');
        for (const key of HOSTILE_KEYS) await store.delete(key);
        for (const key of HOSTILE_KEYS) expect(await store.load(key)).toBeNull();
        if (factory.strict) {
          await expectStoreError(store.delete('\uD800'), 'STORE_INVALID_KEY');
          await expectStoreError(store.delete(7 as unknown as string), 'STORE_INVALID_KEY');
        }
        if (s.reopen) {
          const reopened = await s.reopen();
          expect(await reopened.load('gone')).toBeNull();
          expect(await reopened.load('kept')).toBe('bystander');
          if (isLogStore(reopened))
            expect(await reopened.records('gone')).toEqual([{ seq: 1, data: 'fresh' }]);
        }
      }));

    test('delete and save of one key in flight together apply in submission order', () =>
      withStore(factory, async ({ store }) => {
        if (!isDeletable(store)) return;
        await Promise.all([store.save('a', 'v1'), store.delete('a')]);
        expect(await store.load('a')).toBeNull();
        await Promise.all([store.delete('b'), store.save('b', 'v2')]);
        expect(await store.load('b')).toBe('v2');
        await Promise.all([store.save('c', 'v1'), store.delete('c'), store.save('c', 'v3')]);
        expect(await store.load('c')).toBe('v3');
      }));

    if (has('readOnly'))
      test('a delete that fails (read-only database) is typed and removes nothing', () =>
        withStore(factory, async (s) => {
          const { store } = s;
          if (!isDeletable(store)) return;
          await store.save('k', 'before');
          if (isLogStore(store)) await store.append('k', 1, 'r1');
          const ro = await s.readOnly!();
          if (!isDeletable(ro)) throw new Error('read-only store lost delete');
          await expectStoreError(ro.delete('k'), 'STORE_IO');
          expect(await ro.load('k')).toBe('before');
          if (isLogStore(ro)) expect(await ro.records('k')).toEqual([{ seq: 1, data: 'r1' }]);
        }));

    if (has('leases'))
      test('channel leases: one holder at a time, free again after release', () =>
        withStore(factory, async ({ store }) => {
          if (!isLockable(store)) throw new Error('no lockChannel');
          const lease = await store.lockChannel('ch');
          expect(lease.held).toBe(true);
          await expectStoreError(store.lockChannel('ch'), 'STORE_LOCKED');
          await expectStoreError(store.lockChannel('ch', { waitMs: 100 }), 'STORE_LOCKED');
          const other = await store.lockChannel('other');
          await store.save('ch', 'written under the lease');
          const waiting = store.lockChannel('ch', { waitMs: 5000 });
          await lease.release();
          expect(lease.held).toBe(false);
          const next = await waiting;
          expect(next.held).toBe(true);
          await next.release();
          await other.release();
          await expectStoreError(store.lockChannel('x', { waitMs: -1 }), 'STORE_INVALID_OPTIONS');
        }));
  });
}
