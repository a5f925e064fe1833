import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { BitcoinCoreChain } from '../../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { SimulatedChain } from '../../../src/chain/simulated-chain.js';
import { HubClient } from '../../../src/hub-client/index.js';
import { p2wpkhOutputScript } from '../../../src/scripts/key-output-scripts.js';
import { MemoryStore } from '../../../src/runtime/store.js';
import { SingleKeyWallet } from '../../../src/runtime/wallet.js';
import { type Simnet, startSimnet } from '../../../src/simnet/index.js';
import { publicKeyOf } from '../../../src/transactions/keys.js';
import { testPrivateKey } from '../../support/channel-harness.js';
import type { HubChildConfig } from './hub-child.js';

const root = resolve(import.meta.dirname, '../../..');

/** A free loopback port (the hub restarts on the same one, so clients keep their URL). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** One hub child process. */
export interface HubChild {
  readonly child: ChildProcess;
  readonly url: string;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
}

/**
 * An in-process simnet (so the test mines and funds directly), hub processes spawned as
 * `node --import tsx test/hub/model/hub-child.ts`, and in-process clients over real HTTP.
 */
export class ChildWorld {
  readonly sim = new SimulatedChain();
  node!: Simnet;
  readonly dir = mkdtempSync(join(tmpdir(), 'hub-model-'));
  readonly chains: BitcoinCoreChain[] = [];
  readonly hubs = new Set<HubChild>();
  readonly clients: HubClient[] = [];
  readonly scripts: Uint8Array[] = [];
  funded = 0n;
  readonly hubKey = testPrivateKey(100);
  readonly hubScript = p2wpkhOutputScript(publicKeyOf(testPrivateKey(100)));

  static async create(): Promise<ChildWorld> {
    const w = new ChildWorld();
    w.node = await startSimnet({ chain: w.sim });
    w.scripts.push(w.hubScript);
    return w;
  }

  /** Coins for the hub wallet, paid by the simulated chain's faucet. */
  fundHub(count: number, value: bigint): { txid: string; vout: number; value: string }[] {
    const out = [];
    for (let i = 0; i < count; i++) {
      const o = this.sim.fund(this.hubScript, value);
      this.funded += value;
      out.push({ txid: o.txid, vout: o.vout, value: value.toString() });
    }
    return out;
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

  /** Spawns a hub child and waits for its listening line. */
  async startHub(config: Omit<HubChildConfig, 'rpc' | 'cookie' | 'key'>): Promise<HubChild> {
    const full: HubChildConfig = {
      rpc: this.node.url,
      cookie: this.node.cookieFile,
      key: Buffer.from(this.hubKey).toString('hex'),
      ...config,
    };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'test/hub/model/hub-child.ts')],
      {
        cwd: root,
        env: { ...process.env, HUB_CHILD: JSON.stringify(full) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => {
      if (process.env.HUB_DEBUG) process.stderr.write(`[hub ${child.pid}] ${d}`);
      stderr += String(d);
    });
    let killed = false;
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.once('exit', (code) => {
      // An exit nobody asked for is a hub failure: say why.
      if (!killed) process.stderr.write(`hub child exited (${code}) unasked:\n${stderr}\n`);
    });
    const url = await new Promise<string>((ok, fail) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        try {
          const e = JSON.parse(line) as { event?: string; url?: string };
          if (e.event === 'listening' && e.url) ok(e.url);
        } catch {}
      });
      child.once('exit', (code) => fail(new Error(`hub child exited ${code}: ${stderr}`)));
    });
    const hub: HubChild = {
      child,
      url,
      kill: async () => {
        killed = true;
        child.kill('SIGKILL');
        await exited;
        this.hubs.delete(hub);
      },
    };
    this.hubs.add(hub);
    return hub;
  }

  /** A client with its own funded wallet, talking to `url` (or a fetch that picks a hub). */
  async client(seed: number, url: string, fetcher?: typeof fetch): Promise<HubClient> {
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
      url,
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
    this.clients.push(client);
    return client;
  }

  /** Mines blocks one at a time, letting every in-process follower see each. */
  async mine(blocks: number, pauseMs = 5): Promise<void> {
    for (let i = 0; i < blocks; i++) {
      this.sim.mine(1);
      for (const c of this.chains) await c.sync().catch(() => undefined);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  /** Every party's coins plus the fees paid: equals what was funded if nothing is lost. */
  total(): bigint {
    return (
      this.scripts.reduce((s, script) => s + this.sim.balanceOf(script), 0n) +
      this.sim.totalFeesPaid()
    );
  }

  async close(): Promise<void> {
    for (const c of this.clients) await c.stop().catch(() => undefined);
    for (const h of [...this.hubs]) await h.kill().catch(() => undefined);
    for (const c of this.chains) c.close();
    await this.node.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
