import { describe, expect, test } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { p2shOutputScript } from '../../src/scripts/p2sh.js';
import { type TestChannel, mine, openTestChannel, settle } from '../support/channel-harness.js';
import { TEST_ASSET, assetBalances } from '../support/asset-balances.js';

/**
 * Asset channels where Counterparty's balances (per address) and Bitcoin's timelocks (per
 * output) disagree, run through the runtime: each party refuses what would let the other move
 * the asset out of turn, and loses nothing.
 */

const ASSET = TEST_ASSET;
const balanceOf = async (t: TestChannel, key: 1 | 2) =>
  (await assetBalances(t))[key === 1 ? 'payer' : 'payee'];
const payeeContext = (t: TestChannel) => t.payee.runtime.context as PayeeContext;
const payerContext = (t: TestChannel) => t.payer.runtime.context as PayerContext;

describe('asset channel hazards through the runtime', () => {
  test('a deposit that credits less than announced is never accepted; the payer expires it', async () => {
    // The wallet holds 500 units: Counterparty caps the classic send of 1,000 at the balance.
    const t = await openTestChannel({
      asset: { asset: ASSET, allocation: 500n },
      depositAmount: 1_000n,
      expireTime: 20,
    });
    await settle(t);
    await mine(t, 3);
    expect(t.payee.status().state).not.toBe('open');
    expect(t.payee.runtime.rejections.map((r) => r.code)).toContain('DEPOSIT_MISMATCH');
    expect(payeeContext(t).requestedRevokes).toEqual([]);
    await mine(t, 25);
    expect(t.payer.status().outcome).toBe('expired');
    expect(await balanceOf(t, 1)).toBe(500n);
  });

  test('an output parked at the deposit address before the deposit keeps the channel closed', async () => {
    const t = await openTestChannel({ asset: { asset: ASSET }, depositAmount: 1_000n });
    await t.link.deliver(); // the offer: the payer broadcasts its deposit
    await t.payer.sync();
    const depositScript = hexToBytes(payerContext(t).depositScript!);
    // Confirmed in a block of its own, before the deposit's: expirable first.
    t.chain.fund(p2shOutputScript(depositScript), 20_000n);
    await settle(t);
    await mine(t, 2);
    expect(t.payee.status().state).not.toBe('open');
    const refusal = t.payee.runtime.rejections.find((r) => r.code === 'DEPOSIT_MISMATCH');
    expect(refusal?.reason).toMatch(/confirmed before the deposit/);
  });

  test('a give-back is not counted while BTC parked at its commit address could pay the asset out', async () => {
    const delayTime = 5;
    const t = await openTestChannel({ asset: { asset: ASSET }, depositAmount: 1_000n, delayTime });
    await settle(t);
    await mine(t, 1);
    for (const amount of [100n, 200n]) {
      await t.payer.pay(amount);
      await settle(t);
    }
    // The payee parks BTC at the address of its highest commit and lets it age past the delay.
    const top = payeeContext(t).activeCommits.at(-1)!;
    t.chain.fund(p2shOutputScript(hexToBytes(top.commitScript)), 20_000n);
    await mine(t, delayTime);
    await t.payee.revokeUntil(100n);
    await settle(t);
    expect(t.payee.status().transferred).toBe(100n);
    // The payer keeps counting the commit as the payee's, and does not acknowledge the secret.
    expect(t.payer.status().transferred).toBe(300n);
    expect(payeeContext(t).unackedRevokeSecrets).toHaveLength(1);
    await mine(t, 2);
    expect(t.payer.status().transferred).toBe(300n);
    expect(t.payer.runtime.rejections).toEqual([]);
    // Closing: the payee publishes the commit it kept; its asset and the change settle it.
    await t.payee.close();
    await settle(t);
    await mine(t, 12);
    expect(t.payee.status().outcome).toBe('paid-out');
    expect(await balanceOf(t, 2)).toBe(100n);
    expect(await balanceOf(t, 1)).toBe(10_000n - 100n);
  });

  test('both parties restore from their stores mid-channel and go on paying', async () => {
    const t = await openTestChannel({
      asset: { asset: ASSET },
      depositAmount: 1_000n,
      incremental: true,
    });
    await settle(t);
    await mine(t, 1);
    await t.payer.pay(250n);
    await settle(t);
    const payer = await PayerChannel.restore(t.payer.runtime.snapshotText(), t.payerEnv);
    const payee = await PayeeChannel.restore(t.payee.runtime.snapshotText(), t.payeeEnv);
    t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
    t.link.attach('payee', (text) => payee.receive(text).then(() => undefined));
    const restored = { ...t, payer, payee };
    await payer.pay(50n);
    await settle(restored);
    expect(payee.status().transferred).toBe(300n);
    expect(payer.status().transferred).toBe(300n);
    await payee.close();
    await settle(restored);
    for (let i = 0; i < 12; i++) {
      t.chain.mine(1);
      await settle(restored);
    }
    expect(payee.status().outcome).toBe('paid-out');
    expect(await balanceOf(t, 2)).toBe(300n);
    expect(await balanceOf(t, 1)).toBe(10_000n - 300n);
  });
});
