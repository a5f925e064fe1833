import { describe, expect, test } from 'vitest';
import { type ChainBackend, backendPlace } from '../../support/chain-backend.js';
import {
  type TestChannelOptions,
  destinationOf,
  mine,
  openTestChannel as openChannel,
  settle,
  testPrivateKey,
} from '../../support/channel-harness.js';

/** The main lifecycle, run by `lifecycle.test.ts` and `lifecycle.bitcoin-core.test.ts`. */
export function describeLifecycle(backend: ChainBackend): void {
  const openTestChannel = (options: TestChannelOptions = {}) =>
    openChannel({ ...options, chain: backend });
  describe(`channel lifecycle ${backendPlace(backend)}`, () => {
    test('happy path: deposit, payments, give-back, close, payout and change', async () => {
      const t = await openTestChannel();
      await settle(t);
      await mine(t, 1);
      expect(t.payee.status().state).toBe('open');
      expect(t.payer.status().state).toBe('open');
      for (const amount of [10_000n, 20_000n, 30_000n]) {
        await t.payer.pay(amount);
        await settle(t);
      }
      expect(t.payee.status().transferred).toBe(60_000n);
      await t.payee.revokeUntil(30_000n);
      await settle(t);
      expect(t.payee.status().transferred).toBe(30_000n);
      expect(t.payer.status().transferred).toBe(30_000n);
      await t.payee.close();
      await settle(t);
      await mine(t, 12);
      expect(t.payee.status().outcome).toBe('paid-out');
      expect(t.payer.status().outcome).toBe('settled');
      expect(t.payee.runtime.rejections).toEqual([]);
      expect(t.payer.runtime.rejections).toEqual([]);
      const payeeGot = t.chain.balanceOf(destinationOf(testPrivateKey(2)));
      const payerGot = t.chain.balanceOf(destinationOf(testPrivateKey(1)));
      expect(payeeGot).toBeGreaterThan(29_000n);
      expect(payeeGot).toBeLessThan(30_000n);
      // The wallet's change and the payer's recoveries pay the same P2WPKH script.
      expect(payerGot + payeeGot + t.chain.totalFeesPaid()).toBe(t.funding);
    });
  });
}
