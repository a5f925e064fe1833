import { describe, expect, test } from 'vitest';
import { HISTORY_WINDOW, payerCommitKey } from '../../src/machines/history.js';
import { historyStoreKey } from '../../src/runtime/channel-runtime.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { SnapshotError } from '../../src/snapshots/errors.js';
import { decodeHistoryRecord } from '../../src/snapshots/history-codec.js';
import {
  type TestChannel,
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';

const EACH = 1_000n;

async function openedChannel(): Promise<TestChannel> {
  const t = await openTestChannel({ expireTime: 100, delayTime: 5 });
  await settle(t);
  await mine(t, 1);
  return t;
}

async function payTimes(t: TestChannel, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await t.payer.pay(EACH);
    await settle(t);
  }
}

function expectNoRejections(t: TestChannel): void {
  expect(t.payer.runtime.rejections).toEqual([]);
  expect(t.payee.runtime.rejections).toEqual([]);
}

/** Closes through the payee, mines until both finish, and checks that every satoshi is accounted for. */
async function closeAndBalance(t: TestChannel, transferred: bigint): Promise<void> {
  await t.payee.close();
  await settle(t);
  await mine(t, 12);
  expect(t.payee.status().outcome).toBe('paid-out');
  expect(t.payer.status().outcome).toBe('settled');
  const payeeGot = t.chain.balanceOf(destinationOf(testPrivateKey(2)));
  const payerGot = t.chain.balanceOf(destinationOf(testPrivateKey(1)));
  expect(payeeGot).toBeLessThan(transferred);
  expect(payeeGot).toBeGreaterThan(transferred - 1_000n);
  expect(payerGot + payeeGot + t.chain.totalFeesPaid()).toBe(t.funding);
}

describe('channel history: the context keeps only the newest commits', () => {
  test('many payments: the window stays small, the snapshot stops growing, older commits are records', async () => {
    const t = await openedChannel();
    await payTimes(t, 10);
    const sizeAt10 = t.payee.runtime.snapshotText().length;
    await payTimes(t, 20);
    expectNoRejections(t);
    expect(t.payer.context.commits).toHaveLength(HISTORY_WINDOW);
    expect(t.payer.context.historyCommits).toBe(30 - HISTORY_WINDOW);
    expect(t.payee.context.activeCommits).toHaveLength(HISTORY_WINDOW);
    expect(t.payee.context.activeDepth).toBe(30 - HISTORY_WINDOW);
    expect(t.payer.status().transferred).toBe(30n * EACH);
    expect(t.payee.status().transferred).toBe(30n * EACH);
    // Amounts grow by a digit at most: the snapshot is the same size within a few bytes.
    expect(Math.abs(t.payee.runtime.snapshotText().length - sizeAt10)).toBeLessThan(64);
    const oldest = t.payer.context.commits[0]!.below!;
    const key = payerCommitKey(oldest);
    const stored = await t.payerStore.load(historyStoreKey('test-channel', key));
    // Stored compact (amount and links; the script is rebuilt), read back whole.
    expect(JSON.parse(stored!)).toEqual({
      k: 'c',
      a: (26n * EACH).toString(),
      b: expect.any(String),
    });
    expect(decodeHistoryRecord(key, stored!, t.payer.context)).toMatchObject({
      kind: 'payer-commit',
      revokeSecretHash: oldest,
      commitScript: expect.stringMatching(/^63/),
    });
  });

  test('a deep give-back reads the lower commits from history on both sides, then payments go on', async () => {
    const t = await openedChannel();
    await payTimes(t, 20);
    await t.payee.revokeUntil(5n * EACH);
    await settle(t);
    expectNoRejections(t);
    expect(t.payee.status().transferred).toBe(5n * EACH);
    expect(t.payer.status().transferred).toBe(5n * EACH);
    // The commits kept came back into the payee's window; the give-back reached into history.
    expect(t.payee.context.activeCommits.at(-1)!.amount).toBe('5000');
    expect(t.payee.context.activeDepth + t.payee.context.activeCommits.length).toBe(5);
    expect(t.payee.context.unackedRevokeSecrets).toEqual([]);
    await payTimes(t, 7);
    expect(t.payer.status().transferred).toBe(12n * EACH);
    expect(t.payee.status().transferred).toBe(12n * EACH);
    // And once more, down through commits made before and after the first give-back.
    await t.payee.revokeUntil(3n * EACH);
    await settle(t);
    expectNoRejections(t);
    expect(t.payer.status().transferred).toBe(3n * EACH);
    await closeAndBalance(t, 3n * EACH);
  });

  test('both parties restored from their stores after a deep give-back carry on and settle', async () => {
    const t = await openedChannel();
    await payTimes(t, 12);
    await t.payee.revokeUntil(2n * EACH);
    await settle(t);
    const payer = await PayerChannel.restore(
      (await t.payerStore.load('test-channel'))!,
      t.payerEnv,
    );
    const payee = await PayeeChannel.restore(
      (await t.payeeStore.load('test-channel'))!,
      t.payeeEnv,
    );
    t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
    t.link.attach('payee', (text) => payee.receive(text).then(() => undefined));
    const r = { ...t, payer, payee };
    await payTimes(r, 6);
    await r.payee.revokeUntil(1n * EACH);
    await settle(r);
    // A restarted payee repeats its outstanding revoke hash; if the payer already paid with it,
    // the late copy is refused as used. Nothing else may be refused.
    // Likewise the payer repeats its last commit, which the payee may have accepted already.
    const benign = (x: { code: string }) =>
      x.code !== 'REVOKE_HASH_REUSED' && x.code !== 'AMOUNT_NOT_INCREASING';
    expect(payer.runtime.rejections.filter(benign)).toEqual([]);
    expect(payee.runtime.rejections.filter(benign)).toEqual([]);
    expect(payer.status().transferred).toBe(1n * EACH);
    await closeAndBalance(r, 1n * EACH);
  });

  test('a stale payee publishing an old revoked commit is found through the script index and revoked', async () => {
    const t = await openedChannel();
    await payTimes(t, 10);
    const stale = (await t.payeeStore.load('test-channel'))!;
    await t.payee.revokeUntil(2n * EACH);
    await settle(t);
    await payTimes(t, 6);
    // The commit for 10,000 is revoked and has left the payer's window.
    expect(t.payer.context.commits.some((c) => c.amount === '10000')).toBe(false);
    const cheat = await PayeeChannel.restore(stale, t.payeeEnv);
    t.link.attach('payee', (text) => cheat.receive(text).then(() => undefined));
    await cheat.close();
    const c = { ...t, payee: cheat };
    for (let i = 0; i < 12; i++) {
      t.chain.mine(1);
      await settle(c);
    }
    expect(t.payer.context.published?.amount).toBe('10000');
    expect(t.payer.context.published?.revokeSecret).not.toBeNull();
    expect(t.payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
    // The remainder comes back by expiry, once the commit has been confirmed for expire_time.
    for (let i = 0; i < 110 && !t.payer.done; i++) {
      t.chain.mine(1);
      await settle(c);
    }
    expect(t.payer.status().outcome).toBe('settled');
    expect(cheat.status().outcome).toBe('revoked-by-payer');
    // The payer took everything back but the fees.
    const payerGot = t.chain.balanceOf(destinationOf(testPrivateKey(1)));
    expect(payerGot + t.chain.totalFeesPaid()).toBe(t.funding);
  });

  test('a corrupt history record is refused with a typed error and changes nothing', async () => {
    const t = await openedChannel();
    await payTimes(t, 8);
    const deep = t.payer.context.commits[0]!.below!;
    await t.payerStore.save(
      historyStoreKey('test-channel', payerCommitKey(deep)),
      '{"kind":"payer-commit"',
    );
    const before = t.payer.runtime.snapshotText();
    await t.payee.revokeUntil(1n * EACH);
    await expect(t.link.deliver()).rejects.toBeInstanceOf(SnapshotError);
    expect(t.payer.runtime.snapshotText()).toBe(before);
  });
});
