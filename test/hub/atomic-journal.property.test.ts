import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/hub/journal-store.js';
import { MemoryStore, type Store } from '../../src/runtime/store.js';
import { AtomicDyingStore, DyingStore } from './dying-store.js';
import { propertyConfig } from '../support/property-config.js';

const KEYS = ['a', 'b', 'c', 'd'];
const transaction = fc.dictionary(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 }), {
  minKeys: 1,
});

/** The same store without `saveAll`: the journal then writes an entry, then copies. */
const singleKey = (s: MemoryStore): Store => ({
  load: (k) => s.load(k),
  save: (k, v) => s.save(k, v),
});

const layouts = [
  { name: 'entry then copies (single-key saves)', Dying: DyingStore, view: singleKey },
  {
    name: 'writes and entry in one atomic saveAll',
    Dying: AtomicDyingStore,
    view: (s: MemoryStore): Store => s,
  },
];

describe.each(layouts)(
  'journal store: a transaction of many keys is applied whole or not at all ($name)',
  ({ name, Dying, view }) => {
    it('after a crash at any save, the store holds a prefix of the transactions, every acknowledged one included', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(transaction, { minLength: 1, maxLength: 6 }),
          fc.nat({ max: 40 }),
          async (transactions, budget) => {
            const inner = new MemoryStore();
            const dying = new Dying(inner, budget);
            const journal = await JournalStore.open(dying);
            let acknowledged = 0;
            for (const t of transactions) {
              journal.begin();
              for (const [k, v] of Object.entries(t)) await journal.save(k, v);
              const done = await Promise.race([
                journal.end().then(() => true),
                dying.died.then(() => false),
              ]);
              if (!done) break;
              acknowledged++;
            }
            // Restart on what reached the store.
            const reopened = await JournalStore.open(inner);
            const state: Record<string, string | null> = {};
            for (const k of KEYS) state[k] = await reopened.load(k);
            const prefixes = [acknowledged, acknowledged + 1]
              .filter((j) => j <= transactions.length)
              .map((j) => {
                const s: Record<string, string | null> = Object.fromEntries(
                  KEYS.map((k) => [k, null]),
                );
                for (const t of transactions.slice(0, j)) Object.assign(s, t);
                return s;
              });
            expect(prefixes).toContainEqual(state);
          },
        ),
        propertyConfig(`journal store atomicity: ${name}`, 300),
      );
    });

    it('broadcasts asked for inside a transaction leave only after it is durable', async () => {
      const inner = new MemoryStore();
      const journal = await JournalStore.open(view(inner));
      const sent: string[] = [];
      await journal.attachBroadcaster(async () => {
        sent.push((await inner.load('k')) ?? 'missing');
      });
      journal.begin();
      await journal.save('k', 'v1');
      // A transaction's raw bytes: any valid serialization; here a minimal one-input one-output tx.
      const raw = Uint8Array.from(
        Buffer.from(
          '0100000001' +
            '00'.repeat(32) +
            '00000000' +
            '00' +
            'ffffffff' +
            '01' +
            '0000000000000000' +
            '00' +
            '00000000',
          'hex',
        ),
      );
      const txid = await journal.broadcast(raw, async () => 'direct');
      expect(txid).toMatch(/^[0-9a-f]{64}$/);
      expect(sent).toEqual([]);
      await journal.end();
      await journal.settled();
      expect(sent.length).toBe(1);
      expect(await journal.load('k')).toBe('v1');
    });
  },
);
