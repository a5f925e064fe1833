import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { outputScriptAddress } from '../../src/counterparty/addresses.js';
import { SimulatedCounterpartyLedger } from '../../src/counterparty/simulated-ledger.js';
import { HubClient } from '../../src/hub-client/index.js';
import {
  DEFAULT_TERMS,
  Hub,
  type HubServer,
  type HubTerms,
  startHubServer,
} from '../../src/hub/index.js';
import { SimulatedAssetView } from '../../src/runtime/asset-view.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { testPrivateKey } from '../support/channel-harness.js';

/** The asset of the hub's asset tests. */
export const HUB_ASSET = 'PICOTOKEN';
/** Units of the asset the hub's wallet holds before the first block. */
export const HUB_ALLOCATION = 100_000n;
/** Units each client's wallet holds before the first block. */
export const CLIENT_ALLOCATION = 10_000n;

/** The hub's terms for {@link HUB_ASSET} in these tests. */
export const HUB_ASSET_TERMS: HubTerms = {
  ...DEFAULT_TERMS,
  depositMin: 100n,
  depositMax: 50_000n,
  paymentFee: 1n,
  liquidity: 30_000n,
};

const HUB_KEY = testPrivateKey(100);
const walletScript = (key: Uint8Array) => p2wpkhOutputScript(publicKeyOf(key));
const addressOf = (key: Uint8Array) => outputScriptAddress(walletScript(key), 'regtest')!;

/**
 * A hub in this process serving {@link HUB_ASSET} over loopback HTTP, on a simulated chain
 * (every script judged by bitcore) with the simulated Counterparty ledger, and `clients`
 * clients, each with a wallet holding BTC and {@link CLIENT_ALLOCATION} units. The hub can be
 * stopped and started again on the same store and port.
 */
export class AssetHubWorld {
  readonly sim = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  readonly ledger: SimulatedCounterpartyLedger;
  readonly assets: SimulatedAssetView;
  readonly store = new MemoryStore();
  readonly clients: HubClient[] = [];
  readonly clientKeys: Uint8Array[];
  hub!: Hub;
  server!: HubServer;

  private constructor(clients: number) {
    this.clientKeys = Array.from({ length: clients }, (_, i) => testPrivateKey(11 + i));
    this.ledger = new SimulatedCounterpartyLedger({
      chain: this.sim,
      allocations: [
        { address: addressOf(HUB_KEY), asset: HUB_ASSET, quantity: HUB_ALLOCATION },
        ...this.clientKeys.map((key) => ({
          address: addressOf(key),
          asset: HUB_ASSET,
          quantity: CLIENT_ALLOCATION,
        })),
      ],
    });
    this.assets = new SimulatedAssetView(this.sim, this.ledger);
  }

  /** Starts the hub (its wallet funded with BTC) and opens every client. */
  static async create(clients = 2): Promise<AssetHubWorld> {
    const w = new AssetHubWorld(clients);
    await w.startHub();
    await w.hub.fundWallet(w.sim.fund(w.hub.wallet!.outputScript, 1_000_000n), 1_000_000n);
    for (const [i, key] of w.clientKeys.entries()) {
      const wallet = new SingleKeyWallet(w.sim, key);
      wallet.addCoin(w.sim.fund(wallet.outputScript, 500_000n), 500_000n);
      const channelKey = testPrivateKey(40 + i);
      w.clients.push(
        await HubClient.open({
          url: w.server.url,
          chain: w.sim,
          store: new MemoryStore(),
          wallet,
          assets: w.assets,
          keys: { nextChannelKey: async () => ({ privateKey: channelKey, path: 'm/0' }) },
          payoutScript: async () => wallet.outputScript,
        }),
      );
    }
    return w;
  }

  /** Starts the hub on the world's store (and the port it had, after a stop). */
  async startHub(): Promise<void> {
    this.hub = await Hub.start({
      chain: this.sim,
      store: this.store,
      privateKey: HUB_KEY,
      network: 'regtest',
      assetTerms: { [HUB_ASSET]: HUB_ASSET_TERMS },
      assets: this.assets,
      chainJobMs: 3_600_000,
    });
    this.server = await startHubServer(this.hub, this.server ? { port: this.server.port } : {});
  }

  /** Stops the hub's server and the hub (the store keeps what it saved). */
  async stopHub(): Promise<void> {
    await this.server.close();
    await this.hub.stop();
  }

  /** Mines `blocks` one at a time; after each the hub and every client catch up and sync. */
  async mine(blocks: number): Promise<void> {
    for (let i = 0; i < blocks; i++) {
      this.sim.mine(1);
      await this.hub.manager.idle();
      for (const client of this.clients) {
        await client.sync().catch(() => undefined);
        await client.channels.idle();
      }
    }
  }

  /** Units of the asset at the hub's and each client's wallet address. */
  async balances(): Promise<{ hub: bigint; clients: bigint[] }> {
    return {
      hub: await this.ledger.getBalance(addressOf(HUB_KEY), HUB_ASSET),
      clients: await Promise.all(
        this.clientKeys.map((key) => this.ledger.getBalance(addressOf(key), HUB_ASSET)),
      ),
    };
  }

  /** Stops every client, then the hub. */
  async close(): Promise<void> {
    for (const client of this.clients) await client.stop().catch(() => undefined);
    await this.stopHub().catch(() => undefined);
  }
}
