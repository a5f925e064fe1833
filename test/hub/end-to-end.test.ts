import { afterEach, describe, expect, it } from 'vitest';
import { HubWorld } from './harness.js';

let world: HubWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

describe('hub over HTTP with a simnet', () => {
  it('routes payments both ways between two clients, closes, and every satoshi is accounted for', async () => {
    world = await HubWorld.create();
    const w = world;
    const alice = await w.client(1);
    const bob = await w.client(2);
    const status = await alice.status();
    expect(status.hubPublicKey).toBe(w.hub.id);
    expect(Object.keys(status).sort()).toEqual([
      'height',
      'hubId',
      'hubPublicKey',
      'network',
      'terms',
    ]);
    const a = await alice.connect({
      asset: 'BTC',
      quantity: 200_000n,
      expireBlocks: 100,
      delayBlocks: 4,
    });
    const b = await bob.connect({
      asset: 'BTC',
      quantity: 200_000n,
      expireBlocks: 100,
      delayBlocks: 4,
    });
    await w.mine(1);
    await alice.sync();
    await bob.sync();
    await w.mine(1);
    await alice.sync();
    await bob.sync();
    const receipt = await alice.pay({
      from: a.handle,
      to: b.handle,
      amount: 10_000n,
      memo: 'coffee',
    });
    expect(receipt.token).toMatch(/^[0-9a-f]{64}$/);
    const [got] = await bob.sync(b.handle);
    expect(got!.received.map((r) => r.amount)).toEqual([10_000n]);
    await bob.pay({ from: b.handle, to: a.handle, amount: 3_000n });
    await bob.pay({ from: b.handle, to: a.handle, amount: 1_000n });
    const [back] = await alice.sync(a.handle);
    expect(back!.received.map((r) => r.amount)).toEqual([3_000n, 1_000n]);
    const [ac] = await alice.connections();
    const [bc] = await bob.connections();
    expect(ac!.sent).toBe(10_000n);
    expect(ac!.received).toBe(4_000n);
    expect(bc!.sent).toBe(4_000n);
    expect(bc!.received).toBe(10_000n);
    await alice.close(a.handle);
    await bob.close(b.handle);
    await w.mine(40);
    expect(w.total()).toBe(w.funded);
    // Each client ends with what it was funded with, less and plus what it sent and received, minus fees.
    const aliceBalance = w.sim.balanceOf(w.scripts[1]!);
    expect(aliceBalance).toBeLessThan(1_000_000n - 6_000n);
    expect(aliceBalance).toBeGreaterThan(1_000_000n - 6_000n - 10_000n);
  }, 60_000);

  it('the hub wallet keeps its change across a restart and funds the next connection from it', async () => {
    world = await HubWorld.create();
    const w = world;
    const alice = await w.client(1);
    await alice.connect({ asset: 'BTC', quantity: 200_000n, expireBlocks: 100, delayBlocks: 4 });
    await w.mine(1);
    await alice.sync();
    const before = w.hubWallet.balance();
    // Four coins of 2,000,000 less one deposit and its fee: the change came back.
    expect(before).toBeLessThan(8_000_000n - 200_000n);
    expect(before).toBeGreaterThan(8_000_000n - 210_000n);
    await w.stopHub();
    await w.startHub();
    expect(w.hubWallet.balance()).toBe(before);
    const bob = await w.client(2);
    const b = await bob.connect({
      asset: 'BTC',
      quantity: 200_000n,
      expireBlocks: 100,
      delayBlocks: 4,
    });
    await w.mine(1);
    await bob.sync();
    await w.mine(1);
    await bob.sync();
    const [status] = await bob.connections();
    expect(status!.handle).toBe(b.handle);
    expect(status!.state).toMatch(/open/);
    expect(w.hubWallet.balance()).toBeLessThan(before - 200_000n);
    // Every coin the wallet believes unspent is unspent on the chain: nothing spent twice.
    expect(w.sim.balanceOf(w.hubWallet.outputScript)).toBe(w.hubWallet.balance());
  }, 60_000);
});
