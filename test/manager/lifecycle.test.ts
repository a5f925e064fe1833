import { describe, expect, it } from 'vitest';
import { TwoSides, PAYEE_SCRIPT } from './harness.js';

describe('ChannelManager: one follower, events with amounts', () => {
  it('runs a channel from offer to payout with no sync loop, emitting every step with its amounts', async () => {
    const w = await TwoSides.create();
    await w.openChannel('c1', 200_000n);
    expect(w.payerSide.payer('c1').status().state).toBe('open');
    expect(w.payeeSide.payee('c1').status().state).toBe('open');
    const opened = w.eventsOf('channel-opened', 'c1');
    expect(opened.map((e) => [e.role, e.depositValue, e.height])).toEqual([
      ['payer', 200_000n, w.chain.height],
      ['payee', 200_000n, w.chain.height],
    ]);

    for (const amount of [1_000n, 2_500n, 4_000n]) {
      await w.payerSide.pay('c1', amount);
      await w.settle();
    }
    expect(w.eventsOf('payment-received', 'c1').map((e) => [e.amount, e.transferred])).toEqual([
      [1_000n, 1_000n],
      [2_500n, 3_500n],
      [4_000n, 7_500n],
    ]);
    const accepted = (role: string) =>
      w
        .eventsOf('commit-accepted', 'c1')
        .filter((e) => e.role === role)
        .map((e) => e.amount);
    expect(accepted('payee')).toEqual([1_000n, 3_500n, 7_500n]);
    // The payer hears of each acceptance through the payee's next revoke hash.
    expect(accepted('payer')).toEqual([1_000n, 3_500n, 7_500n]);

    await w.payeeSide.revokeUntil('c1', 3_500n);
    await w.settle();
    const returned = w.eventsOf('value-returned', 'c1');
    expect(returned.map((e) => [e.role, e.amount, e.transferred])).toEqual([
      ['payee', 4_000n, 3_500n],
      ['payer', 4_000n, 3_500n],
    ]);

    await w.payeeSide.close('c1');
    await w.settle();
    expect(w.eventsOf('channel-closing', 'c1').map((e) => [e.role, e.transferred])).toContainEqual([
      'payee',
      3_500n,
    ]);
    for (let i = 0; i < 30 && !(w.payeeSide.payee('c1').done && w.payerSide.payer('c1').done); i++)
      await w.mine(1);
    const closed = w.eventsOf('channel-closed', 'c1');
    expect(closed.map((e) => [e.role, e.outcome, e.transferred]).sort()).toEqual([
      ['payee', 'paid-out', 3_500n],
      ['payer', 'settled', 3_500n],
    ]);
    const recovered = w.eventsOf('funds-recovered', 'c1');
    const payout = recovered.find((e) => e.role === 'payee');
    expect(payout?.label).toBe('payout');
    // The payout is the payee's whole balance on chain; it is the commit minus the payout fee.
    expect(payout?.amount).toBe(w.chain.balanceOf(PAYEE_SCRIPT));
    const payoutFee = w.chain.feeOf(payout!.txid)!;
    expect(payout!.amount + payoutFee).toBe(3_500n);
    const change = recovered.find((e) => e.role === 'payer');
    expect(change?.label).toBe('change');
    const commitTxid = w.payeeSide.payee('c1').context.published!.txid;
    expect(change!.amount + w.chain.feeOf(change!.txid)! + w.chain.feeOf(commitTxid)!).toBe(
      200_000n - 3_500n,
    );
    expect(w.eventsOf('rejection')).toEqual([]);
    expect(w.eventsOf('channel-error')).toEqual([]);
  });

  it('emits a refused command as a rejection and throws the command error', async () => {
    const w = await TwoSides.create();
    await w.openChannel('c1');
    await expect(w.payeeSide.revokeUntil('c1', 0n)).rejects.toMatchObject({
      code: 'NOTHING_TO_REVOKE',
    });
    const rejections = w.eventsOf('rejection', 'c1');
    expect(rejections.map((e) => [e.role, e.event, e.code])).toEqual([
      ['payee', 'REVOKE_UNTIL', 'NOTHING_TO_REVOKE'],
    ]);
    expect(w.eventsOf('channel-error')).toEqual([]);
  });
});
