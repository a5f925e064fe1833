import { describe, expect, test } from 'vitest';
import { PayeeChannel } from '../../src/runtime/channels.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';

// A restarted runtime says "unspent" at its first sync for watched outputs whose spend is gone,
// so it must not say it of outputs whose spend a fresh indexing client has yet to learn: the
// runtime hands its watches with the deposit's height to rescan from, and checks the UTXO set.

describe('restart: watched outputs after a fresh chain client', () => {
  test('a payout older than the client scanned does not send a payee waiting for finality back', async () => {
    const t = await openTestChannel({ chain: 'bitcoin-core', finalityDepth: 12, delayTime: 3 });
    await settle(t);
    await mine(t, 1);
    await t.payer.pay(20_000n);
    await settle(t);
    await t.payee.close();
    for (let i = 0; i < 20 && t.payee.status().state !== 'payoutConfirming'; i++) await mine(t, 1);
    expect(t.payee.status().state).toBe('payoutConfirming');
    // Deeper than the client's look-back (6 blocks), not yet final (12).
    await mine(t, 8);
    expect(t.payee.done).toBe(false);
    const snapshot = t.payee.runtime.snapshotText();

    const chain = await t.restartChain('payee', 'fresh');
    const payee = await PayeeChannel.restore(snapshot, { ...t.payeeEnv, chain });
    await payee.sync();
    expect(payee.status().state, 'still waiting for the payout to be final').toBe(
      'payoutConfirming',
    );
    expect(payee.runtime.broadcastFailures).toEqual([]);
    for (let i = 0; i < 6 && !payee.done; i++) {
      t.chain.mine(1);
      await payee.sync();
    }
    expect(payee.context.outcome).toBe('paid-out');
  });
});
