/**
 * The kill -9 campaign: a real payer/payee pair persists to the store under test in a child
 * process, which is SIGKILLed at random moments and restarted from the store, over and over.
 * After every kill the parent checks what the store holds against what the child acknowledged;
 * at the end both parties restore once more, close and settle on the chain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { expect } from 'vitest';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { destinationOf } from '../support/channel-harness.js';
import {
  CHANNEL_ID,
  DEPOSIT,
  FUNDING,
  PAYEE_KEY,
  PAYER_KEY,
  PAYMENT,
  type StoreSpec,
  amountsOf,
  depositTxOf,
  fundedChain,
  openStore,
  privateKey,
} from './kill-scenario.js';
import { tempDir } from './stores.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Bundles a worker (`kill-worker.ts` unless told) into one file. Under tsx every start compiles the whole import graph again
 * (about 1.5 s here); bundled, a start takes about 0.15 s, so that 50 kills fit the time budget.
 * The native SQLite binding (and pg's optional native and edge back ends) stay outside and
 * resolve from the project's node_modules.
 */
export async function bundleWorker(entry = 'kill-worker.ts'): Promise<string> {
  const outfile = join(tempDir('picopayments-kill-worker-'), entry.replace(/\.ts$/, '.cjs'));
  await build({
    entryPoints: [join(import.meta.dirname, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['better-sqlite3', 'pg-native', 'cloudflare:sockets'],
    // The stores load their drivers with import(); as require() they resolve through NODE_PATH.
    supported: { 'dynamic-import': false },
    logLevel: 'silent',
  });
  return outfile;
}

/** A small seeded PRNG (mulberry32), so that a campaign can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Env {
  chain: ReturnType<typeof fundedChain>['chain'];
  wallet: ReturnType<typeof fundedChain>['wallet'];
}

function envs(
  store: Awaited<ReturnType<typeof openStore>>,
  { chain, wallet }: Env,
  link: MemoryLink,
) {
  return {
    payer: { chain, transport: link.endpoint('payer'), store, storeKey: PAYER_KEY, wallet },
    payee: { chain, transport: link.endpoint('payee'), store, storeKey: PAYEE_KEY },
  };
}

async function settle(link: MemoryLink, payer: PayerChannel, payee: PayeeChannel): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await payer.sync();
    await payee.sync();
    if ((await link.deliver()) === 0) return;
  }
}

/** Opens the channel with the store under test; returns the parent's chain and the deposit. */
async function openChannel(spec: StoreSpec) {
  const env: Env = fundedChain(bitcoreScriptVerifier);
  const store = await openStore(spec);
  const link = new MemoryLink();
  const e = envs(store, env, link);
  const payer = await PayerChannel.create(
    {
      channelId: CHANNEL_ID,
      network: 'regtest',
      depositAmount: DEPOSIT,
      feeRate: 2,
      expireTime: 200,
      delayTime: 5,
      privateKey: privateKey(1),
      destinationScript: p2wpkhOutputScript(publicKeyOf(privateKey(1))),
      finalityDepth: 1,
      height: env.chain.height,
    },
    e.payer,
  );
  const payee = await PayeeChannel.open(
    {
      channelId: CHANNEL_ID,
      network: 'regtest',
      expireTimeRange: { min: 10, max: 1000 },
      delayTimeRange: { min: 1, max: 100 },
      minFeeRate: 1,
      feeRate: 2,
      clearance: 6,
      privateKey: privateKey(2),
      destinationScript: p2wpkhOutputScript(publicKeyOf(privateKey(2))),
      finalityDepth: 1,
      height: env.chain.height,
    },
    e.payee,
  );
  link.attach('payer', (text) => payer.receive(text).then(() => undefined));
  link.attach('payee', (text) => payee.receive(text).then(() => undefined));
  await settle(link, payer, payee);
  env.chain.mine(1);
  await settle(link, payer, payee);
  expect(payer.status().state).toBe('open');
  expect(payee.status().state).toBe('open');
  const depositTx = await depositTxOf(env.chain, payer.context);
  await store.close();
  return { env, depositTx };
}

interface Run {
  readonly killedBeforeReady: boolean;
  readonly maxAck: bigint;
}

/** Starts the child, kills it at a random moment, resolves what it acknowledged. */
async function runOnce(worker: string, env: NodeJS.ProcessEnv, random: () => number): Promise<Run> {
  const child: ChildProcess = spawn(process.execPath, [worker], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let maxAck = -1n;
  let ready = false;
  let failure: string | null = null;
  // Kill either at a random time from spawn (opening, restoring, catching up) or after a random
  // number of acknowledgements plus a random sub-payment delay (mid-stream, mid-write).
  const early = random() < 0.3;
  const earlyMs = Math.floor(random() * 500);
  const acksBeforeKill = Math.floor(random() * 6);
  const lateMs = Math.floor(random() * 12);
  let acksSeen = 0;
  const kill = () => child.kill('SIGKILL');
  const timer = early ? setTimeout(kill, earlyMs) : null;
  const guard = setTimeout(() => {
    failure = 'child made no progress in 30 s';
    kill();
  }, 30_000);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [word, value] = line.split(' ');
    if (word === 'ack') {
      maxAck = BigInt(value!);
      acksSeen++;
      if (!early && ready && acksSeen >= acksBeforeKill) setTimeout(kill, lateMs);
    } else if (word === 'ready') {
      ready = true;
      acksSeen = 0;
      if (!early && acksBeforeKill === 0) setTimeout(kill, lateMs);
    } else if (word === 'error') {
      failure = line;
    }
  });
  const code = await exited;
  if (timer) clearTimeout(timer);
  clearTimeout(guard);
  if (failure) throw new Error(`kill worker: ${failure}`);
  if (child.signalCode !== 'SIGKILL') throw new Error(`kill worker exited by itself (${code})`);
  return { killedBeforeReady: !ready, maxAck };
}

/** Outcome of {@link killCampaign}, for the test's report line. */
export interface CampaignReport {
  readonly kills: number;
  readonly killedBeforeReady: number;
  /** Kills after which the payer's store was one payment ahead of the payee's. */
  readonly payerAhead: number;
  readonly acknowledged: bigint;
  readonly seed: number;
}

/** Runs `kills` kill -9 cycles against the store `spec` describes, then closes and settles. */
export async function killCampaign(
  name: string,
  spec: StoreSpec,
  worker: string,
  kills: number,
): Promise<CampaignReport> {
  const seed = process.env.KILL_SEED ? Number(process.env.KILL_SEED) : Date.now() >>> 0;
  const random = prng(seed);
  process.stdout.write(`[kill] ${name}: seed=${seed} (replay: KILL_SEED=${seed})\n`);
  // The control's flaw is the child's alone: the parent's own writes and reads are sound.
  const local: StoreSpec = spec.backend === 'sqlite' ? { ...spec, flawed: false } : spec;
  const { env, depositTx } = await openChannel(local);
  const childEnv = {
    ...process.env,
    NODE_PATH: join(ROOT, 'node_modules'),
    KILL_WORKER_SPEC: JSON.stringify({ store: spec, depositTx }),
  };
  let maxAck = 0n;
  let killedBeforeReady = 0;
  let payerAhead = 0;
  for (let i = 0; i < kills; i++) {
    const run = await runOnce(worker, childEnv, random);
    if (run.killedBeforeReady) killedBeforeReady++;
    if (run.maxAck > maxAck) maxAck = run.maxAck;
    // What the store holds after the crash.
    const store = await openStore(local);
    const payerText = (await store.load(PAYER_KEY))!;
    const payeeText = (await store.load(PAYEE_KEY))!;
    const amounts = amountsOf(payerText, payeeText);
    // Every acknowledged payment is there.
    expect(
      amounts.payee >= maxAck,
      `kill ${i}: payee ${amounts.payee} < acknowledged ${maxAck}`,
    ).toBe(true);
    // Consistent: the payer signs before the payee accepts, and waits for each answer.
    expect(amounts.payer - amounts.payee === 0n || amounts.payer - amounts.payee === PAYMENT).toBe(
      true,
    );
    if (amounts.payer > amounts.payee) payerAhead++;
    const amountsIncrease = (xs: readonly { amount: string }[]) =>
      xs.every((c, j) => j === 0 || BigInt(c.amount) > BigInt(xs[j - 1]!.amount));
    expect(amountsIncrease(amounts.payerContext.commits)).toBe(true);
    expect(amountsIncrease(amounts.payeeContext.activeCommits)).toBe(true);
    // Both snapshots restore into open channels.
    const link = new MemoryLink();
    const e = envs(store, env, link);
    expect((await PayerChannel.restore(payerText, e.payer)).status().state).toBe('open');
    expect((await PayeeChannel.restore(payeeText, e.payee)).status().state).toBe('open');
    await store.close();
  }
  await closeAndSettle(local, env, maxAck);
  return { kills, killedBeforeReady, payerAhead, acknowledged: maxAck, seed };
}

/** Restores both parties once more, lets them agree, closes and checks the balances on chain. */
async function closeAndSettle(spec: StoreSpec, env: Env, maxAck: bigint): Promise<void> {
  const store = await openStore(spec);
  const link = new MemoryLink();
  const e = envs(store, env, link);
  const payer = await PayerChannel.restore((await store.load(PAYER_KEY))!, e.payer);
  const payee = await PayeeChannel.restore((await store.load(PAYEE_KEY))!, e.payee);
  link.attach('payer', (text) => payer.receive(text).then(() => undefined));
  link.attach('payee', (text) => payee.receive(text).then(() => undefined));
  await settle(link, payer, payee);
  const transferred = payee.status().transferred;
  expect(transferred >= maxAck).toBe(true);
  expect(payer.status().transferred).toBe(transferred);
  await payee.close();
  await settle(link, payer, payee);
  for (let i = 0; i < 60 && !(payer.done && payee.done); i++) {
    env.chain.mine(1);
    await settle(link, payer, payee);
  }
  expect(payee.status().outcome).toBe('paid-out');
  expect(payer.status().outcome).toBe('settled');
  const payeeBalance = env.chain.balanceOf(destinationOf(privateKey(2)));
  const payerBalance = env.chain.balanceOf(destinationOf(privateKey(1)));
  // The payee gets what was paid, less the fees of its own close and payout.
  expect(payeeBalance <= transferred && payeeBalance > transferred - 5_000n).toBe(true);
  // Conservation: nothing created or lost.
  expect(payerBalance + payeeBalance + env.chain.totalFeesPaid()).toBe(FUNDING);
  expect(payer.runtime.broadcastFailures).toEqual([]);
  await store.close();
}
