import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import type { HubClient } from '../../src/hub-client/index.js';
import { DEFAULT_TERMS, Hub, type HubServer, startHubServer } from '../../src/hub/index.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { inProcessClient } from './in-process.js';

describe('hub client: the fee of the terms last seen', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup.length = 0;
  });

  it('pays a fee raised since its last status: refused once, it pays the difference and the payment goes through', async () => {
    const sim = new SimulatedChain();
    const store = new MemoryStore();
    const hubKey = testPrivateKey(100);
    const start = async (paymentFee: bigint, port?: number) => {
      const hub = await Hub.start({
        chain: sim,
        store,
        privateKey: hubKey,
        network: 'regtest',
        terms: { ...DEFAULT_TERMS, paymentFee },
        chainJobMs: 3_600_000,
      });
      const server = await startHubServer(hub, port === undefined ? {} : { port });
      return { hub, server };
    };
    let { hub, server }: { hub: Hub; server: HubServer } = await start(0n);
    await hub.fundWallet(sim.fund(hub.wallet!.outputScript, 5_000_000n), 5_000_000n);
    const clients: { client: HubClient; handle: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const client = await inProcessClient(sim, server, { wallet: 10 + i, key: 40 + i });
      cleanup.push(() => client.stop());
      const { handle } = await client.connect({
        asset: 'BTC',
        quantity: 100_000n,
        expireBlocks: 500,
        delayBlocks: 4,
      });
      clients.push({ client, handle });
    }
    for (let i = 0; i < 3; i++) {
      sim.mine(1);
      await hub.manager.idle();
      for (const c of clients) await c.client.sync();
    }
    const [alice, bob] = clients as [(typeof clients)[0], (typeof clients)[0]];
    await alice.client.pay({ from: alice.handle, to: bob.handle, amount: 1_000n });
    // The hub restarts with a fee; alice still knows the old terms.
    await server.close();
    await hub.stop();
    ({ hub, server } = await start(10n, server.port));
    cleanup.push(async () => {
      await server.close();
      await hub.stop();
    });
    await alice.client.pay({ from: alice.handle, to: bob.handle, amount: 1_000n });
    const [sent] = await alice.client.connections();
    expect(sent!.sent).toBe(2_010n);
    await bob.client.sync(bob.handle);
    const [got] = await bob.client.connections();
    expect(got!.received).toBe(2_000n);
  });
});
