import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/hub/outbox.js';
import { MAX_MESSAGES } from '../../src/hub/schemas/common.js';
import { MemoryStore, type Store } from '../../src/runtime/store.js';
import { propertyConfig } from '../support/property-config.js';

/** A view of `store` that reads and drops every save (to look without changing it). */
const readOnly = (store: Store): Store => ({
  load: (k) => store.load(k),
  save: async () => undefined,
});

describe('Outbox', () => {
  it('hands out at most one request’s worth of messages, oldest first, keeping the rest queued and saved', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox(store);
    const a = outbox.transport('a', 'payer');
    const b = outbox.transport('b', 'payee');
    for (let i = 0; i < 200; i++) await a.send(`{"a":${i}}`);
    for (let i = 0; i < 150; i++) await b.send(`{"b":${i}}`);
    // A message re-sent while the first copy is queued is not queued again.
    await a.send('{"a":0}');
    expect(outbox.pending(['a', 'b'])).toBe(350);
    // Counted through a filter: only the texts it holds for.
    expect(outbox.pending(['a', 'b'], (t) => t.startsWith('{"b"'))).toBe(150);
    expect(outbox.pending(['a'], (t) => t.startsWith('{"b"'))).toBe(0);
    const first = outbox.drain(['a', 'b']);
    expect(first).toHaveLength(MAX_MESSAGES);
    expect(first.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => `{"a":${i}}`));
    expect(first.at(-1)).toBe(`{"b":${MAX_MESSAGES - 201}}`);
    expect(outbox.pending(['a', 'b'])).toBe(350 - MAX_MESSAGES);
    // What is left survives a reload from the store.
    await new Promise((r) => setImmediate(r));
    const reloaded = new Outbox(store);
    await reloaded.reload();
    const rest = reloaded.drain(['a', 'b']);
    expect(rest).toEqual(
      Array.from({ length: 350 - MAX_MESSAGES }, (_, i) => `{"b":${MAX_MESSAGES - 200 + i}}`),
    );
    expect(reloaded.pending(['a', 'b'])).toBe(0);
    expect(reloaded.drain(['a', 'b'])).toEqual([]);
  });

  it('after any sends and drains, a reload finds every queue as it was', async () => {
    const ids = ['x-c2h', 'y-h2c', '7', '__proto__', 'z'];
    const step = fc.oneof(
      fc.record({ send: fc.constantFrom(...ids), text: fc.string({ maxLength: 6 }) }),
      fc.record({ drain: fc.subarray(ids), max: fc.nat(4) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const store = new MemoryStore();
        const outbox = new Outbox(store);
        const model = new Map<string, string[]>();
        for (const s of steps) {
          if ('send' in s) {
            await outbox.transport(s.send, 'payer').send(s.text);
            const q = model.get(s.send) ?? [];
            if (!q.includes(s.text)) q.push(s.text);
            model.set(s.send, q);
          } else {
            const got = outbox.drain(s.drain, s.max);
            // As the outbox: oldest first, channel by channel, at most max in all.
            const expected: string[] = [];
            for (const id of s.drain) {
              const q = model.get(id);
              if (!q) continue;
              expected.push(...q.splice(0, s.max - expected.length));
              if (q.length === 0) model.delete(id);
              if (expected.length >= s.max) break;
            }
            expect(got).toEqual(expected);
          }
          await new Promise((r) => setImmediate(r));
          const reloaded = new Outbox(readOnly(store));
          await reloaded.reload();
          for (const id of ids) expect(reloaded.drain([id], 1000)).toEqual(model.get(id) ?? []);
        }
      }),
      propertyConfig('hub outbox reload', 200),
    );
  });

  it('reads an outbox saved whole (the earlier layout) and rewrites it per channel', async () => {
    const store = new MemoryStore();
    await store.save('hub:outbox', JSON.stringify({ a: ['m1', 'm2'], b: ['m3'] }));
    const outbox = new Outbox(store);
    await outbox.reload();
    expect(outbox.pending(['a', 'b'])).toBe(3);
    expect(outbox.drain(['b'])).toEqual(['m3']);
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse((await store.load('hub:outbox'))!)).toEqual({ v: 2, channels: ['a'] });
    const reloaded = new Outbox(readOnly(store));
    await reloaded.reload();
    expect(reloaded.drain(['a', 'b'])).toEqual(['m1', 'm2']);
  });

  it('refuses an unreadable index or queue record', async () => {
    const store = new MemoryStore();
    await store.save('hub:outbox', JSON.stringify({ v: 2, channels: ['a'] }));
    await store.save('hub:outbox/a', 'not json');
    await expect(new Outbox(store).reload()).rejects.toMatchObject({ code: 'INTERNAL' });
    await store.save('hub:outbox', '[1]');
    await expect(new Outbox(store).reload()).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
