import { describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/hub/journal-store.js';
import { MemoryStore } from '../../src/runtime/store.js';

/** Resolves `promise`'s outcome, or 'pending' when it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([
    promise,
    new Promise<'pending'>((ok) => setTimeout(() => ok('pending'), ms)),
  ]);
}

describe('JournalStore: saves outside a transaction never wait for one', () => {
  it('a save made just before a transaction opens is durable without the transaction ending', async () => {
    // A channel stepping in the background saves (outside any request), and in the same turn a
    // request opens its transaction and then waits for that channel: the save must not wait
    // for the request, or neither ever finishes.
    const base = new MemoryStore();
    const journal = await JournalStore.open(base);
    const background = journal.save('channel', 'stepped');
    journal.begin();
    await journal.save('connection', 'held by the request');
    expect(await within(background, 1000)).toBeUndefined();
    expect(await journal.load('channel')).toBe('stepped');
    // The transaction's own write is still held until it ends.
    expect(await base.load('connection')).toBeNull();
    await journal.end();
    await journal.settled();
    expect(await base.load('connection')).toBe('held by the request');
    expect(await base.load('channel')).toBe('stepped');
  });
});
