import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/hub/outbox.js';
import { MAX_MESSAGES } from '../../src/hub/schemas/common.js';
import { MemoryStore } from '../../src/runtime/store.js';

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
});
