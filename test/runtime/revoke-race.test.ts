import { describe, expect, test } from 'vitest';
import type { ScriptVerifier } from '../../src/chain/chain.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { rawTransactionId } from '../../src/transactions/raw-transaction.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import {
  type TestChannel,
  type TestChannelOptions,
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';
import { CHAIN_BACKENDS } from '../support/chain-backend.js';
import { newestPayeeSnapshotHolding } from '../support/snapshot-context.js';

// The race a cheating payee runs after publishing a commit it gave back: its payout against
// the payer's revoke. These are the cases where the revoke did not simply confirm first.

const payeeBalance = (t: TestChannel) => t.chain.balanceOf(destinationOf(testPrivateKey(2)));
const payerBalance = (t: TestChannel) => t.chain.balanceOf(destinationOf(testPrivateKey(1)));

/**
 * An open channel with commits of 10 000 and 50 000 where the payee gave the second back, and
 * a thief: the payee restored from its newest snapshot that still holds the 50 000 commit,
 * which it then publishes. The honest payee is gone.
 */
async function thiefPublished(options: TestChannelOptions) {
  const t = await openTestChannel(options);
  await settle(t);
  await mine(t, 1);
  for (const amount of [10_000n, 40_000n]) {
    await t.payer.pay(amount);
    await settle(t);
  }
  await t.payee.revokeUntil(10_000n);
  await settle(t);
  expect(t.payer.status().transferred).toBe(10_000n);
  const stale = newestPayeeSnapshotHolding(t.payeeStore, t.payeeEnv.storeKey, 50_000n);
  const thief = await PayeeChannel.restore(stale!, t.payeeEnv);
  t.link.attach('payee', (text) => thief.receive(text).then(() => undefined));
  await thief.close();
  await thief.sync();
  expect(thief.context.published?.amount).toBe('50000');
  return { t, thief, cheat: { ...t, payee: thief } };
}

/** Mines blocks that only the thief sees, until its payout is broadcast (the payer is away). */
async function untilThiefPaysOut(t: TestChannel, thief: PayeeChannel): Promise<string> {
  for (let i = 0; i < 20 && !thief.context.payout; i++) {
    t.chain.mine(1);
    await thief.sync();
  }
  const payout = thief.context.payout;
  expect(payout, 'the thief broadcast its payout').toBeTruthy();
  return payout!.txid;
}

describe.each(CHAIN_BACKENDS)(
  'revoke against payout: a revoked commit published by a cheating payee, %s',
  (chain) => {
    test('a payout that reached the mempool first is outbid by fee (full RBF) and the payer takes the output', async () => {
      const { t, thief, cheat } = await thiefPublished({ delayTime: 4, replaceByFee: true, chain });
      const payoutTxid = await untilThiefPaysOut(t, thief);
      const payoutFee = t.chain.feeOf(payoutTxid)!;

      // The payer comes back with the payout in the mempool: its revoke at its own fee rate is
      // refused as a conflict, so it bids what replaces the payout.
      await t.payer.sync();
      expect(t.payer.status().state).toContain('commitOutput.revoking');
      const revoke = t.payer.context.broadcasts.revoke!;
      const revokeFee = t.chain.feeOf(revoke.txid);
      expect(revokeFee, 'the outbidding revoke is in the mempool').not.toBeNull();
      const vsize = revoke.rawTx.length / 2;
      expect(revokeFee!).toBeGreaterThanOrEqual(payoutFee + BigInt(vsize));
      expect(t.chain.feeOf(payoutTxid), 'the payout was evicted').toBeNull();

      for (let i = 0; i < 20 && !t.payer.done; i++) await mine(cheat, 1);
      expect(t.payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
      expect(payeeBalance(t), 'the thief got nothing').toBe(0n);
      expect(payerBalance(t) + t.chain.totalFeesPaid()).toBe(t.funding);
    });

    test('a payout that confirmed first counts only at the finality depth: after a reorganisation the revoke outbids it', async () => {
      const { t, thief, cheat } = await thiefPublished({
        delayTime: 4,
        finalityDepth: 3,
        replaceByFee: true,
        chain,
      });
      const payoutTxid = await untilThiefPaysOut(t, thief);
      t.chain.mine(1);
      await thief.sync();
      // The payer comes back to a payout confirmed once: it reads the spend secret, but the
      // commit output is not settled for it yet.
      await t.payer.sync();
      expect(t.payer.status().state).toContain('commitOutput.payoutConfirming');
      expect(t.payer.context.spendSecret).not.toBeNull();
      expect(t.payer.done).toBe(false);
      // A reorganisation puts the payout back into the mempool (still valid): the payer goes back
      // to revoking and replaces it.
      t.chain.reorg(1);
      expect(t.chain.feeOf(payoutTxid)).not.toBeNull();
      await t.payer.sync();
      expect(t.payer.status().state).toContain('commitOutput.revoking');
      expect(t.chain.feeOf(payoutTxid), 'the payout was evicted').toBeNull();
      for (let i = 0; i < 20 && !t.payer.done; i++) await mine(cheat, 1);
      expect(t.payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
      expect(payeeBalance(t), 'the thief got nothing').toBe(0n);
    });

    test('a revoke reorganised out while the payer was down is broadcast again after its restart', async () => {
      // The verifier refuses the revoke's bytes while `refused` holds them: a reorganisation then
      // drops the revoke instead of returning it to the mempool (as a node drops a miner's
      // non-standard copy), and the payer, restarted from its snapshot, must notice.
      const refused = new Set<string>();
      const verifier: ScriptVerifier = (args) =>
        refused.has(rawTransactionId(args.tx))
          ? { ok: false, error: 'refused by the test' }
          : bitcoreScriptVerifier(args);
      const { t, cheat } = await thiefPublished({
        delayTime: 6,
        finalityDepth: 3,
        verifier,
        chain,
      });
      await t.payer.sync();
      expect(t.payer.status().state).toContain('commitOutput.revoking');
      await mine(cheat, 1);
      expect(t.payer.status().state).toContain('commitOutput.revokeConfirming');
      const snapshot = t.payer.runtime.snapshotText();
      const revokeTxid = t.payer.context.broadcasts.revoke!.txid;

      // The payer's process dies; a reorganisation drops its revoke.
      refused.add(revokeTxid);
      const result = t.chain.reorg(1);
      expect(result.dropped).toContain(revokeTxid);
      refused.delete(revokeTxid);
      t.chain.mine(1);

      const payer = await PayerChannel.restore(snapshot, t.payerEnv);
      t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
      await payer.sync();
      expect(payer.status().state, 'the restarted payer saw its revoke gone').toContain(
        'commitOutput.revoking',
      );
      expect(t.chain.feeOf(revokeTxid), 'the revoke is offered again').not.toBeNull();
      const restarted = { ...cheat, payer };
      for (let i = 0; i < 20 && !payer.done; i++) await mine(restarted, 1);
      expect(payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
      expect(payeeBalance(t), 'the thief got nothing').toBe(0n);
    });
  },
);
