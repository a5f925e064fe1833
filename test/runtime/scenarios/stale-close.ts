import { describe, expect, test } from 'vitest';
import { PayeeChannel } from '../../../src/runtime/channels.js';
import { type ChainBackend, backendPlace } from '../../support/chain-backend.js';
import { type TestChannel, mine, openTestChannel, settle } from '../../support/channel-harness.js';

async function paidOut(
  chain: ChainBackend,
): Promise<{ t: TestChannel; versions: readonly string[] }> {
  const t = await openTestChannel({ expireTime: 40, delayTime: 5, chain });
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

/** Restarts from stale snapshots, run by `stale-close.test.ts` and `lifecycle.bitcoin-core.test.ts`. */
export function describeStaleRestarts(backend: ChainBackend): void {
  const title = 'a payee restored from a stale snapshot labels its own transactions right';
  describe(backend === 'simulated' ? title : `${title} ${backendPlace(backend)}`, () => {
    test('persisted before the payout was built (awaitingDelay): its own confirmed payout is a payout', async () => {
      const { t, versions } = await paidOut(backend);
      const stale = versions.filter(
        (v) => v.includes('"awaitingDelay"') && v.includes('"payout":null'),
      );
      expect(stale.length).toBeGreaterThan(0);
      // Spends are reported before the height, so the payout is seen before the delay has passed.
      expect(await restoredOutcome(t, stale.at(-1)!)).toBe('paid-out');
    });

    test('persisted before the close (open): the confirmed commit and payout are followed to paid-out', async () => {
      const { t, versions } = await paidOut(backend);
      const open = versions.filter((v) => v.includes('"value":"open"'));
      expect(await restoredOutcome(t, open.at(-1)!)).toBe('paid-out');
    });

    test('persisted while closing: paid-out as well', async () => {
      const { t, versions } = await paidOut(backend);
      const closing = versions.filter((v) => v.includes('"value":"closing"'));
      expect(closing.length).toBeGreaterThan(0);
      expect(await restoredOutcome(t, closing[0]!)).toBe('paid-out');
    });
  });
}
