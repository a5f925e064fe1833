import { describe, expect, test } from 'vitest';
import { PayeeChannel } from '../../../src/runtime/channels.js';
import {
  type TestChannel,
  destinationOf,
  mine,
  openTestChannel,
  type TestChannelOptions,
  settle,
  testPrivateKey,
} from '../../support/channel-harness.js';
import { type ChainBackend, backendPlace } from '../../support/chain-backend.js';
import { newestPayeeSnapshotHolding } from '../../support/snapshot-context.js';

// Every scenario here runs on the simulated chain with bitcore's interpreter judging each input:
// the point is that the recovery transactions are valid exactly when the machines send them.

async function openedWith(options: TestChannelOptions): Promise<TestChannel> {
  const t = await openTestChannel(options);
  await settle(t);
  await mine(t, 1);
  expect(t.payer.status().state).toBe('open');
  expect(t.payee.status().state).toBe('open');
  return t;
}

async function payAll(t: TestChannel, ...amounts: bigint[]): Promise<void> {
  for (const amount of amounts) {
    await t.payer.pay(amount);
    await settle(t);
  }
}

/** Mines one block at a time until `done` holds; fails after `limit` blocks. */
async function mineUntil(t: TestChannel, done: () => boolean, limit = 120): Promise<number> {
  for (let i = 0; i < limit; i++) {
    if (done()) return i;
    await mine(t, 1);
  }
  if (!done())
    throw new Error(
      `not done after ${limit} blocks: payer ${t.payer.status().state}, payee ${t.payee.status().state}`,
    );
  return limit;
}

const payerBalance = (t: TestChannel) => t.chain.balanceOf(destinationOf(testPrivateKey(1)));
const payeeBalance = (t: TestChannel) => t.chain.balanceOf(destinationOf(testPrivateKey(2)));

/** Balances add up: what the payer's script and the payee's script hold plus all fees is the faucet money. */
function expectConservation(t: TestChannel): void {
  expect(payerBalance(t) + payeeBalance(t) + t.chain.totalFeesPaid()).toBe(t.funding);
  // No channel output is left unspent: only the two parties' P2WPKH outputs remain.
  const scripts = new Set(t.chain.listUnspent().map((u) => Buffer.from(u.script).toString('hex')));
  expect([...scripts].sort()).toEqual(
    [destinationOf(testPrivateKey(1)), destinationOf(testPrivateKey(2))]
      .map((s) => Buffer.from(s).toString('hex'))
      .filter((s) => scripts.has(s))
      .sort(),
  );
}

function expectNoRefusals(t: TestChannel): void {
  expect(t.payer.runtime.rejections).toEqual([]);
  expect(t.payee.runtime.rejections).toEqual([]);
  expect(t.payer.runtime.broadcastFailures).toEqual([]);
}

/** The recovery paths, run by `recovery.test.ts` and `lifecycle.bitcoin-core.test.ts`. */
export function describeRecoveryPaths(backend: ChainBackend): void {
  const opened = (options: TestChannelOptions = {}) => openedWith({ ...options, chain: backend });
  describe(`recovery paths ${backendPlace(backend)} (bitcore-verified)`, () => {
    test('happy path: payments, give-back, close, payout and change', async () => {
      const t = await opened();
      await payAll(t, 10_000n, 20_000n, 30_000n);
      await t.payee.revokeUntil(30_000n);
      await settle(t);
      expect(t.payee.status().transferred).toBe(30_000n);
      expect(t.payer.status().transferred).toBe(30_000n);
      await t.payee.close();
      await settle(t);
      expect(t.payee.status().state).toBe('closing');
      await mineUntil(t, () => t.payer.done && t.payee.done);
      expect(t.payee.status().outcome).toBe('paid-out');
      expect(t.payer.status().outcome).toBe('settled');
      expect(t.payer.context.broadcasts.change?.confirmedHeight).not.toBeNull();
      const payee = payeeBalance(t);
      expect(payee).toBeGreaterThan(29_000n);
      expect(payee).toBeLessThan(30_000n);
      expect(payerBalance(t)).toBeGreaterThan(t.funding - 30_000n - 5_000n);
      expectConservation(t);
      expectNoRefusals(t);
    });

    test('the payee closes by itself at the clearance deadline', async () => {
      const t = await opened({ expireTime: 20, clearance: 6 });
      await payAll(t, 25_000n);
      const confirmed = t.payee.context.deposit!.confirmedHeight!;
      await mineUntil(t, () => t.payee.status().state !== 'open');
      // Closed when fewer than 6 blocks were left before the deposit could be expired.
      expect(t.payee.context.published).not.toBeNull();
      expect(t.chain.height).toBe(confirmed + 20 - 5);
      await mineUntil(t, () => t.payer.done && t.payee.done);
      expect(t.payee.status().outcome).toBe('paid-out');
      expect(t.payer.status().outcome).toBe('settled');
      expect(payeeBalance(t)).toBeGreaterThan(24_000n);
      expectConservation(t);
      expectNoRefusals(t);
    });

    test('no commits and a payee that never closes: the payer expires the deposit', async () => {
      const t = await opened({ expireTime: 15, clearance: 4 });
      await mineUntil(t, () => t.payer.done && t.payee.done);
      expect(t.payer.status().outcome).toBe('expired');
      expect(t.payee.status().outcome).toBe('nothing-to-claim');
      expect(payeeBalance(t)).toBe(0n);
      expectConservation(t);
      expectNoRefusals(t);
    });

    test('stale-snapshot attack: a revoked commit published is revoked, the remainder expired', async () => {
      const t = await opened({ expireTime: 30, delayTime: 8 });
      await payAll(t, 10_000n, 40_000n);
      await t.payee.revokeUntil(10_000n);
      await settle(t);
      expect(t.payer.status().transferred).toBe(10_000n);
      // The newest stored snapshot in which the 50 000 commit is still active.
      const stale = newestPayeeSnapshotHolding(t.payeeStore, t.payeeEnv.storeKey, 50_000n);
      expect(stale).toBeDefined();
      const thief = await PayeeChannel.restore(stale!, t.payeeEnv);
      t.link.attach('payee', (text) => thief.receive(text).then(() => undefined));
      const cheat = { ...t, payee: thief };
      await thief.close();
      await settle(cheat);
      expect(thief.context.published?.amount).toBe('50000');
      await mineUntil(cheat, () => t.payer.done && thief.done);
      expect(t.payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
      expect(t.payer.context.broadcasts.expire?.confirmedHeight).not.toBeNull();
      expect(t.payer.status().outcome).toBe('settled');
      expect(thief.status().outcome).toBe('revoked-by-payer');
      // The payer ends with everything but fees.
      expect(payeeBalance(t)).toBe(0n);
      expectConservation(t);
    });

    test('a commit without remainder (nearly the whole capacity) settles with the payout alone', async () => {
      const t = await opened();
      await payAll(t, 990_000n, 9_000n);
      await t.payee.close();
      await settle(t);
      expect(t.payer.context.published?.remainder).toBeNull();
      await mineUntil(t, () => t.payer.done && t.payee.done);
      expect(t.payer.status().outcome).toBe('settled');
      expect(t.payee.status().outcome).toBe('paid-out');
      expect(t.payer.context.broadcasts.change).toBeUndefined();
      expect(payeeBalance(t)).toBeGreaterThan(998_000n);
      expectConservation(t);
      expectNoRefusals(t);
    });

    test('the payee publishes and never pays out: the payer expires the remainder', async () => {
      const t = await opened({ expireTime: 20 });
      await payAll(t, 30_000n);
      await t.payee.close();
      await settle(t);
      // The payee's machine stops here (crashed); only the payer follows the chain.
      const payerOnly = { ...t, payee: { sync: async () => undefined } as unknown as PayeeChannel };
      await mineUntil(payerOnly, () => t.payer.done);
      expect(t.payer.status().outcome).toBe('settled');
      expect(t.payer.context.broadcasts.expire?.confirmedHeight).not.toBeNull();
      expect(t.payer.context.spendSecret).toBeNull();
      // The commit output is still the payee's to take.
      expect(t.chain.listUnspent().some((u) => u.value === 30_000n)).toBe(true);
    });

    test('the payee publishes a commit without remainder and never pays out: the payer still finishes', async () => {
      const t = await opened({ expireTime: 20 });
      await payAll(t, 999_000n);
      await t.payee.close();
      await settle(t);
      const payerOnly = { ...t, payee: { sync: async () => undefined } as unknown as PayeeChannel };
      await mineUntil(payerOnly, () => t.payer.done, 30);
      expect(t.payer.status().outcome).toBe('settled');
    });

    test('lost messages are recovered by the per-block resends', async () => {
      const t = await openTestChannel({ verify: true, chain: backend });
      // The deposit script and funding reach the payee only through the payer's resends.
      await t.payer.sync();
      await t.payee.sync();
      await t.link.deliver(1); // the offer
      const dropped = t.link.queue.splice(0);
      expect(dropped.map((m) => JSON.parse(m.text).type)).toEqual(['deposit', 'deposit-funded']);
      await mine(t, 1);
      expect(t.payee.status().state).toBe('open');
      expect(t.payer.status().state).toBe('open');
      // A lost commit is sent again at the next block.
      await t.payer.pay(10_000n);
      expect(t.link.queue.splice(0).map((m) => JSON.parse(m.text).type)).toEqual(['commit']);
      expect(t.payee.status().transferred).toBe(0n);
      await mine(t, 1);
      expect(t.payee.status().transferred).toBe(10_000n);
      // A lost revoke-hash answer is sent again at the next block.
      await t.payer.pay(5_000n);
      await t.link.deliverOne(t.link.queue.shift()!);
      expect(t.link.queue.splice(0).map((m) => JSON.parse(m.text).type)).toEqual(['revoke-hash']);
      await expect(t.payer.pay(1_000n)).rejects.toMatchObject({ code: 'NO_REVOKE_HASH' });
      await mine(t, 1);
      await t.payer.pay(1_000n);
      await settle(t);
      expect(t.payee.status().transferred).toBe(16_000n);
      await t.payee.close();
      await mineUntil(t, () => t.payer.done && t.payee.done);
      expect(t.payee.status().outcome).toBe('paid-out');
      expect(t.payer.status().outcome).toBe('settled');
      expectConservation(t);
    });
  });
}
