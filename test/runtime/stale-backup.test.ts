import { describe, expect, test } from 'vitest';
import { PayerChannel } from '../../src/runtime/channels.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';

// A payer restored from an older backup knows nothing of the payments made after it: it may sign
// a new amount with a revoke hash its earlier self already used. The payee refuses that commit
// and publishes the earlier self's; the restored payer must follow it on chain and stay
// restorable, whatever amount its own record of that revoke hash says.

describe('a payer restored from an older backup', () => {
  test('follows the commit its earlier self signed, and its snapshots still restore', async () => {
    const t = await openTestChannel({ delayTime: 3 });
    await settle(t);
    await mine(t, 1);
    expect(t.payer.context.nextRevokeHash).not.toBeNull();
    const backup = t.payer.runtime.snapshotText();
    await t.payer.pay(10_000n);
    await settle(t);
    expect(t.payee.status().transferred).toBe(10_000n);

    const restored = await PayerChannel.restore(backup, t.payerEnv);
    t.link.attach('payer', (text) => restored.receive(text).then(() => undefined));
    const stale = { ...t, payer: restored };
    await restored.pay(15_000n);
    await settle(stale);
    // The payee refused the new amount under the used revoke hash: it holds 10 000.
    expect(t.payee.status().transferred).toBe(10_000n);

    await t.payee.close();
    await settle(stale);
    await mine(stale, 1);
    expect(restored.context.published?.amount).toBe('10000');
    // Its own snapshot, holding the chain's commit beside its record of 15 000, restores.
    const again = await PayerChannel.restore(restored.runtime.snapshotText(), t.payerEnv);
    t.link.attach('payer', (text) => again.receive(text).then(() => undefined));
    const resumed = { ...t, payer: again };
    for (let i = 0; i < 20 && !(again.done && t.payee.done); i++) await mine(resumed, 1);
    expect(again.context.outcome).toBe('settled');
    expect(t.payee.context.outcome).toBe('paid-out');
  });
});
