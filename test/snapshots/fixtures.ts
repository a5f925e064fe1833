import type { PayeeContext } from '../../src/machines/context.js';
import { PayeeChannel } from '../../src/runtime/channels.js';
import { encodeChannelSnapshot } from '../../src/snapshots/codec.js';
import { compactRecordObjects, readSnapshotMachine } from '../../src/snapshots/compact-snapshot.js';
import { unpackHex } from '../../src/snapshots/packed-hex.js';
import type { SnapshotRole } from '../../src/snapshots/schema.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import {
  type TestChannel,
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';
import { snapshotContext } from '../support/snapshot-context.js';

/** A persisted snapshot of a real channel, in the versioned envelope. */
export interface RealSnapshot {
  readonly scenario: string;
  readonly role: SnapshotRole;
  /** Flattened state value, e.g. `settling.commitOutput.revoking,remainder.waiting`. */
  readonly state: string;
  readonly text: string;
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => `${key}.${stateName(inner)}`)
    .join(',');
}

/** The same snapshot as version 2 stored it: every commit record whole. */
export function asVersion2(text: string): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify({ ...parsed, version: 2, machine: readSnapshotMachine(text) });
}

/**
 * The same snapshot as version 3 stored it: commit records compact objects, hex as it is, the
 * payee's `activeDepth` a plain count.
 */
export function asVersion3(text: string): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const compact = compactRecordObjects(unpackHex(parsed.machine)) as {
    context: Record<string, unknown>;
  };
  const { context } = compact;
  if (context.role === 'payee' && (context.activeDepth as number) < 0)
    context.activeDepth = (context.revokeCounter as number) + 1 + (context.activeDepth as number);
  return JSON.stringify({ ...parsed, version: 3, machine: compact });
}

/** Wraps a persisted snapshot text of the runtime in the versioned envelope. */
export function envelope(text: string, role: SnapshotRole): string {
  return encodeChannelSnapshot(JSON.parse(text), role);
}

class Collector {
  readonly snapshots: RealSnapshot[] = [];
  private readonly seen = new Set<string>();

  add(scenario: string, role: SnapshotRole, raw: string): void {
    if (this.seen.has(raw)) return;
    this.seen.add(raw);
    // The runtime persists enveloped snapshots; bare machine snapshots are wrapped.
    const parsed = JSON.parse(raw) as { machine?: { value: unknown }; value?: unknown };
    const state = stateName(parsed.machine ? parsed.machine.value : parsed.value);
    this.snapshots.push({
      scenario,
      role,
      state,
      text: parsed.machine ? raw : envelope(raw, role),
    });
  }

  /** Everything either party ever persisted, plus their current snapshots. */
  harvest(scenario: string, t: TestChannel): void {
    for (const text of t.payerStore.versions(t.payerEnv.storeKey))
      this.add(scenario, 'payer', text);
    for (const text of t.payeeStore.versions(t.payeeEnv.storeKey))
      this.add(scenario, 'payee', text);
    this.add(scenario, 'payer', t.payer.snapshot());
    this.add(scenario, 'payee', t.payee.snapshot());
  }
}

async function opened(): Promise<TestChannel> {
  // Transactions are judged by bitcore in test/runtime; here only what the machines persist matters.
  // Three confirmations to finality, so that the confirming states are persisted too.
  const t = await openTestChannel({
    verify: false,
    expireTime: 30,
    delayTime: 5,
    finalityDepth: 3,
  });
  await settle(t);
  await mine(t, 1);
  return t;
}

async function mineUntilDone(t: TestChannel, c: Collector, name: string): Promise<void> {
  for (let i = 0; i < 80 && !(t.payer.done && t.payee.done); i++) {
    await mine(t, 1);
    c.harvest(name, t);
  }
  if (!(t.payer.done && t.payee.done)) throw new Error(`${name}: channel did not finish`);
}

async function happyPath(c: Collector): Promise<void> {
  const name = 'happy';
  const t = await opened();
  c.harvest(name, t);
  for (const amount of [15_000n, 15_000n, 20_000n]) {
    await t.payer.pay(amount);
    await settle(t);
    c.harvest(name, t);
  }
  await t.payee.revokeUntil(30_000n);
  await settle(t);
  c.harvest(name, t);
  await t.payee.close();
  await settle(t);
  c.harvest(name, t);
  await mineUntilDone(t, c, name);
}

async function revokedCommitPath(c: Collector): Promise<void> {
  const name = 'revoked';
  const t = await opened();
  for (const amount of [10_000n, 40_000n]) {
    await t.payer.pay(amount);
    await settle(t);
    c.harvest(name, t);
  }
  await t.payee.revokeUntil(10_000n);
  await settle(t);
  c.harvest(name, t);
  // The payee restarts from a stale snapshot that still holds the revoked commit, and closes.
  const stale = [...t.payeeStore.versions(t.payeeEnv.storeKey)]
    .reverse()
    .find((text) =>
      snapshotContext<PayeeContext>(text).activeCommits.some((commit) => commit.amount === '50000'),
    );
  if (!stale) throw new Error('no stale snapshot');
  t.payee = await PayeeChannel.restore(stale, t.payeeEnv);
  await t.payee.close();
  await settle(t);
  c.harvest(name, t);
  await mineUntilDone(t, c, name);
}

async function expiredPath(c: Collector): Promise<void> {
  const name = 'expired';
  const t = await opened();
  await t.payer.pay(12_000n);
  await settle(t);
  c.harvest(name, t);
  // The payee vanishes: only the payer follows the chain, until it takes the deposit back.
  let payeeLooked = false;
  for (let i = 0; i < 60 && !t.payer.done; i++) {
    t.chain.mine(1);
    await t.payer.sync();
    // The payee looks once while the expire waits for finality, and sees it confirmed.
    if (!payeeLooked && t.payer.status().state === 'expireConfirming') {
      payeeLooked = true;
      await t.payee.sync();
    }
    c.harvest(name, t);
  }
  if (!t.payer.done) throw new Error('expired: payer did not finish');
  // Back online, the payee finds the deposit taken.
  await t.payee.sync();
  c.harvest(name, t);
  if (!t.payee.done) throw new Error('expired: payee did not finish');
}

async function nothingToClaimPath(c: Collector): Promise<void> {
  const name = 'nothing-to-claim';
  const t = await opened();
  await t.payee.close();
  await settle(t);
  c.harvest(name, t);
}

async function abortedPath(c: Collector): Promise<void> {
  const name = 'aborted';
  const t = await openTestChannel({ verify: false });
  c.harvest(name, t);
  await t.payee.close();
  await t.payer.close();
  c.harvest(name, t);
}

async function timedOutPath(c: Collector): Promise<void> {
  const name = 'timed-out';
  const chain = new SimulatedChain();
  const store = new MemoryStore({ keepVersions: true });
  const env = { chain, transport: new MemoryLink().endpoint('payee'), store, storeKey: name };
  // No payer ever answers: the payee gives the offer up after its funding timeout.
  const payee = await PayeeChannel.open(
    {
      channelId: name,
      network: 'regtest',
      expireTimeRange: { min: 10, max: 1000 },
      delayTimeRange: { min: 1, max: 100 },
      minFeeRate: 1,
      feeRate: 2,
      clearance: 6,
      fundingTimeout: 5,
      privateKey: testPrivateKey(3),
      destinationScript: destinationOf(testPrivateKey(3)),
      height: chain.height,
    },
    env,
  );
  for (let i = 0; i < 10 && !payee.done; i++) {
    chain.mine(1);
    await payee.sync();
  }
  if (!payee.done) throw new Error('timed-out: payee did not give up');
  for (const text of store.versions(name)) c.add(name, 'payee', text);
  c.add(name, 'payee', payee.snapshot());
}

let cached: Promise<RealSnapshot[]> | null = null;

/**
 * Snapshots of real channels at every stage they persist: a happy path with a give-back and
 * payout, a revoked commit published by a stale payee and revoked by the payer, a deposit
 * expired by the payer after the payee vanished, channels given up before funding, and an
 * offer the payee gave up when no deposit came.
 */
export function realSnapshots(): Promise<RealSnapshot[]> {
  cached ??= (async () => {
    const c = new Collector();
    await happyPath(c);
    await revokedCommitPath(c);
    await expiredPath(c);
    await nothingToClaimPath(c);
    await abortedPath(c);
    await timedOutPath(c);
    return c.snapshots;
  })();
  return cached;
}
