import { describe, expect, test } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import type { Check } from '../../src/guards/check.js';
import {
  checkCommit,
  checkDeposit,
  checkDepositConfirmation,
} from '../../src/guards/payee-guards.js';
import { checkOffer } from '../../src/guards/payer-guards.js';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import { newPayeeContext, newPayerContext } from '../../src/machines/initial-context.js';
import { decodeMessage, encodeMessage } from '../../src/messages/codec.js';
import {
  type CommitMessage,
  type DepositMessage,
  MESSAGE_PROTOCOL,
  type OfferMessage,
} from '../../src/messages/schema.js';
import { createCommit } from '../../src/transactions/commit-transaction.js';
import {
  type TestChannel,
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';

/**
 * The asset-mode checks of the guards, message codec and configuration, each with the input
 * that must be refused: every refusal is typed and changes nothing.
 */

const codeOf = (check: Check<unknown>) => (check.ok ? 'ok' : check.code);
const ASSET = 'PICOTOKEN';

const payerOf = (t: TestChannel) => t.payer.runtime.context as PayerContext;
const payeeOf = (t: TestChannel) => t.payee.runtime.context as PayeeContext;

function offerOf(payee: PayeeContext, asset?: OfferMessage['asset']): OfferMessage {
  return {
    protocol: MESSAGE_PROTOCOL,
    type: 'offer',
    channelId: payee.channelId,
    payeePubkey: payee.payeePubkey,
    spendSecretHash: payee.spendSecretHash,
    expireTime: payee.expireTimeRange,
    delayTime: payee.delayTimeRange,
    minFeeRate: payee.minFeeRate,
    network: payee.network,
    ...(asset ? { asset } : {}),
  };
}

const payeeConfig = {
  channelId: 'test-channel',
  network: 'regtest' as const,
  expireTimeRange: { min: 10, max: 1000 },
  delayTimeRange: { min: 1, max: 100 },
  minFeeRate: 1,
  feeRate: 2,
  clearance: 6,
  privateKey: testPrivateKey(2),
  destinationScript: destinationOf(testPrivateKey(2)),
  height: 0,
};

const payerConfig = {
  channelId: 'test-channel',
  network: 'regtest' as const,
  depositAmount: 1_000n,
  feeRate: 2,
  expireTime: 40,
  delayTime: 5,
  privateKey: testPrivateKey(1),
  destinationScript: destinationOf(testPrivateKey(1)),
  height: 0,
};

describe('asset mode: configuration', () => {
  test('an asset name Counterparty gives no id, or BTC, is refused', () => {
    for (const asset of ['BTC', 'AAAA', 'A1', 'toolong', 'PICO TOKEN', '']) {
      expect(() => newPayerContext({ ...payerConfig, asset: { asset } })).toThrow(
        expect.objectContaining({ code: 'INVALID_CHANNEL_CONFIG' }),
      );
      expect(() => newPayeeContext({ ...payeeConfig, asset: { asset } })).toThrow(
        expect.objectContaining({ code: 'INVALID_CHANNEL_CONFIG' }),
      );
    }
    expect(() =>
      newPayerContext({ ...payerConfig, asset: { asset: ASSET, maxCommitValue: 0n } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CHANNEL_CONFIG' }));
  });

  test('the payee offers what its payout needs; the payer has no BTC budget before the offer', () => {
    const payee = newPayeeContext({ ...payeeConfig, asset: { asset: 'XCP' } });
    expect(payee.asset!.asset).toBe('XCP');
    expect(BigInt(payee.asset!.commitValue)).toBeGreaterThan(546n);
    const higher = newPayeeContext({ ...payeeConfig, feeRate: 20, asset: { asset: 'XCP' } });
    expect(BigInt(higher.asset!.commitValue)).toBeGreaterThan(BigInt(payee.asset!.commitValue));
    const payer = newPayerContext({ ...payerConfig, asset: { asset: 'XCP' } });
    expect(payer.asset).toEqual({ asset: 'XCP', quantity: '1000', commitValue: '0' });
    expect(payer.depositAmount).toBe('0');
  });
});

describe('asset mode: messages', () => {
  const payee = newPayeeContext({ ...payeeConfig, asset: { asset: ASSET } });
  const offer = offerOf(payee, { asset: ASSET, commitValue: payee.asset!.commitValue });

  test('an asset offer round-trips; hostile asset terms are refused with a typed error', () => {
    expect(decodeMessage(encodeMessage(offer))).toEqual(offer);
    const hostile: unknown[] = [
      { asset: 'BTC', commitValue: '1000' },
      { asset: 'A1', commitValue: '1000' },
      { asset: 'AAAA', commitValue: '1000' },
      { asset: ASSET, commitValue: '0' },
      { asset: ASSET, commitValue: '01' },
      { asset: ASSET, commitValue: '2100000000000001' },
      { asset: ASSET, commitValue: 1000 },
      { asset: ASSET },
      { asset: ASSET, commitValue: '1000', extra: 1 },
      { asset: 'P'.repeat(5000), commitValue: '1000' },
      'PICOTOKEN',
      null,
    ];
    for (const asset of hostile) {
      const text = JSON.stringify({ ...offer, asset });
      expect(() => decodeMessage(text), JSON.stringify(asset).slice(0, 40)).toThrow(
        expect.objectContaining({
          code: expect.stringMatching(/^MESSAGE_(SCHEMA_VIOLATION|INVALID_FIELD|TOO_LARGE)$/),
        }),
      );
    }
    const text = encodeMessage(offer);
    for (let cut = 1; cut < text.length; cut += 17) {
      expect(() => decodeMessage(text.slice(0, cut))).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^MESSAGE_/) }),
      );
    }
  });
});

describe('asset mode: guards', () => {
  test('the payer takes only an offer for its asset, at a commit value within its bound', () => {
    const payee = newPayeeContext({ ...payeeConfig, asset: { asset: ASSET } });
    const asked = payee.asset!.commitValue;
    const payer = newPayerContext({ ...payerConfig, asset: { asset: ASSET } });
    const accepted = checkOffer(payer, offerOf(payee, { asset: ASSET, commitValue: asked }));
    expect(accepted.ok && accepted.value.asset!.commitValue).toBeGreaterThanOrEqual(BigInt(asked));
    expect(codeOf(checkOffer(payer, offerOf(payee)))).toBe('OFFER_UNACCEPTABLE');
    expect(codeOf(checkOffer(payer, offerOf(payee, { asset: 'XCP', commitValue: asked })))).toBe(
      'OFFER_UNACCEPTABLE',
    );
    const btcPayer = newPayerContext(payerConfig);
    expect(codeOf(checkOffer(btcPayer, offerOf(payee, { asset: ASSET, commitValue: asked })))).toBe(
      'OFFER_UNACCEPTABLE',
    );
    const bounded = newPayerContext({
      ...payerConfig,
      asset: { asset: ASSET, maxCommitValue: 10_000n },
    });
    expect(
      codeOf(checkOffer(bounded, offerOf(payee, { asset: ASSET, commitValue: '10001' }))),
    ).toBe('OFFER_UNACCEPTABLE');
    expect(
      codeOf(checkOffer(bounded, offerOf(payee, { asset: ASSET, commitValue: '10000' }))),
    ).toBe('ok');
  });

  test('the payee takes only a deposit for its asset with at least the BTC it asked', async () => {
    const t = await openTestChannel({ asset: { asset: ASSET }, depositAmount: 1_000n });
    const payer = payerOf(t);
    const payee = payeeOf(t);
    await t.link.deliverOne(t.link.queue.shift()!); // the offer
    const deposit = t.link.queue.find((m) => m.from === 'payer' && m.text.includes('"deposit"'));
    const message = decodeMessage(deposit!.text) as DepositMessage;
    expect(codeOf(checkDeposit(payee, message))).toBe('ok');
    const variants: DepositMessage[] = [
      { ...message, asset: undefined },
      { ...message, asset: { ...message.asset!, asset: 'XCP' } },
      {
        ...message,
        asset: { ...message.asset!, commitValue: String(BigInt(payee.asset!.commitValue) - 1n) },
      },
    ];
    for (const variant of variants)
      expect(codeOf(checkDeposit(payee, variant))).toBe('DEPOSIT_UNACCEPTABLE');
    expect(payer.asset!.quantity).toBe('1000');
  });

  test('the deposit confirmation is judged on the ledger reading of the deposit address', async () => {
    const t = await openTestChannel({ asset: { asset: ASSET }, depositAmount: 1_000n });
    await settle(t);
    t.chain.mine(1);
    const payee = payeeOf(t);
    const deposit = payee.deposit!;
    const record = (await t.chain.getTransaction(deposit.txid))!;
    const rawTx = bytesToHex(record.rawTx);
    const height = record.blockHeight!;
    const own = { txid: deposit.txid, vout: deposit.vout, blockHeight: height };
    const check = (reading?: { balance: string; outputs: (typeof own)[] }) =>
      codeOf(checkDepositConfirmation(payee, deposit.txid, rawTx, reading, height));
    expect(check({ balance: '1000', outputs: [own] })).toBe('ok');
    expect(
      check({
        balance: '5000',
        outputs: [own, { ...own, txid: 'cd'.repeat(32), blockHeight: height + 1 }],
      }),
    ).toBe('ok');
    expect(check()).toBe('ASSET_READING_MISSING');
    expect(check({ balance: '999', outputs: [own] })).toBe('DEPOSIT_MISMATCH');
    expect(check({ balance: 'lots', outputs: [own] })).toBe('DEPOSIT_MISMATCH');
    expect(
      check({
        balance: '1000',
        outputs: [own, { ...own, txid: 'cd'.repeat(32), blockHeight: height - 1 }],
      }),
    ).toBe('DEPOSIT_MISMATCH');
    // A refused confirmation changed nothing: the real one still opens the channel.
    await settle(t);
    expect(t.payee.status().state).toBe('open');
  });

  test('a BTC commit, or an asset commit claiming another amount, is refused on an asset channel', async () => {
    const t = await openTestChannel({ asset: { asset: ASSET }, depositAmount: 1_000n });
    await settle(t);
    await mine(t, 1);
    await t.payer.pay(100n);
    const sent = t.link.queue.find((m) => m.text.includes('"commit"'))!;
    const commit = decodeMessage(sent.text) as CommitMessage;
    const payee = payeeOf(t);
    expect(codeOf(checkCommit(payee, commit))).toBe('ok');
    expect(codeOf(checkCommit(payee, { ...commit, amount: '101' }))).toBe('TX_WRONG_OUTPUTS');
    expect(codeOf(checkCommit(payee, { ...commit, amount: '1001' }))).toBe(
      'TX_AMOUNT_OUT_OF_RANGE',
    );
    const payer = payerOf(t);
    const btc = createCommit({
      deposit: {
        outpoint: { txid: payer.deposit!.txid, vout: payer.deposit!.vout },
        value: BigInt(payer.deposit!.value),
      },
      depositScript: hexToBytes(payer.depositScript!),
      commitScript: hexToBytes(commit.commitScript),
      amount: 1_000n,
      feeRate: 2,
      payerPrivateKey: testPrivateKey(1),
    });
    expect(codeOf(checkCommit(payee, { ...commit, commitTx: bytesToHex(btc.rawTx) }))).toBe(
      'TX_WRONG_OUTPUTS',
    );
  });
});
