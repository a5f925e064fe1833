import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/hub/outbox.js';
import { MAX_MESSAGES } from '../../src/hub/schemas/common.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { propertyConfig } from '../support/property-config.js';

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

  it('saves, after any sends and drains, the plain JSON of every queue in order', async () => {
    const channel = fc.constantFrom('x-c2h', 'y-h2c', '7', '__proto__', 'z');
    const step = fc.oneof(
      fc.record({ send: channel, text: fc.string({ maxLength: 6 }) }),
      fc.record({ drain: fc.subarray(['x-c2h', 'y-h2c', '7', '__proto__', 'z']), max: fc.nat(4) }),
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
            outbox.drain(s.drain, s.max);
            // As the outbox: oldest first, channel by channel, at most max in all.
            let taken = 0;
            for (const id of s.drain) {
              const q = model.get(id);
              if (!q) continue;
              const n = Math.min(s.max - taken, q.length);
              q.splice(0, n);
              taken += n;
              if (q.length === 0) model.delete(id);
              if (taken >= s.max) break;
            }
          }
          await new Promise((r) => setImmediate(r));
          const saved = await store.load('hub:outbox');
          if (saved !== null) expect(saved).toBe(JSON.stringify(Object.fromEntries(model)));
        }
      }),
      propertyConfig('hub outbox saved text', 200),
    );
  });
});
