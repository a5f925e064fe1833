import { describe, expect, test } from 'vitest';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';

/**
 * Snapshots of asset-mode channels: they round-trip through a restore, and a snapshot whose
 * asset terms were tampered with is refused with a typed error before anything runs.
 */

type Json = { [key: string]: unknown };

/** The snapshot text with its machine context changed by `edit`. */
function tampered(text: string, edit: (context: Json) => void): string {
  const envelope = JSON.parse(text) as { machine: { context: Json } };
  edit(envelope.machine.context);
  return JSON.stringify(envelope);
}

async function openedWithCommits() {
  const t = await openTestChannel({ asset: { asset: 'PICOTOKEN' }, depositAmount: 1_000n });
  await settle(t);
  await mine(t, 1);
  for (const amount of [100n, 150n]) {
    await t.payer.pay(amount);
    await settle(t);
  }
  return t;
}

describe('asset-mode snapshots', () => {
  test('both parties restore to the same context', async () => {
    const t = await openedWithCommits();
    const payer = await PayerChannel.restore(t.payer.runtime.snapshotText(), t.payerEnv);
    const payee = await PayeeChannel.restore(t.payee.runtime.snapshotText(), t.payeeEnv);
    expect(payer.runtime.context).toEqual(t.payer.runtime.context);
    expect(payee.runtime.context).toEqual(t.payee.runtime.context);
    expect(payee.status().transferred).toBe(250n);
  });

  test('tampered asset terms are refused', async () => {
    const t = await openedWithCommits();
    const payee = t.payee.runtime.snapshotText();
    const payer = t.payer.runtime.snapshotText();
    const asset = (c: Json) => c.asset as Json;
    const cases: [string, string, (c: Json) => void, RegExp][] = [
      ['payee', payee, (c) => (asset(c).asset = 'BTC'), /SNAPSHOT_(SCHEMA|FIELD_INVALID)/],
      ['payee', payee, (c) => (asset(c).asset = 'XCP'), /SNAPSHOT_COMMIT_INVALID/],
      [
        'payee',
        payee,
        (c) => (asset(c).quantity = '200'),
        /SNAPSHOT_(AMOUNT_INCONSISTENT|COMMIT_INVALID)/,
      ],
      ['payee', payee, (c) => (asset(c).commitValue = '99999999'), /SNAPSHOT_COMMIT_INVALID/],
      ['payee', payee, (c) => delete c.asset, /SNAPSHOT_/],
      ['payee', payee, (c) => (asset(c).extra = 1), /SNAPSHOT_SCHEMA/],
      ['payer', payer, (c) => (asset(c).asset = 'A1'), /SNAPSHOT_SCHEMA/],
      ['payer', payer, (c) => (asset(c).asset = 'A12'), /SNAPSHOT_FIELD_INVALID/],
      ['payer', payer, (c) => (asset(c).quantity = '-1'), /SNAPSHOT_SCHEMA/],
      ['payer', payer, (c) => delete c.asset, /SNAPSHOT_/],
    ];
    for (const [role, text, edit, code] of cases) {
      const bad = tampered(text, edit);
      const restore =
        role === 'payer'
          ? PayerChannel.restore(bad, t.payerEnv)
          : PayeeChannel.restore(bad, t.payeeEnv);
      await expect(restore, `${role}: ${edit}`).rejects.toThrow(
        expect.objectContaining({ code: expect.stringMatching(code) }),
      );
    }
  });
});
