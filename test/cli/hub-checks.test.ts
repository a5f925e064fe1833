import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  type ConnectionExpectation,
  DEFAULT_LIMITS,
  checkDelivered,
  checkMessages,
  checkTerms,
} from '../../src/cli/hub-checks.js';
import { HubClientError } from '../../src/hub-client/errors.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { testPrivateKey } from '../support/channel-harness.js';

const code = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(HubClientError);
    return (error as HubClientError).code;
  }
};

const client = bytesToHex(publicKeyOf(testPrivateKey(5)));
const hub = bytesToHex(publicKeyOf(testPrivateKey(6)));
const expected: ConnectionExpectation = {
  handle: 'h1',
  clientPublicKey: client,
  expireBlocks: 100,
  delayBlocks: 4,
  hubDeposit: 5000n,
};
const expect1 = (h: string) => (h === 'h1' ? expected : undefined);

describe('checks of hub answers', () => {
  it('terms: accepted exactly when well ordered and within the client limit (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          min: fc.bigInt({ min: 0n, max: 10n ** 8n }),
          max: fc.bigInt({ min: 0n, max: 10n ** 8n }),
          expireMin: fc.integer({ min: 0, max: 65_535 }),
          expireMax: fc.integer({ min: 0, max: 65_535 }),
          delayMin: fc.integer({ min: 0, max: 500 }),
          delayMax: fc.integer({ min: 0, max: 500 }),
          fee: fc.bigInt({ min: 0n, max: 10n ** 6n }),
        }),
        (t) => {
          const got = code(() =>
            checkTerms(
              'BTC',
              {
                depositMin: t.min.toString(),
                depositMax: t.max.toString(),
                depositRatioPercent: 100,
                expireMin: t.expireMin,
                expireMax: t.expireMax,
                delayMin: t.delayMin,
                delayMax: t.delayMax,
                paymentFee: t.fee.toString(),
              },
              DEFAULT_LIMITS,
            ),
          );
          const sane =
            t.min >= 1n &&
            t.min <= t.max &&
            t.expireMin >= 1 &&
            t.expireMin <= t.expireMax &&
            t.expireMin <= DEFAULT_LIMITS.maxExpireBlocks &&
            t.delayMin >= 1 &&
            t.delayMin <= t.delayMax &&
            t.delayMin < t.expireMax &&
            t.fee < t.min;
          expect(got).toBe(sane ? null : 'HUB_TERMS_VIOLATED');
        },
      ),
    );
    expect(code(() => checkTerms('BTC', { depositMin: '1e5' }, DEFAULT_LIMITS))).toBe(
      'HUB_BAD_RESPONSE',
    );
    expect(code(() => checkTerms('BTC', null, DEFAULT_LIMITS))).toBe('HUB_BAD_RESPONSE');
  });

  it('messages: foreign channels, malformed ones, a wrong funded value, an offer that does not cover the request', () => {
    const offer = (expire: { min: number; max: number }) =>
      JSON.stringify({
        protocol: 'picopayments/1',
        type: 'offer',
        channelId: 'h1-c2h',
        payeePubkey: hub,
        spendSecretHash: '11'.repeat(20),
        expireTime: expire,
        delayTime: { min: 2, max: 10 },
        minFeeRate: 1,
        network: 'regtest',
      });
    const funded = (value: string) =>
      JSON.stringify({
        protocol: 'picopayments/1',
        type: 'deposit-funded',
        channelId: 'h1-h2c',
        outpoint: { txid: 'ab'.repeat(32), vout: 0 },
        value,
      });
    expect(
      code(() => checkMessages([offer({ min: 20, max: 1000 })], expect1, 'regtest')),
    ).toBeNull();
    expect(code(() => checkMessages([offer({ min: 200, max: 1000 })], expect1, 'regtest'))).toBe(
      'HUB_TERMS_VIOLATED',
    );
    expect(code(() => checkMessages([offer({ min: 20, max: 1000 })], expect1, 'mainnet'))).toBe(
      'HUB_TERMS_VIOLATED',
    );
    expect(code(() => checkMessages([funded('5000')], expect1, 'regtest'))).toBeNull();
    expect(code(() => checkMessages([funded('4999')], expect1, 'regtest'))).toBe(
      'HUB_TERMS_VIOLATED',
    );
    expect(
      code(() =>
        checkMessages(
          [offer({ min: 20, max: 1000 }).replace('h1-c2h', 'h2-c2h')],
          expect1,
          'regtest',
        ),
      ),
    ).toBe('HUB_BAD_RESPONSE');
    for (const bad of ['{', '"x"', 42, JSON.stringify({ type: 'commit' })])
      expect(code(() => checkMessages([bad], expect1, 'regtest'))).toBe('HUB_BAD_RESPONSE');
    expect(code(() => checkMessages('nope', expect1, 'regtest'))).toBe('HUB_BAD_RESPONSE');
    expect(code(() => checkMessages(undefined, expect1, 'regtest'))).toBeNull();
  });

  it('delivered payments: well formed or refused', () => {
    expect(code(() => checkDelivered([{ token: 't', from: 'h2', amount: '10' }]))).toBeNull();
    for (const bad of [
      [{ token: 't', from: 'h2', amount: '0' }],
      [{ token: 't', from: 'h2', amount: '-1' }],
      [{ token: 't', from: 'h2', amount: '1'.repeat(30) }],
      [{ token: 't', from: 'h2', amount: '1', memo: 'm'.repeat(300) }],
      [{ token: 5, from: 'h2', amount: '1' }],
      [null],
      'x',
    ])
      expect(code(() => checkDelivered(bad))).toBe('HUB_BAD_RESPONSE');
  });
});
