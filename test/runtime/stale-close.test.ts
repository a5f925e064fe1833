import { describe, expect, test } from 'vitest';
import { PayeeChannel } from '../../src/runtime/channels.js';
import { type TestChannel, mine, openTestChannel, settle } from '../support/channel-harness.js';

async function paidOut(): Promise<{ t: TestChannel; versions: readonly string[] }> {
  const t = await openTestChannel({ expireTime: 40, delayTime: 5 });
  await settle(t);
  await mine(t, 1);
  await t.payer.pay(25_000n);
  await settle(t);
  await t.payee.close();
  await mine(t, 10);
  expect(t.payee.context.outcome).toBe('paid-out');
  return { t, versions: t.payeeStore.versions('test-channel') };
}

/** Restores the payee from `snapshot` after its payout confirmed and lets it catch up. */
async function restoredOutcome(t: TestChannel, snapshot: string): Promise<string | null> {
  const payee = await PayeeChannel.restore(snapshot, t.payeeEnv);
  for (let i = 0; i < 3 && !payee.done; i++) await payee.sync();
  return payee.context.outcome;
}

describe('a payee restored from a stale snapshot labels its own transactions right', () => {
  test('persisted before the payout was built (awaitingDelay): its own confirmed payout is a payout', async () => {
    const { t, versions } = await paidOut();
    const stale = versions.filter(
      (v) => v.includes('"awaitingDelay"') && v.includes('"payout":null'),
    );
    expect(stale.length).toBeGreaterThan(0);
    // Spends are reported before the height, so the payout is seen before the delay has passed.
    expect(await restoredOutcome(t, stale.at(-1)!)).toBe('paid-out');
  });

  test('persisted before the close (open): the confirmed commit and payout are followed to paid-out', async () => {
    const { t, versions } = await paidOut();
    const open = versions.filter((v) => v.includes('"value":"open"'));
    expect(await restoredOutcome(t, open.at(-1)!)).toBe('paid-out');
  });

  test('persisted while closing: paid-out as well', async () => {
    const { t, versions } = await paidOut();
    const closing = versions.filter((v) => v.includes('"value":"closing"'));
    expect(closing.length).toBeGreaterThan(0);
    expect(await restoredOutcome(t, closing[0]!)).toBe('paid-out');
  });
});
