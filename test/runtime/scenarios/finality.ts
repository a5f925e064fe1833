import { describe, expect, test } from 'vitest';
import { type ChainBackend, backendPlace } from '../../support/chain-backend.js';
import { type TestChannel, mine, openTestChannel, settle } from '../../support/channel-harness.js';

async function openedOn(
  chain: ChainBackend,
  finalityDepth: number,
  delayTime: number,
): Promise<TestChannel> {
  const t = await openTestChannel({ finalityDepth, delayTime, expireTime: 40, chain });
  await settle(t);
  await mine(t, 1);
  expect(t.payer.status().state).toBe('open');
  return t;
}

/** Mines one block at a time until the payee is in `state` (at most `limit` blocks). */
async function mineUntilPayee(t: TestChannel, state: string, limit = 20): Promise<void> {
  for (let i = 0; i < limit && t.payee.status().state !== state; i++) await mine(t, 1);
  expect(t.payee.status().state).toBe(state);
}

/** Finality and reorganisations, run by `finality.test.ts` and `lifecycle.bitcoin-core.test.ts`. */
export function describeFinality(backend: ChainBackend): void {
  const opened = (finalityDepth: number, delayTime: number) =>
    openedOn(backend, finalityDepth, delayTime);
  const title =
    'finality: settling spends count only at the finality depth, and reorgs are followed';
  describe(backend === 'simulated' ? title : `${title}, ${backendPlace(backend)}`, () => {
    test('a payout reorganised back into the mempool: the payee waits again, then finishes at depth 3', async () => {
      const t = await opened(3, 3);
      await t.payer.pay(20_000n);
      await settle(t);
      await t.payee.close();
      await mineUntilPayee(t, 'payoutConfirming');
      const firstConfirmation = t.payee.context.finalSpends['commit-output']!.confirmedHeight;
      // One confirmation is not final.
      expect(t.payee.done).toBe(false);
      t.chain.reorg(1);
      await settle(t);
      expect(t.payee.status().state).toBe('payingOut');
      expect(t.payee.context.finalSpends).toEqual({});
      await mine(t, 1);
      expect(t.payee.status().state).toBe('payoutConfirming');
      await mine(t, 1);
      expect(t.payee.done).toBe(false);
      await mine(t, 1);
      expect(t.payee.context.outcome).toBe('paid-out');
      expect(t.chain.height - t.payee.context.payout!.confirmedHeight! + 1).toBeGreaterThanOrEqual(
        3,
      );
      expect(firstConfirmation).toBeGreaterThan(0);
    });

    test('a reorg that also moves the commit: the payout is no longer final at the new height, and is published again once it is', async () => {
      const t = await opened(6, 3);
      await t.payer.pay(30_000n);
      await settle(t);
      await t.payee.close();
      await mineUntilPayee(t, 'payoutConfirming');
      const commitHeight = t.payee.context.published!.confirmedHeight!;
      // Disconnect every block from the commit's on: the commit is mined again in the next block,
      // and its payout, whose CSV lock now counts from there, is dropped.
      const depth = t.chain.height - commitHeight + 1;
      expect(depth).toBeLessThan(6);
      const result = t.chain.reorg(depth);
      expect(result.dropped.length).toBeGreaterThan(0);
      await mine(t, 1);
      expect(t.payee.done).toBe(false);
      expect(['awaitingDelay', 'payingOut', 'closing']).toContain(t.payee.status().state);
      for (let i = 0; i < 15 && !t.payee.done; i++) await mine(t, 1);
      expect(t.payee.context.outcome).toBe('paid-out');
      expect(t.payer.context.outcome).toBe('settled');
    });

    test('the payer waits for its change to be final as well', async () => {
      const t = await opened(4, 3);
      await t.payer.pay(10_000n);
      await settle(t);
      await t.payee.close();
      for (let i = 0; i < 20 && t.payer.status().state.indexOf('recoveryConfirming') < 0; i++)
        await mine(t, 1);
      expect(t.payer.status().state).toContain('recoveryConfirming');
      t.chain.reorg(1);
      await settle(t);
      expect(t.payer.status().state).toContain('remainder.recovering');
      for (let i = 0; i < 10 && !t.payer.done; i++) await mine(t, 1);
      expect(t.payer.context.outcome).toBe('settled');
      const change = t.payer.context.broadcasts.change!;
      expect(t.chain.height - change.confirmedHeight! + 1).toBeGreaterThanOrEqual(4);
    });
  });
}
