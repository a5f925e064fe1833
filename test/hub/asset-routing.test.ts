import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { SimulatedCounterpartyLedger } from '../../src/counterparty/simulated-ledger.js';
import { type HubClient, HubClientError } from '../../src/hub-client/index.js';
import { Hub } from '../../src/hub/index.js';
import { HubError } from '../../src/hub/errors.js';
import { SimulatedAssetView } from '../../src/runtime/asset-view.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { AssetHubWorld, HUB_ASSET, HUB_ASSET_TERMS } from './asset-world.js';

/**
 * The hub routing a Counterparty asset over loopback HTTP: its terms per asset, asset channels
 * both ways, payments and fees in asset units, and every unit accounted for on the simulated
 * Counterparty ledger once the channels are closed (BTC only paid fees).
 */

const ASSET = HUB_ASSET;
const TERMS = { asset: ASSET, quantity: 1_000n, expireBlocks: 60, delayBlocks: 4 };

let world: AssetHubWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

describe('hub: asset channels', () => {
  it('publishes terms per asset, routes asset payments both ways, and conserves the asset', async () => {
    world = await AssetHubWorld.create();
    const w = world;
    const [alice, bob] = w.clients as [HubClient, HubClient];
    const status = await alice.status();
    expect(Object.keys(status.terms).sort()).toEqual(['BTC', ASSET]);
    expect(status.terms[ASSET]!.paymentFee).toBe(1n);
    const a = await alice.connect(TERMS);
    const b = await bob.connect(TERMS);
    await w.mine(3);
    const [ac] = await alice.connections();
    expect(ac!.state).toMatch(/open/);
    await alice.pay({ from: a.handle, to: b.handle, amount: 100n });
    const [got] = await bob.sync(b.handle);
    expect(got!.received.map((r) => r.amount)).toEqual([100n]);
    await bob.pay({ from: b.handle, to: a.handle, amount: 30n });
    const [back] = await alice.sync(a.handle);
    expect(back!.received.map((r) => r.amount)).toEqual([30n]);
    await alice.close(a.handle);
    await bob.close(b.handle);
    await w.mine(80);
    // Alice paid 100 and a fee of 1, and received 30; Bob paid 30 and a fee of 1, and received 100.
    expect(await w.balances()).toEqual({ hub: 100_002n, clients: [9_929n, 10_069n] });
  }, 120_000);

  it('refuses an asset it does not serve, a payment across assets, and liquidity it lacks', async () => {
    world = await AssetHubWorld.create();
    const w = world;
    const [alice, bob] = w.clients as [HubClient, HubClient];
    await expect(alice.connect({ ...TERMS, asset: 'XCP' })).rejects.toThrow(HubClientError);
    const a = await alice.connect(TERMS);
    // The asset terms cap the hub's deposits of the asset at 30,000 units.
    await expect(bob.connect({ ...TERMS, quantity: 40_000n })).rejects.toMatchObject({
      hubCode: 'NO_LIQUIDITY',
    });
    const b = await bob.connect({ ...TERMS, asset: 'BTC', quantity: 100_000n });
    await w.mine(3);
    await expect(alice.pay({ from: a.handle, to: b.handle, amount: 10n })).rejects.toMatchObject({
      hubCode: 'TERMS_VIOLATED',
    });
  }, 120_000);

  it('refuses asset terms it cannot follow', async () => {
    const sim = new SimulatedChain();
    const base = { chain: sim, privateKey: testPrivateKey(100), network: 'regtest' as const };
    await expect(
      Hub.start({ ...base, store: new MemoryStore(), assetTerms: { [ASSET]: HUB_ASSET_TERMS } }),
    ).rejects.toThrow(HubError);
    const assets = new SimulatedAssetView(sim, new SimulatedCounterpartyLedger({ chain: sim }));
    for (const name of ['BTC', 'AAAA', 'A1'])
      await expect(
        Hub.start({
          ...base,
          store: new MemoryStore(),
          assets,
          assetTerms: { [name]: HUB_ASSET_TERMS },
        }),
      ).rejects.toThrow(HubError);
  });
});
