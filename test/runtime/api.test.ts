import { describe, expect, test } from 'vitest';
import {
  ChannelConfigError,
  newPayeeContext,
  newPayerContext,
} from '../../src/machines/initial-context.js';
import type { PayeeChannelConfig, PayerChannelConfig } from '../../src/machines/initial-context.js';
import { ChannelCommandError } from '../../src/runtime/channels.js';
import {
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';

// Commands and message texts are refused before any transaction exists, so bitcore is not needed.
const fast = { verify: false } as const;

const payeeConfig: PayeeChannelConfig = {
  channelId: 'api',
  network: 'regtest',
  expireTimeRange: { min: 10, max: 100 },
  delayTimeRange: { min: 1, max: 10 },
  minFeeRate: 1,
  feeRate: 2,
  clearance: 6,
  privateKey: testPrivateKey(201),
  destinationScript: destinationOf(testPrivateKey(201)),
  height: 0,
};
const payerConfig: PayerChannelConfig = {
  channelId: 'api',
  network: 'regtest',
  depositAmount: 100_000n,
  feeRate: 2,
  expireTime: 40,
  delayTime: 5,
  privateKey: testPrivateKey(202),
  destinationScript: destinationOf(testPrivateKey(202)),
  height: 0,
};

describe('channel configuration', () => {
  test('valid configurations give fresh contexts', () => {
    const a = newPayeeContext(payeeConfig);
    const b = newPayeeContext(payeeConfig);
    expect(a.spendSecret).not.toBe(b.spendSecret);
    expect(a.revokeSeed).not.toBe(b.revokeSeed);
    expect(newPayerContext(payerConfig).depositAmount).toBe('100000');
  });

  test('a relay floor below 1 sat/vB may be configured (a chain whose policy allows it)', () => {
    expect(
      newPayeeContext({ ...payeeConfig, minFeeRate: 0.5, relayFeeFloor: 0.5 }).minFeeRate,
    ).toBe(0.5);
    expect(newPayerContext({ ...payerConfig, feeRate: 0.5, relayFeeFloor: 0.5 }).feeRate).toBe(0.5);
  });

  test('the payer keeps its offer bounds, with safe defaults', () => {
    const ctx = newPayerContext(payerConfig);
    expect([ctx.minDelayTime, ctx.maxExpireTime]).toEqual([3, 4320]);
    const set = newPayerContext({ ...payerConfig, minDelayTime: 4, maxExpireTime: 50 });
    expect([set.minDelayTime, set.maxExpireTime]).toEqual([4, 50]);
  });

  test.each([
    ['channel id', { channelId: 'has space' }],
    ['empty channel id', { channelId: '' }],
    ['expire range order', { expireTimeRange: { min: 50, max: 10 } }],
    ['delay above 65535', { delayTimeRange: { min: 1, max: 65536 } }],
    ['negative delay', { delayTimeRange: { min: -1, max: 3 } }],
    ['fee floor', { minFeeRate: -1 }],
    ['fee rate', { feeRate: Number.NaN }],
    ['clearance below 3', { clearance: 2 }],
    ['clearance not below the longest expiry', { clearance: 100 }],
    ['clearance fractional', { clearance: 6.5 }],
    ['height', { height: -1 }],
    ['private key', { privateKey: new Uint8Array(32) }],
    ['no private key (no generated default)', { privateKey: undefined }],
    [
      'no destination (no default to a key the embedder did not choose)',
      { destinationScript: undefined },
    ],
    ['empty destination', { destinationScript: new Uint8Array(0) }],
    ['delay range starting at 0 blocks', { delayTimeRange: { min: 0, max: 10 } }],
    ['fee floor below the 1 sat/vB relay floor', { minFeeRate: 0.5 }],
    ['payout fee rate below the relay floor', { feeRate: 0 }],
    ['fee floor below a configured relay floor', { minFeeRate: 2, relayFeeFloor: 3 }],
    ['relay floor not a rate', { relayFeeFloor: -1 }],
    ['funding timeout of 0 blocks', { fundingTimeout: 0 }],
    ['fractional funding timeout', { fundingTimeout: 2.5 }],
  ] as const)('payee: %s', (_name, change) => {
    expect(() => newPayeeContext({ ...payeeConfig, ...change } as PayeeChannelConfig)).toThrow(
      expect.objectContaining({ code: 'INVALID_CHANNEL_CONFIG' }),
    );
  });

  test('payee: an unknown network is refused', () => {
    expect(() => newPayeeContext({ ...payeeConfig, network: 'moon' as never })).toThrow();
  });

  test.each([
    ['zero deposit', { depositAmount: 0n }],
    ['deposit above 21e6 BTC', { depositAmount: 2_100_000_000_000_001n }],
    ['deposit as number', { depositAmount: 5 as unknown as bigint }],
    ['expire time', { expireTime: 70_000 }],
    ['delay time', { delayTime: 1.5 }],
    ['fee rate', { feeRate: -2 }],
    ['channel id', { channelId: 'x'.repeat(65) }],
    ['height', { height: 0.5 }],
    ['private key', { privateKey: new Uint8Array(32).fill(0xff) }],
    ['no private key (no generated default)', { privateKey: undefined }],
    ['no destination', { destinationScript: undefined }],
    ['fee rate below the 1 sat/vB relay floor', { feeRate: 0.5 }],
    ['fee rate below a configured relay floor', { relayFeeFloor: 5 }],
    ['minimum delay of 0 blocks', { minDelayTime: 0, delayTime: 5 }],
    ['preferred delay below the minimum delay', { minDelayTime: 6, delayTime: 5 }],
    ['preferred expiry above the maximum expiry', { maxExpireTime: 30, expireTime: 40 }],
    ['maximum expiry above 65535', { maxExpireTime: 65536 }],
  ] as const)('payer: %s', (_name, change) => {
    let thrown: unknown;
    try {
      newPayerContext({ ...payerConfig, ...change } as PayerChannelConfig);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ChannelConfigError);
    expect((thrown as ChannelConfigError).code).toBe('INVALID_CHANNEL_CONFIG');
  });
});

describe('receive: hostile message texts', () => {
  const longText = `{"protocol":"picopayments/1","type":"close","channelId":"test-channel","reason":"${'x'.repeat(300_000)}"}`;
  test.each([
    ['empty', '', 'MESSAGE_NOT_JSON'],
    ['truncated', '{"protocol":"picopayments/1","type":"comm', 'MESSAGE_NOT_JSON'],
    ['not an object', '[1,2,3]', 'MESSAGE_NOT_OBJECT'],
    ['null', 'null', 'MESSAGE_NOT_OBJECT'],
    ['string', '"offer"', 'MESSAGE_NOT_OBJECT'],
    [
      'wrong protocol',
      '{"protocol":"picopayments/2","type":"close","channelId":"test-channel","reason":""}',
      'MESSAGE_UNKNOWN_PROTOCOL',
    ],
    [
      'unknown type',
      '{"protocol":"picopayments/1","type":"steal","channelId":"test-channel"}',
      'MESSAGE_UNKNOWN_TYPE',
    ],
    [
      'extra field',
      '{"protocol":"picopayments/1","type":"close","channelId":"test-channel","reason":"","x":1}',
      'MESSAGE_SCHEMA_VIOLATION',
    ],
    [
      'prototype pollution',
      '{"protocol":"picopayments/1","type":"close","channelId":"test-channel","reason":"","__proto__":{"x":1}}',
      'MESSAGE_SCHEMA_VIOLATION',
    ],
    [
      'bad amount',
      '{"protocol":"picopayments/1","type":"commit","channelId":"test-channel","amount":"01","commitScript":"00","commitTx":"00"}',
      'MESSAGE_SCHEMA_VIOLATION',
    ],
    [
      'upper-case hex',
      `{"protocol":"picopayments/1","type":"revoke-hash","channelId":"test-channel","revokeSecretHash":"${'AB'.repeat(20)}"}`,
      'MESSAGE_SCHEMA_VIOLATION',
    ],
    [
      'bad key',
      `{"protocol":"picopayments/1","type":"offer","channelId":"test-channel","payeePubkey":"05${'00'.repeat(32)}","spendSecretHash":"${'00'.repeat(20)}","expireTime":{"min":1,"max":2},"delayTime":{"min":1,"max":2},"minFeeRate":1,"network":"regtest"}`,
      'MESSAGE_INVALID_FIELD',
    ],
    ['oversized', longText, 'MESSAGE_TOO_LARGE'],
  ])('%s', async (_name, text, code) => {
    const t = await openTestChannel(fast);
    for (const side of [t.payer, t.payee]) {
      const before = side.snapshot();
      const refusals = await side.receive(text);
      expect(refusals).toEqual([expect.objectContaining({ event: 'MESSAGE', code })]);
      expect(side.runtime.rejections.at(-1)?.code).toBe(code);
      expect(side.snapshot()).toBe(before);
    }
    expect(t.link.queue).toHaveLength(1); // only the payee's offer, nothing answered
  });

  test('a valid message for another channel is refused by the machine', async () => {
    const t = await openTestChannel(fast);
    const offer = t.link.queue[0]!.text.replace('"test-channel"', '"other"');
    const before = t.payer.snapshot();
    expect(await t.payer.receive(offer)).toEqual([
      expect.objectContaining({ event: 'OFFER', code: 'WRONG_CHANNEL' }),
    ]);
    expect(t.payer.snapshot()).toBe(before);
  });
});

describe('commands', () => {
  const code = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      expect(error).toBeInstanceOf(ChannelCommandError);
      return (error as ChannelCommandError).code;
    }
    return 'ok';
  };

  test('refusals leave the channel unchanged', async () => {
    const t = await openTestChannel(fast);
    const before = t.payer.snapshot();
    expect(await code(() => t.payer.pay(1_000n))).toBe('DEPOSIT_UNCONFIRMED');
    expect(t.payer.snapshot()).toBe(before);
    await settle(t);
    await mine(t, 1);
    const open = t.payer.snapshot();
    expect(await code(() => t.payer.pay(0n))).toBe('AMOUNT_INVALID');
    expect(await code(() => t.payer.pay(-5n))).toBe('AMOUNT_INVALID');
    expect(await code(() => t.payer.pay(1_000_000n))).toBe('AMOUNT_INVALID');
    expect(await code(() => t.payer.pay(10n))).toBe('AMOUNT_INVALID');
    expect(t.payer.snapshot()).toBe(open);
    expect(await code(() => t.payee.revokeUntil(0n))).toBe('NOTHING_TO_REVOKE');
    await t.payer.pay(10_000n);
    expect(await code(() => t.payer.pay(1_000n))).toBe('NO_REVOKE_HASH');
    await settle(t);
    expect(await code(() => t.payee.revokeUntil(10_000n))).toBe('NOTHING_TO_REVOKE');
    expect(await code(() => t.payee.revokeUntil(5_000n))).toBe('NOTHING_TO_REVOKE');
    expect(await code(() => t.payee.revokeUntil(5_000n, { surpass: true }))).toBe('ok');
    expect(await code(() => t.payer.pay(1_000n))).toBe('ok');
  });

  test('status values through the lifecycle', async () => {
    const t = await openTestChannel(fast);
    expect(t.payer.status()).toEqual({
      role: 'payer',
      state: 'awaitingOffer',
      outcome: null,
      transferred: 0n,
      depositValue: null,
      depositTxid: null,
      height: t.chain.height,
      blocksUntilExpiry: null,
    });
    expect(t.payee.status().state).toBe('offering');
    await settle(t);
    expect(t.payer.status().state).toBe('awaitingConfirmation');
    expect(t.payee.status().state).toBe('awaitingConfirmation');
    await mine(t, 1);
    const confirmed = t.chain.height;
    expect(t.payee.status()).toMatchObject({
      role: 'payee',
      state: 'open',
      depositValue: 1_000_000n,
      height: confirmed,
      blocksUntilExpiry: 40,
    });
    expect(t.payer.status().depositTxid).toBe(t.payee.status().depositTxid);
    await t.payer.pay(10_000n);
    await settle(t);
    expect(t.payer.status().transferred).toBe(10_000n);
    expect(t.payee.status().transferred).toBe(10_000n);
    await t.payee.close();
    await settle(t);
    expect(t.payee.status().state).toBe('closing');
    await mine(t, 1);
    expect(t.payer.status().state).toBe('settling.commitOutput.awaitingPayout,remainder.waiting');
    expect(t.payee.status().state).toBe('awaitingDelay');
    await mine(t, 8);
    expect(t.payer.status()).toMatchObject({ state: 'settled', outcome: 'settled' });
    expect(t.payee.status()).toMatchObject({ state: 'paidOut', outcome: 'paid-out' });
    expect(t.payer.done && t.payee.done).toBe(true);
  });

  test('closing before the channel opens gives it up', async () => {
    const t = await openTestChannel(fast);
    await t.payee.close();
    expect(t.payee.status()).toMatchObject({ state: 'aborted', outcome: 'aborted' });
    await t.payer.close();
    expect(t.payer.status()).toMatchObject({ state: 'aborted', outcome: 'aborted' });
  });
});
