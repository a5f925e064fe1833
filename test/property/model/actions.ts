import fc from 'fast-check';
import { expect } from 'vitest';
import { parseAmount } from '../../../src/messages/amount.js';
import {
  payerExposure,
  publishedWasRevoked,
  revokeEconomic,
  type Settlement,
  traceSettlement,
} from './accounting.js';
import { FORGERIES, type Forgery, forgeCommit } from './forgeries.js';
import {
  type ChannelParams,
  type Dishonest,
  type Side,
  World,
  type WorldOptions,
} from './world.js';

/** One step of a run. Indices are taken modulo what exists when the step runs. */
export type Action =
  | { readonly kind: 'pay'; readonly mode: 'small' | 'share' | 'beyond'; readonly value: number }
  | {
      readonly kind: 'revoke-until';
      readonly pick: number;
      readonly exact: boolean;
      readonly surpass: boolean;
    }
  /** A payment or give-back followed by delivery of every message in flight. */
  | { readonly kind: 'round'; readonly step: Action }
  | { readonly kind: 'mine'; readonly blocks: number }
  | { readonly kind: 'reorg'; readonly depth: number }
  /** The next calls of one party's store, transport or chain adapter fail. */
  | {
      readonly kind: 'fault';
      readonly target: 'store' | 'transport' | 'chain';
      readonly side: Side;
      readonly count: number;
    }
  /** A miner includes malleated copies of the next channel broadcasts (any kind). */
  | { readonly kind: 'malleate'; readonly count: number }
  | { readonly kind: 'deliver'; readonly count: number }
  | { readonly kind: 'deliver-all' }
  | { readonly kind: 'drop' | 'duplicate' | 'reorder' | 'delay'; readonly index: number }
  | { readonly kind: 'crash' | 'restart'; readonly side: Side }
  /** The party's process dies at its next store write after `after` more (that write is lost). */
  | { readonly kind: 'crash-at-write'; readonly side: Side; readonly after: number }
  | { readonly kind: 'payee-close' | 'payer-close' }
  // A dishonest payee:
  | { readonly kind: 'publish-held'; readonly pick: number; readonly preferRevoked: boolean }
  | { readonly kind: 'stale-payee'; readonly pick: number }
  | { readonly kind: 'payee-vanish' }
  // A dishonest payer:
  | { readonly kind: 'forge'; readonly forgery: Forgery; readonly delta: number }
  | { readonly kind: 'early-expire' }
  | { readonly kind: 'stale-payer'; readonly pick: number };

const side = fc.constantFrom<Side>('payer', 'payee');
const index = fc.nat({ max: 50 });

const w = (weight: number, arbitrary: fc.Arbitrary<Action>): fc.WeightedArbitrary<Action> => ({
  weight,
  arbitrary,
});

/** Actions every run may take, weighted so that payments and give-backs meet delivered messages. */
const common = [
  w(
    4,
    fc.record({
      kind: fc.constant('pay' as const),
      mode: fc.constantFrom(
        'small' as const,
        'share' as const,
        'share' as const,
        'beyond' as const,
      ),
      value: fc.integer({ min: 1, max: 1000 }),
    }),
  ),
  w(
    4,
    fc.record({
      kind: fc.constant('pay' as const),
      mode: fc.constant('share' as const),
      value: fc.integer({ min: 1, max: 150 }),
    }),
  ),
  w(
    4,
    fc.record({
      kind: fc.constant('revoke-until' as const),
      pick: fc.nat({ max: 1000 }),
      exact: fc.boolean(),
      surpass: fc.boolean(),
    }),
  ),
  w(
    6,
    fc.record({
      kind: fc.constant('round' as const),
      step: fc.oneof(
        fc.record({
          kind: fc.constant('pay' as const),
          mode: fc.constant('share' as const),
          value: fc.integer({ min: 1, max: 120 }),
        }),
        fc.record({
          kind: fc.constant('revoke-until' as const),
          pick: fc.nat({ max: 1000 }),
          exact: fc.boolean(),
          surpass: fc.boolean(),
        }),
      ),
    }),
  ),
  w(3, fc.record({ kind: fc.constant('mine' as const), blocks: fc.integer({ min: 1, max: 6 }) })),
  w(3, fc.record({ kind: fc.constant('deliver' as const), count: fc.integer({ min: 1, max: 4 }) })),
  w(6, fc.constant({ kind: 'deliver-all' as const })),
  w(
    3,
    fc.record({
      kind: fc.constantFrom(
        'drop' as const,
        'duplicate' as const,
        'reorder' as const,
        'delay' as const,
      ),
      index,
    }),
  ),
  w(2, fc.record({ kind: fc.constantFrom('crash' as const, 'restart' as const), side })),
  w(
    2,
    fc.record({
      kind: fc.constant('crash-at-write' as const),
      side,
      after: fc.integer({ min: 0, max: 5 }),
    }),
  ),
  w(1, fc.constantFrom({ kind: 'payee-close' as const }, { kind: 'payer-close' as const })),
  w(2, fc.record({ kind: fc.constant('reorg' as const), depth: fc.integer({ min: 1, max: 2 }) })),
  w(
    1,
    fc.record({ kind: fc.constant('malleate' as const), count: fc.integer({ min: 1, max: 3 }) }),
  ),
];

const payeeCheats = [
  w(
    4,
    fc.record({
      kind: fc.constant('publish-held' as const),
      pick: fc.nat({ max: 100 }),
      preferRevoked: fc.constantFrom(true, true, true, false),
    }),
  ),
  w(2, fc.record({ kind: fc.constant('stale-payee' as const), pick: fc.nat({ max: 100 }) })),
  w(1, fc.constant({ kind: 'payee-vanish' as const })),
];

const payerCheats = [
  w(
    8,
    fc.record({
      kind: fc.constant('forge' as const),
      forgery: fc.constantFrom(...FORGERIES),
      delta: fc.nat({ max: 5000 }),
    }),
  ),
  w(2, fc.constant({ kind: 'early-expire' as const })),
  w(1, fc.record({ kind: fc.constant('stale-payer' as const), pick: fc.nat({ max: 100 }) })),
];

/** The action list of a run with the given dishonest party. */
export function actionsArb(dishonest: Dishonest, maxActions: number): fc.Arbitrary<Action[]> {
  const cheats = dishonest === 'payee' ? payeeCheats : dishonest === 'payer' ? payerCheats : [];
  const action: fc.Arbitrary<Action> = fc.oneof(...common, ...cheats);
  return fc.array(action, {
    minLength: Math.min(12, maxActions),
    maxLength: maxActions,
    size: 'max',
  });
}

/** Random channel parameters (PROTOCOL.md §2) within the ranges the suites exercise. */
export const paramsArb: fc.Arbitrary<ChannelParams> = fc
  .record({
    depositAmount: fc.oneof(
      fc.bigInt({ min: 20_000n, max: 200_000n }),
      fc.bigInt({ min: 200_000n, max: 5_000_000n }),
    ),
    expireTime: fc.integer({ min: 20, max: 80 }),
    delayTime: fc.integer({ min: 2, max: 10 }),
    clearance: fc.integer({ min: 3, max: 6 }),
    payerFeeRate: fc.integer({ min: 1, max: 5 }),
    payeeMinFeeRate: fc.integer({ min: 1, max: 3 }),
    payeeFeeRate: fc.integer({ min: 1, max: 5 }),
    spendSecret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    revokeSeed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    closeMode: fc.constantFrom('command' as const, 'deadline' as const),
    cheatAtClose: fc.boolean(),
    // 2 is the tight bound for a payer that syncs after every block (see the suite's comment).
    minDelayTime: fc.integer({ min: 2, max: 10 }),
    maxExpireTime: fc.integer({ min: 20, max: 200 }),
    finalityDepth: fc.integer({ min: 2, max: 3 }),
    recoveryReorgEvery: fc.constantFrom(0, 2, 3, 5),
    offerCheat: fc.constantFrom(
      'none' as const,
      'delay-below' as const,
      'expire-above' as const,
      'at-bounds' as const,
    ),
  })
  .map((p) => {
    const minDelayTime = Math.min(p.minDelayTime, p.delayTime);
    const maxExpireTime = Math.max(p.maxExpireTime, p.expireTime);
    // At the bounds the payee offers exactly the payer's bounds, which then are the times used.
    const atBounds = p.offerCheat === 'at-bounds';
    return {
      ...p,
      payeeMinFeeRate: Math.min(p.payeeMinFeeRate, p.payerFeeRate),
      minDelayTime: atBounds ? p.delayTime : minDelayTime,
      maxExpireTime: atBounds ? p.expireTime : maxExpireTime,
    };
  });

function payAmount(w: World, action: Extract<Action, { kind: 'pay' }>): bigint {
  const deposit = w.params.depositAmount;
  switch (action.mode) {
    case 'small':
      return BigInt(action.value);
    case 'share':
      return (deposit * BigInt(action.value)) / 1000n + 1n;
    case 'beyond':
      return deposit + BigInt(action.value);
  }
}

function revokeTarget(w: World, action: Extract<Action, { kind: 'revoke-until' }>): bigint {
  const active = w.payee?.context.activeCommits.map((c) => parseAmount(c.amount)) ?? [];
  if (action.exact && active.length > 0) return active[action.pick % active.length]!;
  const top = active.at(-1) ?? 0n;
  return (top * BigInt(action.pick % 1001)) / 1000n;
}

/**
 * A snapshot version to restart from: any of them, but mostly one of the last few (a restart
 * from before the deposit only ends the channel early).
 */
function staleIndex(w: World, side: Side, pick: number): number {
  const n = w.stores[side].versions('model-channel').length;
  return pick % 4 === 0 ? pick % n : Math.max(0, n - 1 - (pick % Math.min(n, 6)));
}

/** Carries out one action. */
export async function perform(w: World, action: Action): Promise<void> {
  const queue = w.link.queue;
  switch (action.kind) {
    case 'pay': {
      const payer = w.payer;
      if (!payer) return;
      const amount = payAmount(w, action);
      await w.command('payer', `pay ${amount}`, () => payer.pay(amount));
      return;
    }
    case 'revoke-until':
      await w.revokeUntil(revokeTarget(w, action), action.surpass);
      return;
    case 'round':
      await perform(w, action.step);
      await w.deliverAll();
      return;
    case 'mine':
      w.note(`mine ${action.blocks}`);
      await w.mine(action.blocks);
      return;
    case 'reorg':
      await w.reorg(action.depth);
      return;
    case 'fault':
      w.note(`the next ${action.count} ${action.target} calls of the ${action.side} fail`);
      w.faults[action.target][action.side] += action.count;
      return;
    case 'malleate':
      w.note(`miner malleates the next ${action.count} broadcasts`);
      w.malleateBroadcasts = action.count;
      return;
    case 'deliver':
      for (let i = 0; i < action.count; i++) await w.deliverAt(0);
      return;
    case 'deliver-all':
      await w.deliverAll();
      return;
    case 'drop':
      if (queue.length > 0) queue.splice(action.index % queue.length, 1);
      return;
    case 'duplicate':
      if (queue.length > 0) queue.push(queue[action.index % queue.length]!);
      return;
    case 'reorder':
      if (queue.length > 0) queue.unshift(...queue.splice(action.index % queue.length, 1));
      return;
    case 'delay':
      if (queue.length > 0) queue.push(...queue.splice(action.index % queue.length, 1));
      return;
    case 'crash':
      if (action.side === 'payee' && w.payeeGone) return;
      w.crash(action.side);
      return;
    case 'crash-at-write':
      if (!w.party(action.side)) return;
      w.note(`the ${action.side} dies at its store write ${action.after + 1} from now`);
      w.crashAtWrite[action.side] = action.after;
      return;
    case 'restart':
      if (w.party(action.side) || (action.side === 'payee' && w.payeeGone)) return;
      await w.restart(action.side);
      return;
    case 'payee-close': {
      const payee = w.payee;
      if (payee) await w.command('payee', 'close', () => payee.close());
      return;
    }
    case 'payer-close': {
      const payer = w.payer;
      if (payer) await w.command('payer', 'close', () => payer.close());
      return;
    }
    case 'publish-held':
      w.publishHeldCommit(action.pick, action.preferRevoked);
      return;
    case 'stale-payee': {
      if (w.payeeGone) return;
      w.crash('payee');
      await w.restart('payee', staleIndex(w, 'payee', action.pick));
      return;
    }
    case 'payee-vanish':
      w.crash('payee');
      w.payeeGone = true;
      return;
    case 'forge': {
      const text = forgeCommit(w, action.forgery, action.delta);
      if (text === null) return;
      w.note(`forged ${action.forgery}`);
      await w.receive('payee', text, 'forged');
      return;
    }
    case 'early-expire':
      w.tryEarlyExpire();
      return;
    case 'stale-payer': {
      w.crash('payer');
      await w.restart('payer', staleIndex(w, 'payer', action.pick));
      return;
    }
  }
}

function honestDone(w: World): boolean {
  const payerDone = !w.honest('payer') || (w.payer?.done ?? false);
  const payeeDone = !w.honest('payee') || (w.payee?.done ?? false);
  return payerDone && payeeDone;
}

/**
 * Drives the channel to its end: crashed parties come back from their latest snapshot, messages
 * are delivered, the payee closes (told to, or by itself at the clearance deadline), and blocks
 * are mined until every honest machine is final. A channel still open after the bound is stuck.
 */
export async function recover(w: World): Promise<void> {
  w.note('recovery');
  // Crashes belong to the random phase: the recovery is the parties' honest watching.
  w.crashAtWrite.payer = null;
  w.crashAtWrite.payee = null;
  for (const s of ['payer', 'payee'] as const) {
    if (!w.party(s) && !(s === 'payee' && w.payeeGone)) await w.restart(s);
  }
  await w.deliverAll();
  await w.syncAll();
  await w.deliverAll();
  // A cheating payee's last chance: publish a commit it gave back before it would close.
  if (w.dishonest === 'payee' && w.params.cheatAtClose) w.publishHeldCommit(0, true);
  const payee = w.payee;
  if (w.params.closeMode === 'command' && payee && !payee.done)
    await w.command('payee', 'close', () => payee.close());
  const bound = 2 * w.params.expireTime + w.params.delayTime + 40;
  for (let i = 0; i < bound && !honestDone(w); i++) {
    await w.mine(1);
    // Settling transactions are broadcast now: reorganise them out, as deep as finality allows.
    const every = w.params.recoveryReorgEvery;
    if (every > 0 && i % every === every - 1) await w.reorg(w.params.finalityDepth - 1);
    await w.deliverAll();
  }
  // A few more blocks so that pending recoveries of the other party confirm too.
  await w.mine(2);
  await w.deliverAll();
}

/** PROTOCOL.md §8 properties 1–4 at the end of a run (property 5 is checked at every refusal). */
export async function checkOutcome(w: World): Promise<Settlement> {
  const D = w.params.depositAmount;
  const s = await traceSettlement(w);
  const leftover = s.leftovers.reduce((a, l) => a + l.value, 0n);
  const fees = s.payerFees + s.payeeFees;
  // (3) Conservation: every satoshi of the deposit is with a party, a fee, or still in a channel output.
  expect(s.foreign, 'value paid to a script of neither party').toBe(0n);
  expect(s.payer + s.payee + fees + leftover, 'conservation').toBe(D);
  // (4) Liveness: honest machines final; nothing an honest party could economically claim is left.
  if (w.honest('payer')) expect(w.payer?.done, 'the payer machine is stuck').toBe(true);
  if (w.honest('payee')) expect(w.payee?.done, 'the payee machine is stuck').toBe(true);
  for (const l of s.leftovers) {
    if (w.honest(l.owner))
      expect(l.uneconomic, `${l.owner} left ${l.value} unclaimed in a ${l.kind} output`).toBe(true);
  }
  const stuck = (owner: Side) =>
    s.leftovers.filter((l) => l.owner === owner && l.uneconomic).reduce((a, l) => a + l.value, 0n);
  // (1) Payer safety.
  if (w.honest('payer')) {
    const revokedPublished =
      s.published !== null && publishedWasRevoked(w, s.published.commitScript);
    // A revoked commit whose output is too small to revoke economically is dust to the payer.
    const revokable =
      revokedPublished && revokeEconomic(w, s.published!.commitScript, s.published!.amount);
    const exposure = revokable ? 0n : revokedPublished ? s.published!.amount : payerExposure(w);
    const bound = D - exposure;
    expect(
      s.payer + s.payerFees + stuck('payer') + (revokedPublished ? stuck('payee') : 0n),
      `payer safety: got ${s.payer}, fees ${s.payerFees}, exposure ${exposure}`,
    ).toBeGreaterThanOrEqual(bound);
    if (revokable && stuck('payer') === 0n)
      expect(s.payee, 'the payee kept a revoked commit').toBe(0n);
  }
  // (2) Payee safety.
  if (w.honest('payee')) {
    const entitled = w.payeeEntitled.reduce((m, a) => (a > m ? a : m), 0n);
    expect(
      s.payee + s.payeeFees + stuck('payee'),
      `payee safety: got ${s.payee}, fees ${s.payeeFees}, entitled ${entitled}`,
    ).toBeGreaterThanOrEqual(entitled);
  }
  return s;
}

/** A whole run: open, act, recover, check. Returns the log for failure reports. */
export async function runScenario(
  params: ChannelParams,
  dishonest: Dishonest,
  actions: readonly Action[],
  options: WorldOptions = {},
): Promise<World> {
  const w = await World.open(params, dishonest, options);
  try {
    for (const action of actions) await perform(w, action);
    await recover(w);
    await checkOutcome(w);
  } catch (error) {
    const tail = w.log.slice(-60).join('\n');
    if (error instanceof Error)
      error.message = `${error.message}\n--- run log (last 60) ---\n${tail}`;
    throw error;
  } finally {
    // The chain stays readable; only the node and clients of a `bitcoin-core` world go.
    await w.close();
  }
  return w;
}
