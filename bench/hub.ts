/**
 * The hub bench: routed payments per second through a hub on durable SQLite, over loopback
 * HTTP, with many clients at once (default 100; `HUB_BENCH_CLIENTS`), and the latency (p50/p99)
 * of each payment request and of each round (the payment and the payer's sync after it, which
 * collects what was paid to it: the share of a round that the payment takes changes with the
 * requests each call makes). The ratio baseline is the raw verifications per second of the same
 * secp256k1 backend, measured in the same run (before and after it, averaged). Two layouts
 * (`HUB_BENCH_SPLIT`, default `0,1`): 0 = the hub and its clients share this process (and its
 * thread); N > 0 = the clients run in N child processes (`bench/hub-client-process.ts`) on this
 * process's simulated chain, so that this process's CPU time is the hub's alone. Each client
 * makes `HUB_BENCH_ROUNDS` measured payments (default 5) after `HUB_BENCH_WARMUP` unmeasured
 * ones (default 1).
 *
 * Run alone with `npx tsx bench/hub.ts`, or as part of `npm run bench`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { SimulatedChain } from '../src/chain/simulated-chain.js';
import {
  SECP256K1_BACKEND_NAMES,
  type Secp256k1BackendName,
  loadSecp256k1Backend,
  useSecp256k1Backend,
} from '../src/crypto/index.js';
import type { HubClient } from '../src/hub-client/index.js';
import { Hub, startHubServer } from '../src/hub/index.js';
import { SqliteStore } from '../src/storage/index.js';
import { benchKey, connectBenchClient } from './hub-bench-client.js';
import type { ClientCommand, PayReport } from './hub-client-process.js';
import { serveChain } from './hub-ipc-chain.js';
import { section } from './report.js';

/** Figures of one backend. */
export interface HubBenchFigures {
  readonly backend: string;
  readonly clients: number;
  readonly verifyPerSecond: number;
  readonly routedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Latency of a round, a payment and the payer's sync after it (p50, p99), ms. */
  readonly roundP50Ms: number;
  readonly roundP99Ms: number;
  /** One-minute load average at the end of the run (other work on the machine). */
  readonly load: number;
  /** Hub requests per routed payment (status included). */
  readonly requestsPerPayment: number;
  /** CPU time (hub and clients) per routed payment, ms: steadier than wall time on a busy machine. */
  readonly cpuMsPerPayment: number;
  /** Client processes (0: the clients share the hub's process). */
  readonly clientProcesses: number;
  /** The hub process's CPU time per routed payment, ms (split layout only: else null). */
  readonly hubCpuMsPerPayment: number | null;
  /** SQLite transactions (each one sync to disk) per routed payment. */
  readonly dbCommitsPerPayment: number;
  /** Store operations carried by those transactions per routed payment (a `saveAll` is one). */
  readonly dbWritesPerPayment: number;
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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/**
 * The backend selected and its raw verify rate, and a hub on durable SQLite in a temporary
 * directory over a fresh simulated chain, its wallet funded for `clients` clients, serving
 * loopback HTTP without a practical rate limit.
 */
async function startBenchHub(name: Secp256k1BackendName, clients: number) {
  const backend = await useSecp256k1Backend(name);
  // Measured before and after the run, averaged: the machine's load may change meanwhile.
  const verifyBefore = rawVerifyPerSecond(backend);
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  const sim = new SimulatedChain();
  const store = await SqliteStore.open(join(dir, 'hub.sqlite'));
  const hub = await Hub.start({
    chain: sim,
    store,
    privateKey: benchKey('hub'),
    network: 'regtest',
  });
  for (let i = 0; i < Math.ceil(clients / 20); i++)
    await hub.fundWallet(sim.fund(hub.wallet!.outputScript, 5_000_000n), 5_000_000n);
  const server = await startHubServer(hub, { ratePerMinute: 1_000_000 });
  return { backend, verifyBefore, dir, sim, store, hub, server };
}

/**
 * Unmeasured rounds of payments before the measured ones (`HUB_BENCH_WARMUP`, default 1): the
 * first payments of a run also open the HTTP connections that the payment pattern needs (the
 * fetch client's pool keeps opening new ones until it has as many as requests come close
 * together), which would otherwise fall on the measured rounds, more or less of it depending
 * on how the client's requests follow each other.
 */
function warmupRounds(): number {
  return Number(process.env.HUB_BENCH_WARMUP ?? 1);
}

/**
 * Connects `clients` clients in a ring, then each pays its neighbour (unmeasured rounds first,
 * see {@link warmupRounds}) `rounds` times and syncs.
 */
export async function hubBench(
  name: Secp256k1BackendName,
  clients: number,
  rounds: number,
): Promise<HubBenchFigures> {
  const { backend, verifyBefore, dir, sim, store, hub, server } = await startBenchHub(
    name,
    clients,
  );
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    requests++;
    return fetch(input, init);
  };
  const all: { client: HubClient; handle: string }[] = [];
  try {
    for (let i = 0; i < clients; i++) {
      const { client, handle } = await connectBenchClient(i, {
        url: server.url,
        fetch: counting,
        chain: sim,
        fund: (script, value) => sim.fund(script, value),
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
    const roundLatencies: number[] = [];
    const payRounds = async (n: number, record: boolean) => {
      await Promise.all(
        all.map(async (me, i) => {
          const to = all[(i + 1) % all.length]!;
          for (let r = 0; r < n; r++) {
            const t = performance.now();
            await me.client.pay({ from: me.handle, to: to.handle, amount: 1_000n });
            if (record) latencies.push(performance.now() - t);
            await me.client.sync(me.handle);
            if (record) roundLatencies.push(performance.now() - t);
          }
        }),
      );
      // Payments still queued reach their payee at its next sync.
      await Promise.all(all.map((me) => me.client.sync(me.handle)));
    };
    const receivedNow = async () => {
      let received = 0n;
      for (const me of all) for (const c of await me.client.connections()) received += c.received;
      return received;
    };
    await payRounds(warmupRounds(), false);
    const receivedBefore = await receivedNow();
    const requestsBefore = requests;
    const dbBefore = store.commitStats;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await payRounds(rounds, true);
    const seconds = (performance.now() - start) / 1000;
    const requestsMade = requests - requestsBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const db = store.commitStats;
    // Routed = what the payees' hub->client channels carry, in payments of 1,000 sat.
    const routed = Number(((await receivedNow()) - receivedBefore) / 1_000n);
    if (routed !== clients * rounds) throw new Error(`routed ${routed} of ${clients * rounds}`);
    latencies.sort((a, b) => a - b);
    roundLatencies.sort((a, b) => a - b);
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
      roundP50Ms: percentile(roundLatencies, 0.5),
      roundP99Ms: percentile(roundLatencies, 0.99),
      clientProcesses: 0,
      hubCpuMsPerPayment: null,
      dbCommitsPerPayment: (db.batches - dbBefore.batches) / routed,
      dbWritesPerPayment: (db.operations - dbBefore.operations) / routed,
    };
  } finally {
    for (const c of all) await c.client.stop().catch(() => undefined);
    await server.close();
    await hub.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A client process of the split layout, with its command channel. */
class ClientProcess {
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`client process exited (${code})`)));
      child.on('message', (m: { kind?: string; id: number; value?: unknown; error?: string }) => {
        if (m?.kind === 'ready') resolve();
        if (m?.kind !== 'cmd-reply') return;
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.error !== undefined) w?.reject(new Error(`client process: ${m.error}`));
        else w?.resolve(m.value);
      });
    });
  }

  run<T>(command: ClientCommand): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ kind: 'cmd', id, command });
    });
  }
}

/**
 * The split layout: the hub in this process, its clients in `processes` child processes (client
 * i in process i mod N), the same ring of payments as {@link hubBench}. CPU time is reported
 * for the hub (this process) and for the clients (their processes, over the payment phase).
 */
export async function hubBenchSplit(
  name: Secp256k1BackendName,
  clients: number,
  rounds: number,
  processes: number,
): Promise<HubBenchFigures> {
  const { backend, verifyBefore, dir, sim, store, hub, server } = await startBenchHub(
    name,
    clients,
  );
  const workerFile = fileURLToPath(new URL('./hub-client-process.ts', import.meta.url));
  const workers: ClientProcess[] = [];
  const unsubscribe: (() => void)[] = [];
  try {
    for (let p = 0; p < processes; p++) {
      // HUB_BENCH_CHILD_ARGV: extra Node options for the client processes (e.g. --cpu-prof).
      const extra = process.env.HUB_BENCH_CHILD_ARGV?.split(' ').filter(Boolean) ?? [];
      const child = fork(workerFile, [], {
        serialization: 'advanced',
        stdio: 'inherit',
        execArgv: [...process.execArgv, ...extra],
      });
      unsubscribe.push(serveChain(sim, child));
      workers.push(new ClientProcess(child));
    }
    await Promise.all(workers.map((w) => w.ready));
    await Promise.all(workers.map((w) => w.run({ cmd: 'init', backend: name, url: server.url })));
    const handles: string[] = [];
    for (let i = 0; i < clients; i++) {
      handles.push(await workers[i % processes]!.run<string>({ cmd: 'connect', index: i }));
      if (i % 10 === 9) {
        sim.mine(1);
        await hub.manager.idle();
      }
    }
    for (let i = 0; i < 3; i++) {
      sim.mine(1);
      await hub.manager.idle();
      await Promise.all(workers.map((w) => w.run({ cmd: 'syncAll' })));
    }
    const ring = (p: number) => {
      const to: Record<number, string> = {};
      for (let i = p; i < clients; i += processes) to[i] = handles[(i + 1) % clients]!;
      return to;
    };
    const received = async () => {
      let sum = 0n;
      for (const w of workers) sum += await w.run<bigint>({ cmd: 'received' });
      return sum;
    };
    // Unmeasured rounds first, as in the shared layout.
    await Promise.all(
      workers.map((w, p) => w.run<PayReport>({ cmd: 'pay', to: ring(p), rounds: warmupRounds() })),
    );
    await Promise.all(workers.map((w) => w.run<PayReport>({ cmd: 'finalSync' })));
    const receivedBefore = await received();
    const dbBefore = store.commitStats;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const reports = await Promise.all(
      workers.map((w, p) => w.run<PayReport>({ cmd: 'pay', to: ring(p), rounds })),
    );
    reports.push(
      ...(await Promise.all(workers.map((w) => w.run<PayReport>({ cmd: 'finalSync' })))),
    );
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const db = store.commitStats;
    const routed = Number(((await received()) - receivedBefore) / 1_000n);
    if (routed !== clients * rounds) throw new Error(`routed ${routed} of ${clients * rounds}`);
    const latencies = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const roundLatencies = reports.flatMap((r) => r.roundLatencies).sort((a, b) => a - b);
    const hubCpuMs = (cpu.user + cpu.system) / 1000;
    const clientCpuMs = reports.reduce((s, r) => s + r.cpuMicros, 0) / 1000;
    const verifyPerSecond = (verifyBefore + rawVerifyPerSecond(backend)) / 2;
    return {
      backend: name,
      clients,
      verifyPerSecond,
      load: loadavg()[0]!,
      requestsPerPayment: reports.reduce((s, r) => s + r.requests, 0) / routed,
      cpuMsPerPayment: (hubCpuMs + clientCpuMs) / routed,
      routedPerSecond: routed / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      roundP50Ms: percentile(roundLatencies, 0.5),
      roundP99Ms: percentile(roundLatencies, 0.99),
      clientProcesses: processes,
      hubCpuMsPerPayment: hubCpuMs / routed,
      dbCommitsPerPayment: (db.batches - dbBefore.batches) / routed,
      dbWritesPerPayment: (db.operations - dbBefore.operations) / routed,
    };
  } finally {
    for (const w of workers) {
      const exited = new Promise((resolve) => w.child.once('exit', resolve));
      await w.run({ cmd: 'stop' }).catch(() => undefined);
      // It exits by itself once stopped; killed if it has not within 5 s.
      const timer = setTimeout(() => w.child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    }
    for (const u of unsubscribe) u();
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
  // HUB_BENCH_SPLIT=0,1: client processes per run (0: the clients in the hub's process).
  const layouts = (process.env.HUB_BENCH_SPLIT ?? '0,1').split(',').map(Number);
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
    for (const processes of layouts) {
      const f =
        processes === 0
          ? await hubBench(name, clients, rounds)
          : await hubBenchSplit(name, clients, rounds, processes);
      figures.push(f);
      // Each figure as soon as it is measured (a long run may be cut short).
      process.stderr.write(`hub bench ${JSON.stringify(f)}\n`);
    }
  }
  await useSecp256k1Backend('noble');
  const header = [
    'backend',
    'clients',
    'client procs',
    'verify/s',
    'routed/s',
    'verifies/payment',
    'p50 ms',
    'p99 ms',
    'round p50/p99',
    'req/payment',
    'cpu ms/payment',
    'hub cpu ms',
    'db tx/pay',
    'db ops/pay',
    'load',
  ];
  const widths = [16, 9, 14, 10, 10, 18, 9, 9, 15, 13, 16, 12, 11, 15, 7];
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
            f.clientProcesses === 0 ? 'shared' : String(f.clientProcesses),
            f.verifyPerSecond.toFixed(0),
            f.routedPerSecond.toFixed(1),
            `${(f.verifyPerSecond / f.routedPerSecond).toFixed(1)}x`,
            f.p50Ms.toFixed(1),
            f.p99Ms.toFixed(1),
            `${f.roundP50Ms.toFixed(0)}/${f.roundP99Ms.toFixed(0)}`,
            f.requestsPerPayment.toFixed(2),
            f.cpuMsPerPayment.toFixed(2),
            f.hubCpuMsPerPayment === null ? '-' : f.hubCpuMsPerPayment.toFixed(2),
            f.dbCommitsPerPayment.toFixed(2),
            f.dbWritesPerPayment.toFixed(2),
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
