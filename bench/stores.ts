/**
 * Durable payments per second on each store: one channel paying in sequence, and 1,000
 * channels paying at once (where group commit shares one sync among many channels). The ratio
 * baseline is an equivalent loop of durable inserts (same count, same sizes, one transaction
 * each) straight into the same database, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SimulatedChain } from '../src/chain/simulated-chain.js';
import { type Secp256k1BackendName, useSecp256k1Backend } from '../src/crypto/index.js';
import { PayeeChannel, PayerChannel } from '../src/runtime/channels.js';
import { MemoryStore, type Store, type StoreWrite } from '../src/runtime/store.js';
import { MemoryLink } from '../src/runtime/transport.js';
import { SingleKeyWallet } from '../src/runtime/wallet.js';
import { PostgresStore } from '../src/storage/postgres-store.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import type { GroupCommitStats } from '../src/storage/group-commit.js';
import { type Benchmark, type Measurement, measureGroup } from './harness.js';
import { line, section } from './report.js';
import { publicKeyOf } from '../src/transactions/keys.js';
import { p2wpkhOutputScript } from '../src/scripts/key-output-scripts.js';

/** Payments per sample on one channel. */
const SEQUENTIAL_PAYMENTS = 40;
/** Channels paying together. */
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 1_000);
const KDF = { N: 2 ** 14, r: 8, p: 1 };

type DurableStore = Store & { close(): Promise<void>; readonly commitStats?: GroupCommitStats };

/**
 * Counts what the channels hand to the store, to size the baseline's inserts. With `grouped`
 * it passes the store's `saveAll` on (a channel step is one transaction); without, the
 * channels save one key after another, as over a store that has no `saveAll`.
 */
class CountingStore implements Store {
  writes = 0;
  bytes = 0;
  /** Store calls: groups and single saves, each one transaction. */
  transactions = 0;
  saveAll?: (writes: readonly StoreWrite[]) => Promise<void>;
  constructor(
    readonly inner: Store,
    grouped = true,
  ) {
    const saveAll = inner.saveAll?.bind(inner);
    if (grouped && saveAll)
      this.saveAll = (writes) => {
        this.transactions++;
        for (const w of writes) this.count(w.snapshot);
        return saveAll(writes);
      };
  }
  load(key: string) {
    return this.inner.load(key);
  }
  save(key: string, snapshot: string) {
    this.transactions++;
    this.count(snapshot);
    return this.inner.save(key, snapshot);
  }
  private count(snapshot: string) {
    this.writes++;
    this.bytes += Buffer.byteLength(snapshot);
  }
}

/** Raw durable inserts into the store's own database, one transaction each. */
interface Baseline {
  insert(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

interface StoreKind {
  readonly name: string;
  open(): Promise<DurableStore>;
  baseline(): Promise<Baseline | null>;
  dispose(): Promise<void>;
}

function key(n: number): Uint8Array {
  const k = new Uint8Array(32);
  k[0] = 0x11;
  k[30] = n >> 8;
  k[31] = n & 0xff;
  return k;
}

interface Pair {
  payer: PayerChannel;
  payee: PayeeChannel;
  link: MemoryLink;
}

async function settle({ payer, payee, link }: Pair): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await payer.sync();
    await payee.sync();
    if ((await link.deliver()) === 0) return;
  }
}

function attach(pair: Pair): Pair {
  pair.link.attach('payer', (text) => pair.payer.receive(text).then(() => undefined));
  pair.link.attach('payee', (text) => pair.payee.receive(text).then(() => undefined));
  return pair;
}

/** Opens `count` channel pairs on `chain` with `store` (each with its own wallet), all confirmed. */
async function openPairs(chain: SimulatedChain, store: Store, count: number, tag: string) {
  const pairs = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `${tag}-${i}`;
      const payerKey = key(2 * i + 1);
      const wallet = new SingleKeyWallet(chain, payerKey);
      wallet.addCoin(chain.fund(wallet.outputScript, 5_000_000n), 5_000_000n);
      const link = new MemoryLink();
      const base = { chain, store };
      const payer = await PayerChannel.create(
        {
          channelId: id,
          network: 'regtest',
          depositAmount: 2_000_000n,
          feeRate: 2,
          expireTime: 1000,
          delayTime: 5,
          privateKey: payerKey,
          destinationScript: p2wpkhOutputScript(publicKeyOf(payerKey)),
          finalityDepth: 1,
          height: chain.height,
        },
        { ...base, transport: link.endpoint('payer'), storeKey: `payer/${id}`, wallet },
      );
      const payee = await PayeeChannel.open(
        {
          channelId: id,
          network: 'regtest',
          expireTimeRange: { min: 10, max: 2000 },
          delayTimeRange: { min: 1, max: 100 },
          minFeeRate: 1,
          feeRate: 2,
          clearance: 6,
          privateKey: key(2 * i + 2),
          destinationScript: p2wpkhOutputScript(publicKeyOf(key(2 * i + 2))),
          finalityDepth: 1,
          height: chain.height,
        },
        { ...base, transport: link.endpoint('payee'), storeKey: `payee/${id}` },
      );
      return attach({ payer, payee, link });
    }),
  );
  await Promise.all(pairs.map(settle));
  chain.mine(1);
  await Promise.all(pairs.map(settle));
  for (const p of pairs)
    if (p.payer.status().state !== 'open')
      throw new Error(`channel not open: ${p.payer.status().state}`);
  return pairs;
}

/** The same channels, restored from `from` into `store` (snapshots copied, then restored). */
async function movePairs(pairs: readonly Pair[], chain: SimulatedChain, store: Store) {
  await Promise.all(
    pairs.flatMap((p) => [
      store.save(
        p.payer.runtime.context.channelId && `payer/${p.payer.context.channelId}`,
        p.payer.snapshot(),
      ),
      store.save(`payee/${p.payee.context.channelId}`, p.payee.snapshot()),
    ]),
  );
  return Promise.all(
    pairs.map(async (p) => {
      const id = p.payer.context.channelId;
      const link = new MemoryLink();
      const wallet = new SingleKeyWallet(chain, key(0));
      const payer = await PayerChannel.restore((await store.load(`payer/${id}`))!, {
        chain,
        store,
        transport: link.endpoint('payer'),
        storeKey: `payer/${id}`,
        wallet,
      });
      const payee = await PayeeChannel.restore((await store.load(`payee/${id}`))!, {
        chain,
        store,
        transport: link.endpoint('payee'),
        storeKey: `payee/${id}`,
      });
      return attach({ payer, payee, link });
    }),
  );
}

async function payOnce(pair: Pair): Promise<void> {
  await pair.payer.pay(1_000n);
  await pair.link.deliver();
}

function sqliteKind(encrypted: boolean): StoreKind {
  const dir = mkdtempSync(join(tmpdir(), 'picopayments-bench-'));
  const path = join(dir, 'bench.db');
  let raw: Database.Database | null = null;
  return {
    name: encrypted ? 'SqliteStore (encrypted)' : 'SqliteStore',
    // Not exclusive, so that the baseline's own connection can write to the same file.
    open: () =>
      SqliteStore.open(path, {
        exclusive: false,
        busyTimeoutMs: 5000,
        encryption: encrypted ? { passphrase: 'bench', kdf: KDF } : undefined,
      }),
    baseline: async () => {
      const db = new Database(path, { timeout: 5000 });
      raw = db;
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(
        'CREATE TABLE IF NOT EXISTS bench_baseline (id INTEGER PRIMARY KEY, value BLOB NOT NULL)',
      );
      const insert = db.prepare('INSERT INTO bench_baseline (value) VALUES (?)');
      return {
        insert: async (bytes) => {
          insert.run(bytes);
        },
        close: async () => {
          db.close();
        },
      };
    },
    dispose: async () => {
      if (raw?.open) raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresKind(url: string, encrypted: boolean): StoreKind {
  const schema = `pp_bench_${process.pid}_${encrypted ? 'sealed' : 'plain'}`;
  const admin = () => new pg.Client({ connectionString: url });
  return {
    name: encrypted ? 'PostgresStore (encrypted)' : 'PostgresStore',
    open: () =>
      PostgresStore.open({
        connectionString: url,
        schema,
        encryption: encrypted ? { passphrase: 'bench', kdf: KDF } : undefined,
      }),
    baseline: async () => {
      const client = admin();
      await client.connect();
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${schema}".bench_baseline (id bigserial PRIMARY KEY, value bytea NOT NULL)`,
      );
      return {
        // Autocommit: one transaction, one WAL flush per insert (synchronous_commit on).
        insert: async (bytes) => {
          await client.query(`INSERT INTO "${schema}".bench_baseline (value) VALUES ($1)`, [bytes]);
        },
        close: () => client.end(),
      };
    },
    dispose: async () => {
      const client = admin();
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

const memoryKind: StoreKind = {
  name: 'MemoryStore (not durable, for reference)',
  open: async () => Object.assign(new MemoryStore(), { close: async () => undefined }),
  baseline: async () => null,
  dispose: async () => undefined,
};

/** Average bytes per write and writes per payment, as the channels produced them. */
interface WriteShape {
  writesPerPayment: number;
  bytesPerWrite: number;
}

function baselineBench(
  name: string,
  baseline: Baseline,
  shape: () => WriteShape,
  ops: number,
): Benchmark<Buffer> {
  return {
    name,
    operations: ops,
    prepare: () => Buffer.alloc(Math.max(1, Math.round(shape().bytesPerWrite)), 0x61),
    run: async (n, payload) => {
      const writes = Math.round(n * shape().writesPerPayment);
      for (let i = 0; i < writes; i++) await baseline.insert(payload);
    },
  };
}

async function measureKind(
  kind: StoreKind,
  wide: readonly Pair[],
  chain: SimulatedChain,
): Promise<string[]> {
  const store = await kind.open();
  const counting = new CountingStore(store);
  const oneShape: WriteShape = { writesPerPayment: 3, bytesPerWrite: 1000 };
  const manyShape: WriteShape = { writesPerPayment: 3, bytesPerWrite: 1000 };
  const perPayment = { grouped: 0, single: 0 };
  let tag = 0;
  const sequential = (through: CountingStore, label: string, tx: 'grouped' | 'single') =>
    ({
      name: `1 channel, ${SEQUENTIAL_PAYMENTS} payments in sequence${label}`,
      operations: SEQUENTIAL_PAYMENTS,
      // A fresh channel per sample, so that every sample pays from the same snapshot size.
      prepare: async () => (await openPairs(chain, through, 1, `one-${tag++}`))[0]!,
      run: async (n, pair) => {
        const writes = through.writes;
        const bytes = through.bytes;
        const transactions = through.transactions;
        for (let i = 0; i < n; i++) await payOnce(pair);
        perPayment[tx] = (through.transactions - transactions) / n;
        if (tx === 'single') return;
        oneShape.writesPerPayment = (through.writes - writes) / n;
        oneShape.bytesPerWrite = (through.bytes - bytes) / (through.writes - writes);
      },
    }) satisfies Benchmark<Pair>;
  const one = sequential(counting, '', 'grouped');
  // The same loop with one save per key (what a store without saveAll gets), in the same run.
  const oneByKey = sequential(new CountingStore(store, false), ', one save per key', 'single');
  const pairs = await movePairs(wide, chain, counting);
  let batches = 0;
  let rounds = 0;
  const many: Benchmark<void> = {
    name: `${CHANNELS} channels, one payment each, together`,
    operations: CHANNELS,
    run: async () => {
      const writes = counting.writes;
      const bytes = counting.bytes;
      const before = store.commitStats?.batches ?? 0;
      await Promise.all(pairs.map(payOnce));
      batches += (store.commitStats?.batches ?? 0) - before;
      rounds++;
      manyShape.writesPerPayment = (counting.writes - writes) / CHANNELS;
      manyShape.bytesPerWrite = (counting.bytes - bytes) / (counting.writes - writes);
    },
  };
  const baseline = await kind.baseline();
  const benches: Benchmark<unknown>[] = [
    one as Benchmark<unknown>,
    many as Benchmark<unknown>,
    oneByKey as Benchmark<unknown>,
  ];
  if (baseline) {
    benches.push(
      baselineBench(
        'baseline: durable inserts, 1-channel sizes',
        baseline,
        () => oneShape,
        20,
      ) as Benchmark<unknown>,
      baselineBench(
        `baseline: durable inserts, ${CHANNELS}-channel sizes`,
        baseline,
        () => manyShape,
        100,
      ) as Benchmark<unknown>,
    );
  }
  const [mOne, mMany, mByKey, bOne, bMany] = (await measureGroup(benches, {
    samples: 3,
    warmups: 1,
  })) as Measurement[];
  const lines = [
    line(mOne!, bOne),
    line(mMany!, bMany),
    line(mByKey!, bOne),
    `1 channel: ${perPayment.grouped.toFixed(1)} store transactions per payment with saveAll, ${perPayment.single.toFixed(1)} one save per key; saveAll pays ${(mOne!.opsPerSecond / mByKey!.opsPerSecond).toFixed(2)}x as fast`,
    ...(bOne && bMany ? [line(bOne), line(bMany)] : []),
    `writes per payment: ${oneShape.writesPerPayment.toFixed(1)} of avg ${Math.round(oneShape.bytesPerWrite)} B (1 channel), ${manyShape.writesPerPayment.toFixed(1)} of avg ${Math.round(manyShape.bytesPerWrite)} B (${CHANNELS} channels)` +
      (store.commitStats
        ? `; ${CHANNELS} channels: ${(batches / Math.max(1, rounds)).toFixed(1)} commits per round of ${CHANNELS} payments (${Math.round((manyShape.writesPerPayment * CHANNELS * rounds) / Math.max(1, batches))} writes per commit)`
        : ''),
  ];
  await baseline?.close();
  await store.close();
  await kind.dispose();
  return lines;
}

/** Options of {@link runStoreBenchmarks}. */
export interface StoreBenchOptions {
  /** Which stores to measure: any of `memory`, `sqlite`, `postgres` (default all). */
  readonly stores?: readonly string[];
}

/** Runs the store benchmarks and prints one section per store. */
export async function runStoreBenchmarks(options: StoreBenchOptions = {}): Promise<void> {
  const wanted = new Set(options.stores ?? ['memory', 'sqlite', 'postgres']);
  const chain = new SimulatedChain();
  const started = Date.now();
  // The 1,000 channels are opened once, in memory, then copied into each store under test.
  const wide = await openPairs(chain, new MemoryStore(), CHANNELS, 'wide');
  console.log(`\n(${CHANNELS} channels opened in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const url = process.env.PICOPAYMENTS_PG_URL;
  const kinds = [
    ...(wanted.has('memory') ? [memoryKind] : []),
    ...(wanted.has('sqlite') ? [sqliteKind(false), sqliteKind(true)] : []),
    ...(url && wanted.has('postgres') ? [postgresKind(url, false), postgresKind(url, true)] : []),
  ];
  for (const kind of kinds) {
    console.log(
      section(
        `Durable payments/s: ${kind.name} (baseline op = one payment's writes as plain inserts)`,
        await measureKind(kind, wide, chain),
      ),
    );
  }
  if (!url && wanted.has('postgres'))
    console.log('\n(PostgreSQL skipped: set PICOPAYMENTS_PG_URL to include it)');
}

/** The value after `flag` in argv, if any. */
function argument(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

// Alone: `npx tsx bench/stores.ts [--backend noble|tiny-secp256k1|native] [--stores sqlite,postgres]`.
// A faster signature backend leaves more of each payment's time to the store.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const backend = argument('--backend');
  if (backend) {
    await useSecp256k1Backend(backend as Secp256k1BackendName);
    console.log(`(secp256k1 backend: ${backend})`);
  }
  await runStoreBenchmarks({ stores: argument('--stores')?.split(',') });
}
