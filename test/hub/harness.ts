import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { HubClient } from '../../src/hub-client/index.js';
import { Hub, type HubServer, type StoredWallet, startHubServer } from '../../src/hub/index.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { SqliteStore } from '../../src/storage/index.js';
import { testPrivateKey } from '../support/channel-harness.js';

/** A real simnet on loopback, a hub on SQLite in a temp dir served over HTTP, and its clients. */
export class HubWorld {
  readonly cleanup: (() => Promise<void>)[] = [];
  readonly scripts: Uint8Array[] = [];
  readonly chains: BitcoinCoreChain[] = [];
  funded = 0n;
  sim!: SimulatedChain;
  node!: Simnet;
  hub!: Hub;
  server!: HubServer;
  dir!: string;
  store!: SqliteStore;
  /** The hub's own stored wallet (valid while the hub runs). */
  get hubWallet(): StoredWallet {
    return this.hub.wallet!;
  }
  readonly hubKey = testPrivateKey(100);

  static async create(fetcher?: typeof fetch): Promise<HubWorld> {
    const w = new HubWorld();
    w.sim = new SimulatedChain();
    w.node = await startSimnet({ chain: w.sim });
    w.cleanup.push(() => w.node.close());
    w.dir = mkdtempSync(join(tmpdir(), 'hub-test-'));
    w.cleanup.push(async () => rmSync(w.dir, { recursive: true, force: true }));
    await w.startHub(true);
    void fetcher;
    return w;
  }

  chain(): BitcoinCoreChain {
    const chain = new BitcoinCoreChain({
      url: this.node.url,
      auth: { cookieFile: this.node.cookieFile },
      timeoutMs: 5000,
      retry: { retries: 2, delayMs: 10 },
      pollIntervalMs: 20,
    });
    this.chains.push(chain);
    return chain;
  }

  /** Starts (or restarts) the hub on the same SQLite file. */
  async startHub(fund = false): Promise<void> {
    const chain = this.chain();
    await chain.getHeight();
    this.store = await SqliteStore.open(join(this.dir, 'hub.sqlite'));
    this.hub = await Hub.start({
      chain,
      store: this.store,
      privateKey: this.hubKey,
      network: 'regtest',
    });
    if (fund) {
      // The hub keeps its own wallet in its store: funded once, its change survives restarts.
      this.scripts.push(this.hubWallet.outputScript);
      for (let i = 0; i < 4; i++) {
        await this.hubWallet.addCoin(
          this.sim.fund(this.hubWallet.outputScript, 2_000_000n),
          2_000_000n,
        );
        this.funded += 2_000_000n;
      }
      await chain.sync();
    }
    this.server = await startHubServer(this.hub, this.server ? { port: this.server.port } : {});
  }

  async stopHub(): Promise<void> {
    await this.server.close();
    await this.hub.stop();
    await this.store.close();
  }

  async client(seed: number, fetcher?: typeof fetch): Promise<HubClient> {
    const chain = this.chain();
    await chain.getHeight();
    const key = testPrivateKey(seed);
    const wallet = new SingleKeyWallet(chain, key);
    wallet.addCoin(this.sim.fund(wallet.outputScript, 1_000_000n), 1_000_000n);
    this.funded += 1_000_000n;
    this.scripts.push(wallet.outputScript);
    await chain.sync();
    let n = 0;
    const client = await HubClient.open({
      url: this.server.url,
      chain,
      store: new MemoryStore(),
      wallet,
      keys: {
        nextChannelKey: async () => ({
          privateKey: testPrivateKey(seed * 1000 + ++n),
          path: `m/${n}`,
        }),
      },
      payoutScript: async () => wallet.outputScript,
      ...(fetcher ? { fetch: fetcher } : {}),
    });
    this.cleanup.push(() => client.stop());
    return client;
  }

  /** Mines blocks one at a time, letting every follower see each. */
  async mine(blocks: number): Promise<void> {
    for (let i = 0; i < blocks; i++) {
      this.sim.mine(1);
      for (const c of this.chains) await c.sync().catch(() => undefined);
      await this.hub.manager.idle();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Sum of every party's coins plus the fees paid: what was funded if nothing is lost. */
  total(): bigint {
    return (
      this.scripts.reduce((s, script) => s + this.sim.balanceOf(script), 0n) +
      this.sim.totalFeesPaid()
    );
  }

  async close(): Promise<void> {
    for (const step of this.cleanup.reverse()) await step().catch(() => undefined);
    await this.stopHub().catch(() => undefined);
    for (const c of this.chains) c.close();
  }
}
