import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { Hub, type HubServer, startHubServer } from '../../src/hub/index.js';
import { JournalStore } from '../../src/hub/journal-store.js';
import { requestDigest, signHex } from '../../src/hub/signing.js';
import { MemoryStore, type Store } from '../../src/runtime/store.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { DyingStore } from './dying-store.js';
import { inProcessClient } from './in-process.js';
import { propertyConfig } from '../support/property-config.js';

const JOURNAL = 'hub:journal';

/** A store whose journal saves can be held: a held save is neither stored nor resolved. */
class GatedStore implements Store {
  holding = false;
  /** Journal entries saved or held, in order. */
  readonly entries: { text: string; release: () => void; durable: boolean }[] = [];

  constructor(readonly inner = new MemoryStore()) {}

  load(key: string): Promise<string | null> {
    return this.inner.load(key);
  }

  save(key: string, snapshot: string): Promise<void> {
    if (key !== JOURNAL) return this.inner.save(key, snapshot);
    return new Promise<void>((resolve) => {
      const entry = {
        text: snapshot,
        durable: false,
        release: () => {
          entry.durable = true;
          this.inner.save(key, snapshot).then(resolve);
        },
      };
      this.entries.push(entry);
      if (!this.holding) entry.release();
    });
  }
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const until = async (check: () => boolean) => {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

describe('journal store: group commit', () => {
  it('transactions that end while an entry is written share the next entry, each resolving only once it is durable', async () => {
    const gated = new GatedStore();
    const journal = await JournalStore.open(gated);
    gated.holding = true;
    const acked: string[] = [];
    const run = (name: string, writes: Record<string, string>) => {
      journal.begin();
      for (const [k, v] of Object.entries(writes)) void journal.save(k, v);
      return journal.end().then(() => acked.push(name));
    };
    const first = run('t1', { a: '1' });
    await until(() => gated.entries.length === 1);
    const rest = [run('t2', { a: '2', b: '2' }), run('t3', { c: '3' }), run('t4', { b: '4' })];
    await turns(10);
    // One entry at a time: the later transactions wait, unanswered, and read their own writes.
    expect(gated.entries.length).toBe(1);
    expect(acked).toEqual([]);
    expect(await journal.load('a')).toBe('2');
    expect(await journal.load('b')).toBe('4');
    gated.entries[0]!.release();
    await first;
    expect(acked).toEqual(['t1']);
    await until(() => gated.entries.length === 2);
    const second = JSON.parse(gated.entries[1]!.text) as { seq: number; writes: object };
    expect(second.seq).toBe(2);
    expect(second.writes).toMatchObject({ a: '2', b: '4', c: '3' });
    await turns(10);
    expect(acked).toEqual(['t1']);
    gated.entries[1]!.release();
    await Promise.all(rest);
    expect(acked).toEqual(['t1', 't2', 't3', 't4']);
    expect(gated.entries.length).toBe(2);
  });

  it('a save outside any transaction does not wait for a transaction that begins after it', async () => {
    const journal = await JournalStore.open(new MemoryStore());
    const outside = journal.save('x', '1');
    journal.begin();
    // The open transaction waits for the outside save (as a request waits for a channel round).
    const timeout = new Promise<string>((r) => setTimeout(() => r('stuck'), 2000).unref());
    expect(await Promise.race([outside.then(() => 'durable'), timeout])).toBe('durable');
    await journal.end();
    expect(await journal.load('x')).toBe('1');
  });

  it('an entry whose save fails rejects its transactions, and its writes ride in the next entry', async () => {
    const inner = new MemoryStore();
    let failNext = true;
    const flaky: Store = {
      load: (key) => inner.load(key),
      save: (key, value) => {
        if (key === JOURNAL && failNext) {
          failNext = false;
          return Promise.reject(new Error('disk full'));
        }
        return inner.save(key, value);
      },
    };
    const journal = await JournalStore.open(flaky);
    journal.begin();
    void journal.save('a', '1');
    await expect(journal.end()).rejects.toThrow('disk full');
    // Still held in memory, and written with the next transaction.
    expect(await journal.load('a')).toBe('1');
    journal.begin();
    void journal.save('b', '2');
    await journal.end();
    await journal.settled();
    const reopened = await JournalStore.open(inner);
    expect(await reopened.load('a')).toBe('1');
    expect(await reopened.load('b')).toBe('2');
  });

  it('after a crash at any save, with transactions ending while others are written, the store holds a prefix of them, every acknowledged one included', async () => {
    const keys = ['a', 'b', 'c', 'd'];
    const transaction = fc.dictionary(fc.constantFrom(...keys), fc.string({ maxLength: 4 }), {
      minKeys: 1,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(transaction, fc.nat({ max: 3 })), { minLength: 1, maxLength: 10 }),
        fc.nat({ max: 60 }),
        async (steps, budget) => {
          const inner = new MemoryStore();
          const dying = new DyingStore(inner, budget);
          const journal = await JournalStore.open(dying);
          const acked: number[] = [];
          const latest: Record<string, string> = {};
          for (const [i, [t, pause]] of steps.entries()) {
            journal.begin();
            for (const [k, v] of Object.entries(t)) void journal.save(k, v);
            void journal.end().then(() => acked.push(i));
            Object.assign(latest, t);
            // Read your writes, durable or not.
            for (const [k, v] of Object.entries(latest)) expect(await journal.load(k)).toBe(v);
            await turns(pause);
          }
          await turns(20);
          // Answers are released in order: the acknowledged ones are a prefix.
          expect(acked).toEqual(acked.map((_, i) => i));
          const reopened = await JournalStore.open(inner);
          const state: Record<string, string | null> = {};
          for (const k of keys) state[k] = await reopened.load(k);
          const prefixes = [];
          for (let j = acked.length; j <= steps.length; j++) {
            const s: Record<string, string | null> = Object.fromEntries(keys.map((k) => [k, null]));
            for (const [t] of steps.slice(0, j)) Object.assign(s, t);
            prefixes.push(s);
          }
          expect(prefixes).toContainEqual(state);
          if (!dying.dead) expect(acked.length).toBe(steps.length);
        },
      ),
      propertyConfig('journal group commit crash', 300),
    );
  });
});

describe('hub: group commit across requests', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup.length = 0;
  });

  it('requests sent while an entry is written run, share the next entry, and are answered only once it is durable', async () => {
    const sim = new SimulatedChain();
    const gated = new GatedStore();
    const hubKey = testPrivateKey(100);
    const hub = await Hub.start({
      chain: sim,
      store: gated,
      privateKey: hubKey,
      network: 'regtest',
      chainJobMs: 3_600_000,
    });
    cleanup.push(() => hub.stop());
    await hub.fundWallet(sim.fund(hub.wallet!.outputScript, 5_000_000n), 5_000_000n);
    const server: HubServer = await startHubServer(hub);
    cleanup.push(() => server.close());
    const connections: { handle: string; key: Uint8Array }[] = [];
    for (let i = 0; i < 3; i++) {
      const key = testPrivateKey(40 + i);
      const client = await inProcessClient(sim, server, { wallet: 10 + i, key: 40 + i });
      cleanup.push(() => client.stop());
      const { handle } = await client.connect({
        asset: 'BTC',
        quantity: 100_000n,
        expireBlocks: 500,
        delayBlocks: 4,
      });
      connections.push({ handle, key });
    }
    await hub.manager.idle();
    await turns(10);
    const nonce = Date.now() + 1_000_000;
    const sync = (c: (typeof connections)[number]) => {
      const params = { handle: c.handle, messages: [] };
      const expiry = Math.floor(Date.now() / 1000) + 60;
      const signature = signHex(requestDigest(hub.id, 'hub_sync', params, nonce, expiry), c.key);
      return hub.call('hub_sync', params, { nonce, expiry, signature });
    };
    gated.holding = true;
    const before = gated.entries.length;
    const answered: string[] = [];
    const first = sync(connections[0]!).then(() => answered.push(connections[0]!.handle));
    await until(() => gated.entries.length === before + 1);
    const rest = connections.slice(1).map((c) => sync(c).then(() => answered.push(c.handle)));
    await turns(20);
    // Both ran (their connections are changed in memory) but wait for the entry in flight.
    expect(gated.entries.length).toBe(before + 1);
    expect(answered).toEqual([]);
    gated.entries[before]!.release();
    await first;
    await until(() => gated.entries.length === before + 2);
    const entry = JSON.parse(gated.entries[before + 1]!.text) as { writes: Record<string, string> };
    for (const c of connections.slice(1)) {
      const saved = JSON.parse(entry.writes[`hub:conn:${c.handle}`]!) as { nonce: number };
      expect(saved.nonce).toBe(nonce);
    }
    await turns(20);
    expect(answered).toEqual([connections[0]!.handle]);
    gated.entries[before + 1]!.release();
    await Promise.all(rest);
    expect(answered.slice(1).sort()).toEqual(
      connections
        .slice(1)
        .map((c) => c.handle)
        .sort(),
    );
    expect(gated.entries.every((e) => e.durable)).toBe(true);
    gated.holding = false;
  });
});
