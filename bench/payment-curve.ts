/**
 * Cost per payment as one channel grows: payer create, payee accept and both stores' writes,
 * measured at checkpoints (10², 10³, 10⁴ payments; 10⁵ and 10⁶ with `--long`). At each checkpoint
 * a window of payments is timed; bytes handed to the stores, resident memory and the time to
 * restore both parties are read there too. The ratio column is against the first checkpoint,
 * measured in this same run.
 *
 * The channels persist through an `IncrementalStore` (deltas, compacted every 64); `--whole`
 * writes every snapshot whole instead, for comparison; `--sqlite` puts the logs in SQLite files
 * (durable, and the memory held by the process is then only the engine's).
 *
 * Run alone with `npx tsx bench/payment-curve.ts [--long | --max N] [--whole] [--sqlite] [--compact-every N] [--backend noble|tiny-secp256k1|native]`,
 * or as part of `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Secp256k1BackendName, useSecp256k1Backend } from '../src/crypto/index.js';
import { PayeeChannel, PayerChannel } from '../src/runtime/channels.js';
import { MemoryLink } from '../src/runtime/transport.js';
import { IncrementalStore } from '../src/runtime/incremental-store.js';
import { MemoryStore, type StoreWrite } from '../src/runtime/store.js';
import type { LogRecord, LogStore, LogWrite } from '../src/storage/log-store.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { SimulatedChain } from '../src/chain/simulated-chain.js';
import { SingleKeyWallet } from '../src/runtime/wallet.js';
import { destinationOf, testPrivateKey } from '../test/support/channel-harness.js';

/** What the bytes handed to a store were: snapshot deltas, compactions (with their bases), history records, whole snapshots. */
export type WriteKind = 'delta' | 'compaction' | 'history' | 'whole';

const WRITE_KINDS: readonly WriteKind[] = ['delta', 'compaction', 'history', 'whole'];

/** A log store that counts the bytes it is handed and passes everything on. */
class CountingStore implements LogStore {
  bytes = 0;
  writes = 0;
  /** Calls that each are one transaction of the store: single writes and groups. */
  transactions = 0;
  readonly byKind: Record<WriteKind, number> = { delta: 0, compaction: 0, history: 0, whole: 0 };
  constructor(private readonly inner: LogStore) {}
  private count(key: string, value: string, kind: LogWrite['kind'], grouped = false): void {
    this.bytes += key.length + value.length;
    this.writes++;
    if (!grouped) this.transactions++;
    // History records live under `<channel>#<key>` (see `historyStoreKey`); the bases that
    // compactions are written against, under `<channel>#~base/<hash>`.
    const counted: WriteKind =
      kind === 'append'
        ? 'delta'
        : kind === 'compact' || key.includes('#~base/')
          ? 'compaction'
          : key.includes('#')
            ? 'history'
            : 'whole';
    this.byKind[counted] += key.length + value.length;
  }
  load(key: string): Promise<string | null> {
    return this.inner.load(key);
  }
  records(key: string): Promise<LogRecord[]> {
    return this.inner.records(key);
  }
  save(key: string, value: string): Promise<void> {
    this.count(key, value, 'save');
    return this.inner.save(key, value);
  }
  append(key: string, seq: number, data: string): Promise<void> {
    this.count(key, data, 'append');
    return this.inner.append(key, seq, data);
  }
  compact(key: string, value: string, through: number): Promise<void> {
    this.count(key, value, 'compact');
    return this.inner.compact(key, value, through);
  }
  saveAll(writes: readonly StoreWrite[]): Promise<void> {
    return this.writeAll(writes.map((w) => ({ kind: 'save', ...w })));
  }
  writeAll(writes: readonly LogWrite[]): Promise<void> {
    this.transactions++;
    for (const w of writes)
      this.count(w.key, w.kind === 'append' ? w.data : w.snapshot, w.kind, true);
    return this.inner.writeAll!(writes);
  }
}

/** How the curve's channel persists. */
export interface CurveOptions {
  /** Write every snapshot whole (the plain `Store` contract) instead of as deltas. */
  readonly whole?: boolean;
  /** The logs under the counting stores: in memory (default) or SQLite files in a temp dir. */
  readonly store?: 'memory' | 'sqlite';
  /** Deltas between compactions of the incremental store (its default when omitted). */
  readonly compactEvery?: number;
}

/** One checkpoint of the curve. */
export interface CurvePoint {
  readonly payments: number;
  readonly microsecondsPerPayment: number;
  readonly bytesPerPayment: number;
  readonly writesPerPayment: number;
  /** Store transactions per payment (a channel step's writes are one group). */
  readonly transactionsPerPayment: number;
  readonly rssMiB: number;
  readonly restoreMs: number;
  readonly payeeSnapshotBytes: number;
  /** Bytes per payment by what they were, both stores together. */
  readonly bytesByKind: Readonly<Record<WriteKind, number>>;
}

const WINDOW = 200;

/** Runs one channel to the largest checkpoint and measures each. */
export async function paymentCurve(
  checkpoints: readonly number[],
  options: CurveOptions = {},
): Promise<CurvePoint[]> {
  const chain = new SimulatedChain();
  const link = new MemoryLink();
  const dir = options.store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'payment-curve-')) : '';
  const open = async (name: string): Promise<LogStore> =>
    options.store === 'sqlite' ? SqliteStore.open(join(dir, `${name}.db`)) : new MemoryStore();
  const stores = {
    payer: new CountingStore(await open('payer')),
    payee: new CountingStore(await open('payee')),
  };
  // What the channels write through: deltas over the counting log, or whole snapshots.
  const incremental = options.compactEvery ? { compactEvery: options.compactEvery } : {};
  const through = (log: CountingStore) =>
    options.whole ? log : new IncrementalStore(log, incremental);
  const loadFresh = (log: CountingStore) => through(log).load('curve');
  const payerKey = testPrivateKey(1);
  const payeeKey = testPrivateKey(2);
  const wallet = new SingleKeyWallet(chain, payerKey);
  wallet.addCoin(chain.fund(wallet.outputScript, 2_000_000_000n), 2_000_000_000n);
  const last = checkpoints[checkpoints.length - 1]!;
  const payerEnv = {
    chain,
    transport: link.endpoint('payer'),
    store: through(stores.payer),
    storeKey: 'curve',
    wallet,
  };
  const payeeEnv = {
    chain,
    transport: link.endpoint('payee'),
    store: through(stores.payee),
    storeKey: 'curve',
  };
  const payer = await PayerChannel.create(
    {
      channelId: 'curve',
      network: 'regtest',
      // One satoshi per payment, so that a million payments fit.
      depositAmount: 1_500_000_000n,
      feeRate: 1,
      expireTime: 1000,
      delayTime: 5,
      privateKey: payerKey,
      destinationScript: destinationOf(payerKey),
      finalityDepth: 1,
      height: chain.height,
    },
    payerEnv,
  );
  const payee = await PayeeChannel.open(
    {
      channelId: 'curve',
      network: 'regtest',
      expireTimeRange: { min: 10, max: 2000 },
      delayTimeRange: { min: 1, max: 100 },
      minFeeRate: 1,
      feeRate: 1,
      clearance: 6,
      privateKey: payeeKey,
      destinationScript: destinationOf(payeeKey),
      finalityDepth: 1,
      height: chain.height,
    },
    payeeEnv,
  );
  link.attach('payer', (text) => payer.receive(text).then(() => undefined));
  link.attach('payee', (text) => payee.receive(text).then(() => undefined));
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await payer.sync();
      await payee.sync();
      if ((await link.deliver()) === 0) return;
    }
  };
  await settle();
  chain.mine(1);
  await settle();
  // First payment at 1,000 sat (above dust), then 1 sat each.
  const pay = async (amount: bigint) => {
    await payer.pay(amount);
    await link.deliver();
  };
  await pay(1_000n);
  let made = 1;
  const points: CurvePoint[] = [];
  for (const checkpoint of checkpoints) {
    while (made < checkpoint - WINDOW) {
      await pay(1n);
      made++;
    }
    const bytes = stores.payer.bytes + stores.payee.bytes;
    const writes = stores.payer.writes + stores.payee.writes;
    const transactions = stores.payer.transactions + stores.payee.transactions;
    const kinds = byKind(stores.payer, stores.payee);
    const started = performance.now();
    for (let i = 0; i < WINDOW; i++) await pay(1n);
    const elapsed = performance.now() - started;
    made += WINDOW;
    const restoreStart = performance.now();
    await PayerChannel.restore((await loadFresh(stores.payer))!, { ...payerEnv });
    await PayeeChannel.restore((await loadFresh(stores.payee))!, { ...payeeEnv });
    const restoreMs = performance.now() - restoreStart;
    if (payee.runtime.rejections.length + payer.runtime.rejections.length > 0)
      throw new Error(`refusals during the curve: ${JSON.stringify(payee.runtime.rejections[0])}`);
    points.push({
      payments: made,
      microsecondsPerPayment: (elapsed * 1000) / WINDOW,
      bytesPerPayment: (stores.payer.bytes + stores.payee.bytes - bytes) / WINDOW,
      writesPerPayment: (stores.payer.writes + stores.payee.writes - writes) / WINDOW,
      transactionsPerPayment:
        (stores.payer.transactions + stores.payee.transactions - transactions) / WINDOW,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      restoreMs,
      payeeSnapshotBytes: (await loadFresh(stores.payee))!.length,
      bytesByKind: Object.fromEntries(
        WRITE_KINDS.map((k) => [k, (byKind(stores.payer, stores.payee)[k] - kinds[k]) / WINDOW]),
      ) as Record<WriteKind, number>,
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (payee.status().transferred !== BigInt(last) + 999n)
    throw new Error(`payee holds ${payee.status().transferred}, expected ${last + 999}`);
  return points;
}

function byKind(a: CountingStore, b: CountingStore): Record<WriteKind, number> {
  return Object.fromEntries(WRITE_KINDS.map((k) => [k, a.byKind[k] + b.byKind[k]])) as Record<
    WriteKind,
    number
  >;
}

/** The curve as report lines, with each cost as a ratio to the first checkpoint's. */
export function curveLines(points: readonly CurvePoint[]): string[] {
  const first = points[0]!;
  const rows = points.map(
    (p) =>
      `${String(p.payments).padStart(9)}  ${p.microsecondsPerPayment.toFixed(0).padStart(8)} us  ${(p.microsecondsPerPayment / first.microsecondsPerPayment).toFixed(2).padStart(6)}x  ${p.bytesPerPayment.toFixed(0).padStart(7)} B  ${p.writesPerPayment.toFixed(1).padStart(5)}  ${p.transactionsPerPayment.toFixed(1).padStart(5)}  ${p.payeeSnapshotBytes.toString().padStart(8)} B  ${p.rssMiB.toFixed(0).padStart(6)} MiB  ${p.restoreMs.toFixed(1).padStart(7)} ms`,
  );
  const last = points[points.length - 1]!;
  const split = WRITE_KINDS.filter((k) => last.bytesByKind[k] > 0)
    .map((k) => `${k} ${last.bytesByKind[k].toFixed(0)} B`)
    .join(', ');
  return [
    `${'payment #'.padStart(9)}  ${'per pay'.padStart(11)}  ${'ratio'.padStart(7)}  ${'stored'.padStart(9)}  ${'saves'.padStart(5)}  ${'txns'.padStart(5)}  ${'payee snap'.padStart(10)}  ${'RSS'.padStart(10)}  ${'restore'.padStart(10)}`,
    ...rows,
    `(per pay: payer create + payee accept + all store writes, ${WINDOW} payments timed at each checkpoint; ratio against the first checkpoint; stored: bytes handed to both stores per payment; saves: store writes per payment; txns: store transactions per payment (one per channel step); restore: both parties from their stores)`,
    `(stored per payment at payment ${last.payments}, both stores: ${split})`,
  ];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const long = args.includes('--long');
  const backendAt = args.indexOf('--backend');
  const backend = (backendAt >= 0 ? args[backendAt + 1] : 'noble') as Secp256k1BackendName;
  await useSecp256k1Backend(backend);
  const maxAt = args.indexOf('--max');
  const max = maxAt >= 0 ? Number(args[maxAt + 1]) : long ? 1_000_000 : 10_000;
  const checkpoints = [100, 1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= max);
  const whole = args.includes('--whole');
  const store = args.includes('--sqlite') ? 'sqlite' : 'memory';
  const compactAt = args.indexOf('--compact-every');
  const compactEvery = compactAt >= 0 ? Number(args[compactAt + 1]) : undefined;
  console.log(
    `Cost per payment on one channel (${backend} backend, ${whole ? 'whole snapshots' : 'incremental store'} over ${store})`,
  );
  for (const line of curveLines(await paymentCurve(checkpoints, { whole, store, compactEvery })))
    console.log(`  ${line}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
