import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { outputScriptAddress } from '../../src/counterparty/addresses.js';
import { SimulatedCounterpartyLedger } from '../../src/counterparty/simulated-ledger.js';
import { HubClient, HubClientError } from '../../src/hub-client/index.js';
import { DEFAULT_TERMS, Hub, type HubServer, startHubServer } from '../../src/hub/index.js';
import { HubError } from '../../src/hub/errors.js';
import { SimulatedAssetView } from '../../src/runtime/asset-view.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { testPrivateKey } from '../support/channel-harness.js';

/**
 * The hub routing a Counterparty asset over loopback HTTP: its terms per asset, asset channels
 * both ways, payments and fees in asset units, and every unit accounted for on the simulated
 * Counterparty ledger once the channels are closed (BTC only paid fees).
 */

const ASSET = 'PICOTOKEN';
const HUB_KEY = testPrivateKey(100);
const walletScript = (key: Uint8Array) => p2wpkhOutputScript(publicKeyOf(key));
const addressOf = (key: Uint8Array) => outputScriptAddress(walletScript(key), 'regtest')!;

const ASSET_TERMS = {
  ...DEFAULT_TERMS,
  depositMin: 100n,
  depositMax: 50_000n,
  paymentFee: 1n,
  liquidity: 30_000n,
};

describe('hub: asset channels', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup.length = 0;
  });

  async function world() {
    const sim = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
    const clientKeys = [testPrivateKey(11), testPrivateKey(12)];
    const ledger = new SimulatedCounterpartyLedger({
      chain: sim,
      allocations: [
        { address: addressOf(HUB_KEY), asset: ASSET, quantity: 100_000n },
        ...clientKeys.map((key) => ({ address: addressOf(key), asset: ASSET, quantity: 10_000n })),
      ],
    });
    const assets = new SimulatedAssetView(sim, ledger);
    const hub = await Hub.start({
      chain: sim,
      store: new MemoryStore(),
      privateKey: HUB_KEY,
      network: 'regtest',
      assetTerms: { [ASSET]: ASSET_TERMS },
      assets,
      chainJobMs: 3_600_000,
    });
    await hub.fundWallet(sim.fund(hub.wallet!.outputScript, 1_000_000n), 1_000_000n);
    const server: HubServer = await startHubServer(hub, {});
    cleanup.push(async () => {
      await server.close();
      await hub.stop();
    });
    const clients: HubClient[] = [];
    for (const [i, key] of clientKeys.entries()) {
      const wallet = new SingleKeyWallet(sim, key);
      wallet.addCoin(sim.fund(wallet.outputScript, 500_000n), 500_000n);
      const channelKey = testPrivateKey(40 + i);
      const client = await HubClient.open({
        url: server.url,
        chain: sim,
        store: new MemoryStore(),
        wallet,
        assets,
        keys: { nextChannelKey: async () => ({ privateKey: channelKey, path: 'm/0' }) },
        payoutScript: async () => wallet.outputScript,
      });
      cleanup.push(() => client.stop());
      clients.push(client);
    }
    const mine = async (blocks: number) => {
      for (let i = 0; i < blocks; i++) {
        sim.mine(1);
        await hub.manager.idle();
        for (const client of clients) {
          await client.sync().catch(() => undefined);
          await client.channels.idle();
        }
      }
    };
    const balances = async () => ({
      hub: await ledger.getBalance(addressOf(HUB_KEY), ASSET),
      alice: await ledger.getBalance(addressOf(clientKeys[0]!), ASSET),
      bob: await ledger.getBalance(addressOf(clientKeys[1]!), ASSET),
    });
    return { sim, hub, server, clients, mine, balances, ledger };
  }

  it('publishes terms per asset, routes asset payments both ways, and conserves the asset', async () => {
    const w = await world();
    const [alice, bob] = w.clients as [HubClient, HubClient];
    const status = await alice.status();
    expect(Object.keys(status.terms).sort()).toEqual(['BTC', ASSET]);
    expect(status.terms[ASSET]!.paymentFee).toBe(1n);
    const terms = { asset: ASSET, quantity: 1_000n, expireBlocks: 60, delayBlocks: 4 };
    const a = await alice.connect(terms);
    const b = await bob.connect(terms);
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
    expect(await w.balances()).toEqual({ hub: 100_002n, alice: 9_929n, bob: 10_069n });
  }, 120_000);

  it('refuses an asset it does not serve, a payment across assets, and liquidity it lacks', async () => {
    const w = await world();
    const [alice, bob] = w.clients as [HubClient, HubClient];
    await expect(
      alice.connect({ asset: 'XCP', quantity: 1_000n, expireBlocks: 60, delayBlocks: 4 }),
    ).rejects.toThrow(HubClientError);
    const a = await alice.connect({
      asset: ASSET,
      quantity: 1_000n,
      expireBlocks: 60,
      delayBlocks: 4,
    });
    // The asset terms cap the hub's deposits of the asset at 30,000 units.
    await expect(
      bob.connect({ asset: ASSET, quantity: 40_000n, expireBlocks: 60, delayBlocks: 4 }),
    ).rejects.toMatchObject({ hubCode: 'NO_LIQUIDITY' });
    const b = await bob.connect({
      asset: 'BTC',
      quantity: 100_000n,
      expireBlocks: 60,
      delayBlocks: 4,
    });
    await w.mine(3);
    await expect(alice.pay({ from: a.handle, to: b.handle, amount: 10n })).rejects.toMatchObject({
      hubCode: 'TERMS_VIOLATED',
    });
  }, 120_000);

  it('refuses asset terms it cannot follow', async () => {
    const sim = new SimulatedChain();
    const base = { chain: sim, privateKey: HUB_KEY, network: 'regtest' as const };
    await expect(
      Hub.start({ ...base, store: new MemoryStore(), assetTerms: { [ASSET]: ASSET_TERMS } }),
    ).rejects.toThrow(HubError);
    const ledger = new SimulatedCounterpartyLedger({ chain: sim });
    const assets = new SimulatedAssetView(sim, ledger);
    for (const name of ['BTC', 'AAAA', 'A1'])
      await expect(
        Hub.start({
          ...base,
          store: new MemoryStore(),
          assets,
          assetTerms: { [name]: ASSET_TERMS },
        }),
      ).rejects.toThrow(HubError);
  });
});
