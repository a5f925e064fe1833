import { describe, expect, test } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import { rawTransactionId } from '../../src/transactions/raw-transaction.js';
import { type TestChannel, mine, openTestChannel, settle } from '../support/channel-harness.js';
import { consensusScriptVerifier, malleate } from '../support/malleate.js';

/**
 * A miner includes a re-encoded copy of one of our transactions instead of the original: the
 * copy spends and pays the same, but has another txid. The parties must recognise it as theirs.
 * Every transaction, the copies included, is judged by consensus rules only.
 */
async function opened(): Promise<TestChannel> {
  const t = await openTestChannel({
    verifier: consensusScriptVerifier,
    expireTime: 40,
    delayTime: 5,
  });
  await settle(t);
  await mine(t, 1);
  expect(t.payer.status().state).toBe('open');
  return t;
}

/**
 * The next broadcast of `label` reaches the chain only as a malleated copy (the original is
 * then refused as a conflict, as it would be once the copy is mined).
 */
function malleateNext(t: TestChannel, label: string): { copies: string[] } {
  const copies: string[] = [];
  let armed = true;
  // The parties' own chains (the simulated chain itself, or their clients of a node).
  for (const chain of new Set([t.payerChain, t.payeeChain])) {
    const original = chain.broadcast.bind(chain);
    chain.broadcast = async (rawTx: Uint8Array) => {
      if (armed && isLabel(t, rawTx, label)) {
        armed = false;
        const copy = malleate(rawTx);
        copies.push(rawTransactionId(copy));
        await original(copy);
        return original(rawTx);
      }
      return original(rawTx);
    };
  }
  return { copies };
}

/** Recognises the transaction a party is about to broadcast by its label in the context. */
function isLabel(t: TestChannel, rawTx: Uint8Array, label: string): boolean {
  const txid = rawTransactionId(rawTx);
  if (label === 'commit') return t.payee.context.published?.txid === txid;
  if (label === 'payout') return t.payee.context.payout?.txid === txid;
  return t.payer.context.broadcasts[label]?.txid === txid;
}

async function payAll(t: TestChannel, ...amounts: bigint[]): Promise<void> {
  for (const amount of amounts) {
    await t.payer.pay(amount);
    await settle(t);
  }
}

describe('malleated copies of our transactions (judged by consensus rules only)', () => {
  test('commit: the payee adopts the mined copy, pays out from it, and the payer takes its change', async () => {
    const t = await opened();
    await payAll(t, 10_000n, 5_000n);
    const { copies } = malleateNext(t, 'commit');
    await t.payee.close();
    await mine(t, 12);
    expect(copies).toHaveLength(1);
    expect(t.payee.context.published!.txid).toBe(copies[0]);
    expect(t.payee.context.outcome).toBe('paid-out');
    expect(t.payer.context.outcome).toBe('settled');
    expect(t.payer.context.published!.txid).toBe(copies[0]);
  });

  test('payout: the payee recognises its copied payout, and the payer reads the spend secret from it', async () => {
    const t = await opened();
    await payAll(t, 20_000n);
    const { copies } = malleateNext(t, 'payout');
    await t.payee.close();
    await mine(t, 12);
    expect(copies).toHaveLength(1);
    expect(t.payee.context.outcome).toBe('paid-out');
    // The copy is what the chain holds; the payee keeps its own canonical bytes (to publish
    // again, standard, should a reorganisation drop the copy).
    expect(t.chain.confirmations(copies[0]!)).toBeGreaterThan(0);
    expect(t.payee.context.payout!.txid).not.toBe(copies[0]);
    expect(t.payer.context.spendSecret).toBe(t.payee.context.spendSecret);
    expect(t.payer.context.outcome).toBe('settled');
  });

  test('revoke: the payer recognises its copied revoke; the payee ends revoked-by-payer', async () => {
    const t = await opened();
    await payAll(t, 30_000n);
    // The payee keeps the commit's transaction from before the give-back and publishes it.
    const revokedRaw = t.payee.context.activeCommits.at(-1)!.rawTx;
    const snapshot = t.payee.snapshot();
    await t.payee.revokeUntil(0n);
    await settle(t);
    const { PayeeChannel } = await import('../../src/runtime/channels.js');
    const stale = await PayeeChannel.restore(snapshot, t.payeeEnv);
    expect(stale.context.activeCommits.at(-1)!.rawTx).toBe(revokedRaw);
    const { copies } = malleateNext(t, 'revoke');
    await stale.close();
    // The revoke settles the commit output; the remainder comes back by expiry.
    for (let i = 0; i < 60 && !t.payer.done; i++) {
      t.chain.mine(1);
      await t.payer.sync();
      await stale.sync();
    }
    expect(copies).toHaveLength(1);
    expect(t.payer.context.outcome).toBe('settled');
    expect(stale.context.outcome).toBe('revoked-by-payer');
  });

  test('expire: the payer recognises its copied expire of the deposit', async () => {
    const t = await opened();
    await payAll(t, 1_000n);
    await t.payee.revokeUntil(0n);
    await settle(t);
    // The payee vanishes; the payer waits for expiry.
    const { copies } = malleateNext(t, 'expire');
    for (let i = 0; i < 50 && !t.payer.done; i++) {
      t.chain.mine(1);
      await t.payer.sync();
      t.link.queue.length = 0;
    }
    expect(copies).toHaveLength(1);
    expect(t.payer.context.outcome).toBe('expired');
    expect(t.chain.balanceOf(hexToBytes(t.payer.context.destinationScript))).toBeGreaterThan(0n);
  });
});
