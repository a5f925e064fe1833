/**
 * The hub bench: routed payments per second through a hub on durable SQLite, over loopback
 * HTTP, with many clients at once (default 100; `HUB_BENCH_CLIENTS`), and the latency of each
 * payment request (p50/p99). The ratio baseline is the raw verifications per second of the same
 * secp256k1 backend, measured in the same run (before and after it, averaged). The hub and its clients share this process (and
 * its cores), on a simulated chain.
 *
 * Run alone with `npx tsx bench/hub.ts`, or as part of `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { SimulatedChain } from '../src/chain/simulated-chain.js';
import {
  SECP256K1_BACKEND_NAMES,
  type Secp256k1BackendName,
  loadSecp256k1Backend,
  useSecp256k1Backend,
} from '../src/crypto/index.js';
import { HubClient } from '../src/hub-client/index.js';
import { Hub, startHubServer } from '../src/hub/index.js';
import { MemoryStore } from '../src/runtime/store.js';
import { SingleKeyWallet } from '../src/runtime/wallet.js';
import { SqliteStore } from '../src/storage/index.js';
import { section } from './report.js';

/** Figures of one backend. */
export interface HubBenchFigures {
  readonly backend: string;
  readonly clients: number;
  readonly verifyPerSecond: number;
  readonly routedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** One-minute load average at the end of the run (other work on the machine). */
  readonly load: number;
  /** Hub requests per routed payment (status included). */
  readonly requestsPerPayment: number;
  /** CPU time of this process (hub and clients) per routed payment, ms: steadier than wall time on a busy machine. */
  readonly cpuMsPerPayment: number;
}

function rawVerifyPerSecond(backend: Awaited<ReturnType<typeof loadSecp256k1Backend>>): number {
  const key = sha256(new TextEncoder().encode('hub bench key'));
  const pub = backend.publicKeyCreate(key);
  const hashes = Array.from({ length: 64 }, (_, i) => sha256(Uint8Array.of(i)));
  const sigs = hashes.map((h) => backend.sign(h, key));
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 500) {
    for (let i = 0; i < 64; i++)
      if (!backend.verify(sigs[i]!, hashes[i]!, pub)) throw new Error('verify');
    n += 64;
  }
  return n / ((performance.now() - start) / 1000);
}

/** A distinct private key per label (any number of clients; a SHA-256 is a valid key but with negligible odds). */
function benchKey(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(`hub bench ${label}`));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** Connects `clients` clients in a ring, then each pays its neighbour `rounds` times and syncs. */
export async function hubBench(
  name: Secp256k1BackendName,
  clients: number,
  rounds: number,
): Promise<HubBenchFigures> {
  const backend = await useSecp256k1Backend(name);
  // Measured before and after the run, averaged: the machine's load may change meanwhile.
  const verifyBefore = rawVerifyPerSecond(backend);
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  const sim = new SimulatedChain();
  const store = await SqliteStore.open(join(dir, 'hub.sqlite'));
  const hubKey = benchKey('hub');
  const hub = await Hub.start({ chain: sim, store, privateKey: hubKey, network: 'regtest' });
  for (let i = 0; i < Math.ceil(clients / 20); i++)
    await hub.fundWallet(sim.fund(hub.wallet!.outputScript, 5_000_000n), 5_000_000n);
  const server = await startHubServer(hub, { ratePerMinute: 1_000_000 });
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    requests++;
    return fetch(input, init);
  };
  const all: { client: HubClient; handle: string }[] = [];
  try {
    for (let i = 0; i < clients; i++) {
      const key = benchKey(`wallet ${i}`);
      const wallet = new SingleKeyWallet(sim, key);
      wallet.addCoin(sim.fund(wallet.outputScript, 500_000n), 500_000n);
      let n = 0;
      const client = await HubClient.open({
        url: server.url,
        fetch: counting,
        chain: sim,
        store: new MemoryStore(),
        wallet,
        keys: {
          nextChannelKey: async () => ({
            privateKey: benchKey(`client ${i} channel ${++n}`),
            path: `m/${n}`,
          }),
        },
        payoutScript: async () => wallet.outputScript,
      });
      const { handle } = await client.connect({
        asset: 'BTC',
        quantity: 200_000n,
        expireBlocks: 500,
        delayBlocks: 4,
      });
      all.push({ client, handle });
      // The hub's deposits chain on unconfirmed change: a block now and then keeps the chain
      // of unconfirmed transactions under the mempool's limit.
      if (i % 10 === 9) {
        sim.mine(1);
        await hub.manager.idle();
      }
    }
    for (let i = 0; i < 3; i++) {
      sim.mine(1);
      await hub.manager.idle();
      await Promise.all(all.map((c) => c.client.sync()));
    }
    const latencies: number[] = [];
    const requestsBefore = requests;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      all.map(async (me, i) => {
        const to = all[(i + 1) % all.length]!;
        for (let r = 0; r < rounds; r++) {
          const t = performance.now();
          await me.client.pay({ from: me.handle, to: to.handle, amount: 1_000n });
          latencies.push(performance.now() - t);
          await me.client.sync(me.handle);
        }
      }),
    );
    // Payments still queued reach their payee at its next sync.
    await Promise.all(all.map((me) => me.client.sync(me.handle)));
    const seconds = (performance.now() - start) / 1000;
    const requestsMade = requests - requestsBefore;
    const cpu = process.cpuUsage(cpuBefore);
    // Routed = what the payees' hub->client channels carry, in payments of 1,000 sat.
    let received = 0n;
    for (const me of all) for (const c of await me.client.connections()) received += c.received;
    const routed = Number(received / 1_000n);
    if (routed !== clients * rounds) throw new Error(`routed ${routed} of ${clients * rounds}`);
    latencies.sort((a, b) => a - b);
    const verifyPerSecond = (verifyBefore + rawVerifyPerSecond(backend)) / 2;
    return {
      backend: name,
      clients,
      verifyPerSecond,
      load: loadavg()[0]!,
      requestsPerPayment: requestsMade / routed,
      cpuMsPerPayment: (cpu.user + cpu.system) / 1000 / routed,
      routedPerSecond: routed / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
    };
  } finally {
    for (const c of all) await c.client.stop().catch(() => undefined);
    await server.close();
    await hub.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the hub bench for every installed backend and prints one table. */
export async function runHubBenchmarks(): Promise<HubBenchFigures[]> {
  const clients = Number(process.env.HUB_BENCH_CLIENTS ?? 100);
  const rounds = Number(process.env.HUB_BENCH_ROUNDS ?? 5);
  const figures: HubBenchFigures[] = [];
  const skipped: string[] = [];
  // HUB_BENCH_BACKENDS=native,noble picks and orders the backends.
  const names = process.env.HUB_BENCH_BACKENDS
    ? (process.env.HUB_BENCH_BACKENDS.split(',') as Secp256k1BackendName[])
    : SECP256K1_BACKEND_NAMES;
  for (const name of names) {
    try {
      await loadSecp256k1Backend(name);
    } catch (error) {
      skipped.push(`${name}: ${(error as Error).message}`);
      continue;
    }
    const f = await hubBench(name, clients, rounds);
    figures.push(f);
    // Each backend as soon as it is measured (a long run may be cut short).
    process.stderr.write(`hub bench ${JSON.stringify(f)}\n`);
  }
  await useSecp256k1Backend('noble');
  const header = [
    'backend',
    'clients',
    'verify/s',
    'routed/s',
    'verifies/payment',
    'p50 ms',
    'p99 ms',
    'req/payment',
    'cpu ms/payment',
    'load',
  ];
  const widths = [16, 9, 10, 10, 18, 9, 9, 13, 16, 7];
  const row = (v: string[]) =>
    v.map((x, i) => (i === 0 ? x.padEnd(widths[0]!) : x.padStart(widths[i]!))).join('');
  console.log(
    section(
      `Hub: routed payments over loopback HTTP, durable SQLite, ${clients} clients x ${rounds} payments (ratio: raw verifies per routed payment)`,
      [
        row(header),
        ...figures.map((f) =>
          row([
            f.backend,
            String(f.clients),
            f.verifyPerSecond.toFixed(0),
            f.routedPerSecond.toFixed(1),
            `${(f.verifyPerSecond / f.routedPerSecond).toFixed(1)}x`,
            f.p50Ms.toFixed(1),
            f.p99Ms.toFixed(1),
            f.requestsPerPayment.toFixed(2),
            f.cpuMsPerPayment.toFixed(2),
            f.load.toFixed(1),
          ]),
        ),
        ...skipped.map((s) => `skipped ${s}`),
      ],
    ),
  );
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runHubBenchmarks();
}
