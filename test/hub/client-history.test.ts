import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import type { HubClient } from '../../src/hub-client/index.js';
import { Hub, startHubServer } from '../../src/hub/index.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { inProcessClient } from './in-process.js';

const STATE_KEY = 'hub-client:state';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup.length = 0;
});

/** A hub on the simulated chain and clients with stores of their own, to look into. */
async function world() {
  const sim = new SimulatedChain();
  const hub = await Hub.start({
    chain: sim,
    store: new MemoryStore(),
    privateKey: testPrivateKey(100),
    network: 'regtest',
    chainJobMs: 3_600_000,
  });
  const server = await startHubServer(hub, {});
  cleanup.push(async () => {
    await server.close();
    await hub.stop();
  });
  await hub.fundWallet(sim.fund(hub.wallet!.outputScript, 5_000_000n), 5_000_000n);
  const open = async (seed: number, store: MemoryStore) => {
    const client = await inProcessClient(sim, server, { wallet: seed, key: seed + 30 }, store);
    cleanup.push(() => client.stop());
    return client;
  };
  const settle = async (clients: HubClient[]) => {
    for (let i = 0; i < 3; i++) {
      sim.mine(1);
      await hub.manager.idle();
      for (const c of clients) await c.sync();
    }
  };
  return { sim, hub, open, settle };
}

describe('hub client history: one record per payment beside a state that stays small', () => {
  it('many payments: the saved state does not grow, history lists every one, cancel, backup and restore keep it', async () => {
    const w = await world();
    const aliceStore = new MemoryStore();
    const alice = await w.open(10, aliceStore);
    const bob = await w.open(11, new MemoryStore());
    const a = (
      await alice.connect({ asset: 'BTC', quantity: 200_000n, expireBlocks: 500, delayBlocks: 4 })
    ).handle;
    const b = (
      await bob.connect({ asset: 'BTC', quantity: 200_000n, expireBlocks: 500, delayBlocks: 4 })
    ).handle;
    await w.settle([alice, bob]);
    const stateSize: number[] = [];
    for (let i = 1; i <= 24; i++) {
      await alice.pay({ from: a, to: b, amount: 1_000n, memo: `n${i}` });
      if (i % 6 === 0) {
        await bob.sync(b);
        stateSize.push((await aliceStore.load(STATE_KEY))!.length);
      }
    }
    // The state a request saves holds connections and counters, not the payments.
    expect(Math.max(...stateSize) - Math.min(...stateSize)).toBeLessThan(16);
    expect(JSON.parse((await aliceStore.load(STATE_KEY))!)).not.toHaveProperty('history');
    const sent = await alice.history();
    expect(sent.map((h) => h.memo)).toEqual(Array.from({ length: 24 }, (_, i) => `n${i + 1}`));
    expect(sent.every((h) => h.direction === 'sent' && h.amount === 1_000n)).toBe(true);
    const received = await bob.history(b);
    expect(received).toHaveLength(24);
    expect(received.every((h) => h.direction === 'received' && h.state === 'delivered')).toBe(true);
    // A payment still queued is cancelled in its own record.
    const queued = await alice.pay({ from: a, to: b, amount: 2_000n });
    await alice.cancel(queued.token);
    const last = (await alice.history()).at(-1)!;
    expect(last).toMatchObject({ token: queued.token, state: 'cancelled', amount: 2_000n });
    await expect(alice.cancel('f'.repeat(64))).rejects.toMatchObject({ code: 'UNKNOWN_HANDLE' });
    // A backup carries the history; restored into an empty store, it is all there.
    const backup = await alice.backup();
    const restoredStore = new MemoryStore();
    const restorer = await w.open(12, restoredStore);
    await restorer.restore(backup);
    await restorer.stop();
    const restored = await w.open(10, restoredStore);
    expect(await restored.history()).toEqual(await alice.history());
  });

  it('a state saved with its history inline (older versions) is moved to records when opened', async () => {
    const w = await world();
    const store = new MemoryStore();
    const entry = (n: number) => ({
      token: String(n).padStart(64, '0'),
      handle: 'a'.repeat(32),
      direction: 'sent',
      counterparty: 'b'.repeat(32),
      amount: String(n * 100),
      state: 'queued',
    });
    await store.save(
      STATE_KEY,
      JSON.stringify({
        hubPublicKey: null,
        connections: {},
        history: [entry(1), entry(2), entry(3)],
      }),
    );
    const client = await w.open(20, store);
    expect((await client.history()).map((h) => h.amount)).toEqual([100n, 200n, 300n]);
    const state = JSON.parse((await store.load(STATE_KEY))!) as Record<string, unknown>;
    expect(state).not.toHaveProperty('history');
    expect(state.historyCount).toBe(3);
  });

  it('a backup whose history is not a list is refused and changes nothing', async () => {
    const w = await world();
    const store = new MemoryStore();
    const client = await w.open(21, store);
    const before = await store.load(STATE_KEY);
    const bad = JSON.stringify({
      version: 1,
      state: { connections: {}, history: 'x' },
      snapshots: {},
    });
    await expect(client.restore(bad)).rejects.toMatchObject({ code: 'BAD_BACKUP' });
    expect(await store.load(STATE_KEY)).toBe(before);
  });
});
