import { PayeeChannel } from '../../src/runtime/channels.js';
import type { RegtestNode } from './regtest-node.js';
import { type E2eChannelParams, E2eWorld } from './world.js';

/** One expectation of a scenario and whether it held. */
export interface E2eCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a scenario found. */
export interface E2eResult {
  readonly title: string;
  readonly checks: readonly E2eCheck[];
}

/** Largest virtual size of a channel transaction; times the fee rate it bounds one fee. */
const MAX_TX_VSIZE = 600n;

class Checks {
  readonly list: E2eCheck[] = [];

  equal(name: string, actual: unknown, expected: unknown): void {
    this.list.push({
      name,
      ok: actual === expected,
      detail: `${String(actual)} (expected ${String(expected)})`,
    });
  }

  within(name: string, actual: bigint, low: bigint, high: bigint): void {
    this.list.push({
      name,
      ok: actual >= low && actual <= high,
      detail: `${actual} in [${low}, ${high}]`,
    });
  }
}

function params(id: string, seed: number, extra: Partial<E2eChannelParams> = {}): E2eChannelParams {
  return {
    // A run id keeps channel ids apart on a node that keeps its chain between runs.
    channelId: `e2e-${id}-${Date.now().toString(36)}`,
    depositAmount: 1_000_000n,
    expireTime: 40,
    delayTime: 6,
    clearance: 6,
    feeRate: 2,
    payerKeySeed: seed,
    payeeKeySeed: seed + 1,
    ...extra,
  };
}

async function open(world: E2eWorld): Promise<void> {
  await world.settle();
  if (!world.payer.context.deposit) throw new Error('the payer did not fund the deposit');
  await world.mineUntil(
    () => world.payer.status().state === 'open' && world.payee.status().state === 'open',
    3,
  );
}

function noRefusals(checks: Checks, world: E2eWorld): void {
  checks.equal(
    'no refused messages, commands or broadcasts',
    world.payer.runtime.rejections.length +
      world.payee.runtime.rejections.length +
      world.payer.runtime.broadcastFailures.length +
      world.payee.runtime.broadcastFailures.length,
    0,
  );
}

/** Honest close: payments, a give-back, the payee's close, its payout and the payer's change. */
export async function honestClose(node: RegtestNode): Promise<E2eResult> {
  const p = params('honest', 0x21);
  const world = await E2eWorld.create(node, p);
  try {
    await open(world);
    for (let i = 0; i < 5; i++) {
      await world.payer.pay(2_000n);
      await world.settle();
    }
    const keep = 8_000n;
    await world.payee.revokeUntil(keep);
    await world.settle();
    await world.payee.close();
    await world.settle();
    await world.mineUntil(() => world.payer.done && world.payee.done, p.delayTime + 20);
    const checks = new Checks();
    const maxFee = BigInt(p.feeRate) * MAX_TX_VSIZE;
    checks.equal('payee outcome', world.payee.status().outcome, 'paid-out');
    checks.equal('payer outcome', world.payer.status().outcome, 'settled');
    checks.equal('both agree on the amount', world.payer.status().transferred, keep);
    const payout = await world.paidTo('payout', world.payeeScript);
    checks.equal('payout confirmed', payout.confirmed, 1);
    checks.within(
      'payee received its commit minus one fee',
      payout.value,
      keep - maxFee,
      keep - 1n,
    );
    const change = await world.paidTo('change', world.payerScript);
    checks.equal('change confirmed', change.confirmed, 1);
    checks.within(
      'payer recovered the rest minus commit and change fees',
      change.value,
      p.depositAmount - keep - 2n * maxFee,
      p.depositAmount - keep - 1n,
    );
    noRefusals(checks, world);
    return { title: 'honest close with payout and change', checks: checks.list };
  } finally {
    world.close();
  }
}

/** A payee restored from a stale snapshot publishes a revoked commit; the payer revokes it. */
export async function staleRevokedCommit(node: RegtestNode): Promise<E2eResult> {
  const p = params('revoked', 0x31, { depositAmount: 500_000n, expireTime: 30 });
  const world = await E2eWorld.create(node, p);
  try {
    await open(world);
    for (const amount of [10_000n, 20_000n, 30_000n]) {
      await world.payer.pay(amount);
      await world.settle();
    }
    const revoked = world.payee.status().transferred;
    const versions = world.payeeStore.versions(p.channelId);
    const stale = versions[versions.length - 1]!;
    await world.payee.revokeUntil(10_000n);
    await world.settle();
    world.attachPayee(await PayeeChannel.restore(stale, world.env('payee')));
    await world.payee.close();
    await world.settle();
    await world.mineUntil(() => world.payer.done && world.payee.done, p.expireTime + 20);
    const checks = new Checks();
    const maxFee = BigInt(p.feeRate) * MAX_TX_VSIZE;
    checks.equal('payee outcome', world.payee.status().outcome, 'revoked-by-payer');
    checks.equal('payer outcome', world.payer.status().outcome, 'settled');
    const published = world.payer.context.published;
    checks.equal(
      'the published commit is the revoked one',
      published ? BigInt(published.amount) : null,
      revoked,
    );
    const revoke = await world.paidTo('revoke', world.payerScript);
    const expire = await world.paidTo('expire', world.payerScript);
    checks.equal('revoke confirmed', revoke.confirmed, 1);
    checks.equal(
      'no payout confirmed',
      (await world.paidTo('payout', world.payeeScript)).confirmed,
      0,
    );
    checks.within(
      'payer recovered the deposit minus fees',
      revoke.value + expire.value,
      p.depositAmount - 3n * maxFee,
      p.depositAmount - 1n,
    );
    return { title: 'stale payee publishes a revoked commit', checks: checks.list };
  } finally {
    world.close();
  }
}

/** The payee disappears after being paid; the payer expires the deposit. */
export async function payeeVanishes(node: RegtestNode): Promise<E2eResult> {
  const p = params('vanish', 0x41, { depositAmount: 400_000n, expireTime: 25 });
  const world = await E2eWorld.create(node, p);
  try {
    await open(world);
    await world.payer.pay(5_000n);
    await world.settle();
    world.payeeOnline = false;
    await world.mineUntil(() => world.payer.done, p.expireTime + 20);
    const checks = new Checks();
    const maxFee = BigInt(p.feeRate) * MAX_TX_VSIZE;
    checks.equal('payer outcome', world.payer.status().outcome, 'expired');
    const expire = await world.paidTo('expire', world.payerScript);
    checks.equal('expire confirmed', expire.confirmed, 1);
    checks.within(
      'payer recovered the deposit minus one fee',
      expire.value,
      p.depositAmount - maxFee,
      p.depositAmount - 1n,
    );
    checks.equal(
      'no commit confirmed',
      (await world.paidTo('commit', world.payeeScript)).confirmed,
      0,
    );
    noRefusals(checks, world);
    return { title: 'payee vanishes, payer expires the deposit', checks: checks.list };
  } finally {
    world.close();
  }
}

/** The three scenarios in order. */
export const SCENARIOS = [honestClose, staleRevokedCommit, payeeVanishes] as const;
