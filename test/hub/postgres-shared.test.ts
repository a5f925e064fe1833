import { afterEach, expect, it } from 'vitest';
import type { HubClient } from '../../src/hub-client/index.js';
import { HubClientError } from '../../src/hub-client/index.js';
import { describePostgres } from '../storage/postgres-gate.js';
import { PG_URL } from '../storage/stores.js';
import { ChildWorld, freePort } from './model/child-world.js';

let world: ChildWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** Sends each request to one of the hubs, chosen by turns, so both serve every client. */
function alternating(urls: readonly string[]): typeof fetch {
  let i = 0;
  return (_input, init) => {
    const to = urls[i++ % urls.length]!;
    return fetch(to, init);
  };
}

const DEPOSIT = 100_000n;

describePostgres('two hub processes on one PostgreSQL database', () => {
  it('serve the same clients at once: no payment lost or doubled, no liquidity spent twice', async () => {
    world = await ChildWorld.create();
    const w = world;
    const pg = { url: PG_URL, schema: `hub_shared_${process.pid}_${Date.now()}` };
    // Liquidity for three connections of four: the fourth must be refused by whichever hub gets it.
    const common = { pg, shared: true, liquidity: (3n * DEPOSIT).toString(), chainJobMs: 300 };
    const a = await w.startHub({
      ...common,
      port: await freePort(),
      fund: w.fundHub(2, 400_000n),
    });
    const b = await w.startHub({ ...common, port: await freePort() });
    const fetcher = alternating([a.url, b.url]);
    const clients: HubClient[] = [];
    for (let i = 0; i < 4; i++) clients.push(await w.client(11 + i, a.url, fetcher));
    const outcomes = await Promise.allSettled(
      clients.map((c) =>
        c.connect({ asset: 'BTC', quantity: DEPOSIT, expireBlocks: 100, delayBlocks: 4 }),
      ),
    );
    const connected = outcomes.flatMap((o, i) =>
      o.status === 'fulfilled' ? [{ client: clients[i]!, handle: o.value.handle }] : [],
    );
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(connected).toHaveLength(3);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(HubClientError);
    expect((refused[0] as HubClientError).hubCode).toBe('NO_LIQUIDITY');
    for (let round = 0; round < 3; round++) {
      await w.mine(1, 150);
      await Promise.all(connected.map((c) => c.client.sync()));
    }
    // Every hub deposit confirmed: no coin of the hub wallet was spent twice.
    for (const c of connected) {
      const [status] = await c.client.connections();
      expect(status!.state).toMatch(/open/);
    }
    // Payments in a ring, all at once, each request to either hub.
    const sent = new Map<string, bigint>();
    const plan = [2_000n, 1_500n, 900n, 2_500n, 700n, 1_100n];
    await Promise.all(
      connected.map(async (from, i) => {
        const to = connected[(i + 1) % connected.length]!;
        for (const [k, amount] of plan.entries()) {
          if (k % connected.length !== i % connected.length && k > 2) continue;
          await from.client.pay({ from: from.handle, to: to.handle, amount });
          sent.set(to.handle, (sent.get(to.handle) ?? 0n) + amount);
        }
      }),
    );
    for (let round = 0; round < 3; round++)
      await Promise.all(connected.map((c) => c.client.sync()));
    for (const c of connected) {
      const [status] = await c.client.connections();
      expect(status!.received).toBe(sent.get(c.handle) ?? 0n);
    }
    for (const c of connected) await c.client.close(c.handle);
    await w.mine(30, 40);
    for (const c of connected) await c.client.sync().catch(() => undefined);
    await w.mine(80, 20);
    expect(w.total()).toBe(w.funded);
  }, 90_000);
});
