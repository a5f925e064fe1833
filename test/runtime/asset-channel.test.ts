import { describe, expect, test } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import type { PayeeContext } from '../../src/machines/context.js';
import { decodeTransaction } from '../../src/transactions/raw-transaction.js';
import {
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';
import { TEST_ASSET, assetBalances } from '../support/asset-balances.js';

const ASSET = TEST_ASSET;

describe('asset channel through the runtime (simulated chain and Counterparty ledger)', () => {
  test('deposit, payments and a give-back in asset units, close, payout and change', async () => {
    const t = await openTestChannel({
      asset: { asset: ASSET, allocation: 5_000n },
      depositAmount: 1_000n,
    });
    await settle(t);
    await mine(t, 1);
    expect(t.payee.status().state).toBe('open');
    expect(t.payer.status().state).toBe('open');
    for (const amount of [100n, 200n, 300n]) {
      await t.payer.pay(amount);
      await settle(t);
    }
    expect(t.payee.status().transferred).toBe(600n);
    // Every commit is a classic send: the commit output, the OP_RETURN, the BTC remainder.
    const payee = t.payee.runtime.context as PayeeContext;
    expect(payee.asset).toMatchObject({ asset: ASSET, quantity: '1000' });
    for (const commit of payee.activeCommits) {
      const tx = decodeTransaction(hexToBytes(commit.rawTx));
      expect(tx.outputs.map((o) => o.script[0])).toEqual([0xa9, 0x6a, 0xa9]);
      expect(tx.outputs[0]!.value).toBe(BigInt(payee.asset!.commitValue));
    }
    await t.payee.revokeUntil(300n);
    await settle(t);
    expect(t.payee.status().transferred).toBe(300n);
    expect(t.payer.status().transferred).toBe(300n);
    await t.payee.close();
    await settle(t);
    await mine(t, 12);
    expect(t.payee.status().outcome).toBe('paid-out');
    expect(t.payer.status().outcome).toBe('settled');
    expect(t.payee.runtime.rejections).toEqual([]);
    expect(t.payer.runtime.rejections).toEqual([]);
    // The payee holds what it kept; the rest of the deposit came back to the payer's address.
    expect(await assetBalances(t)).toEqual({ payer: 4_700n, payee: 300n });
    // BTC only paid fees: it is conserved to the satoshi.
    const payeeGot = t.chain.balanceOf(destinationOf(testPrivateKey(2)));
    const payerGot = t.chain.balanceOf(destinationOf(testPrivateKey(1)));
    expect(payerGot + payeeGot + t.chain.totalFeesPaid()).toBe(t.funding);
  });

  test('an unused asset deposit expires whole back to the payer', async () => {
    const t = await openTestChannel({
      asset: { asset: ASSET, allocation: 2_000n },
      depositAmount: 800n,
      expireTime: 20,
    });
    await settle(t);
    await mine(t, 1);
    expect(t.payer.status().state).toBe('open');
    expect((await assetBalances(t)).payer).toBe(1_200n);
    await mine(t, 25);
    expect(t.payer.status().outcome).toBe('expired');
    expect(await assetBalances(t)).toEqual({ payer: 2_000n, payee: 0n });
  });
});
