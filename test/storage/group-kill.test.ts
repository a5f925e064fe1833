/**
 * Group commit under kill -9: many channels write at once (their writes share batches, one
 * sync each), a child process is SIGKILLed at random moments, and after every kill each
 * channel's log must hold at least what the child was told was durable — never less — and read
 * back without a gap. A control child that acknowledges before the write resolves must be
 * caught, so that the check is known to see a lost acknowledgement.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LogStore } from '../../src/storage/log-store.js';
import { type GroupKillSpec, groupKey, headOf } from './group-kill-scenario.js';
import { bundleWorker } from './kill-harness.js';
import { type StoreSpec, openStore } from './kill-scenario.js';
import { describePostgres } from './postgres-gate.js';
import { PG_URL, freshSchema, pgQuery, removeDir, tempDir } from './stores.js';

const ROOT = resolve(import.meta.dirname, '../..');
const KEYS = 100;
const KILLS = Number(process.env.GROUP_KILL_RUNS ?? 15);
/** PostgreSQL's restarts cost more (connections, one round trip per statement). */
const PG_KILLS = Number(process.env.GROUP_KILL_RUNS ?? 10);

let worker: string;
let dir: string;
beforeAll(async () => {
  worker = await bundleWorker('group-kill-worker.ts');
  dir = tempDir();
});
afterAll(() => {
  removeDir(dir);
  removeDir(join(worker, '..'));
});

/** mulberry32, so that a campaign replays from its printed seed. */
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

/** One child run, killed at a random moment; raises `acked` to what it acknowledged. */
async function runOnce(spec: GroupKillSpec, acked: number[], random: () => number) {
  const child = spawn(process.execPath, [worker], {
    env: {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      GROUP_KILL_SPEC: JSON.stringify(spec),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = () => child.kill('SIGKILL');
  // Now and then while it opens and reads the heads; mostly mid-stream, after a random number of
  // acknowledgements (up to three rounds' worth) and a random few milliseconds more, so that
  // the kill lands inside a batch as often as between two.
  const early = random() < 0.2;
  const earlyMs = Math.floor(random() * 600);
  const acksBeforeKill = Math.floor(random() * KEYS * 3);
  const lateMs = Math.floor(random() * 15);
  const timer = early ? setTimeout(kill, earlyMs) : null;
  const guard = setTimeout(kill, 30_000);
  let failure: string | null = null;
  let ready = false;
  let armed = false;
  let acks = 0;
  const arm = () => {
    if (early || armed || !ready || acks < acksBeforeKill) return;
    armed = true;
    setTimeout(kill, lateMs);
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [word, a, b] = line.split(' ');
    if (word === 'ack') {
      acks++;
      const i = Number(a);
      acked[i] = Math.max(acked[i]!, Number(b));
      arm();
    } else if (word === 'ready') {
      ready = true;
      arm();
    } else if (word === 'error') failure = line;
  });
  await exited;
  if (timer) clearTimeout(timer);
  clearTimeout(guard);
  if (failure) throw new Error(`group kill worker: ${failure}`);
  if (child.signalCode !== 'SIGKILL') throw new Error('group kill worker exited by itself');
  return acks;
}

/** `kills` kill -9 cycles; after each, every channel holds at least what was acknowledged. */
async function campaign(name: string, store: StoreSpec, kills: number, early = false) {
  const seed = process.env.KILL_SEED ? Number(process.env.KILL_SEED) : Date.now() >>> 0;
  process.stdout.write(`[group-kill] ${name}: seed=${seed} (replay: KILL_SEED=${seed})\n`);
  const random = prng(seed);
  const acked = Array.from({ length: KEYS }, () => 0);
  let acks = 0;
  for (let k = 0; k < kills; k++) {
    acks += await runOnce({ store, keys: KEYS, early }, acked, random);
    const s = (await openStore(store)) as unknown as LogStore & { close(): Promise<void> };
    try {
      for (let i = 0; i < KEYS; i++) {
        // records() refuses a log with a gap (STORE_CORRUPT); the head covers every ack.
        const head = await headOf(s, groupKey(i));
        expect(
          head >= acked[i]!,
          `kill ${k}: channel ${i} at ${head}, acknowledged ${acked[i]}`,
        ).toBe(true);
        const snapshot = await s.load(groupKey(i));
        if (snapshot !== null) expect(snapshot).toMatch(/^snapshot \d+$/);
      }
    } finally {
      await s.close();
    }
  }
  const writes = acked.reduce((a, b) => a + b, 0);
  process.stdout.write(
    `[group-kill] ${name}: ${kills} kills, ${acks} acknowledgements over ${KEYS} channels (${writes} appends), none lost\n`,
  );
}

describe('group commit under kill -9', () => {
  test('control: a child that acknowledges before the write is durable is caught', async () => {
    const spec = { backend: 'sqlite', path: join(dir, 'early.db') } as const;
    await expect(campaign('acknowledges early (control)', spec, 10, true)).rejects.toThrow(
      /acknowledged/,
    );
  }, 60_000);

  test(`SqliteStore: ${KILLS} kills of ${KEYS} channels writing together, nothing acknowledged lost`, async () => {
    await campaign('SqliteStore', { backend: 'sqlite', path: join(dir, 'group.db') }, KILLS);
  }, 120_000);
});

describePostgres('PostgreSQL group commit under kill -9', () => {
  const schema = freshSchema();
  afterAll(() => pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).then(() => undefined));

  test(`PostgresStore: ${PG_KILLS} kills of ${KEYS} channels writing together, nothing acknowledged lost`, async () => {
    await campaign('PostgresStore', { backend: 'postgres', url: PG_URL, schema }, PG_KILLS);
  }, 120_000);
});
