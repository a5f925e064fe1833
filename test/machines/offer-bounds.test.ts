import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { OfferMessage } from '../../src/messages/schema.js';
import { propertyConfig } from '../support/property-config.js';
import {
  messageEvent,
  messagesOf,
  payerContext,
  payerInput,
  startPayee,
  startPayer,
  typesOf,
} from './fixture.js';

/** The fixture payer prefers delay 5 and expiry 40; its bounds are set per test. */
function payerWithBounds(minDelayTime: number, maxExpireTime: number) {
  return startPayer(payerInput({ minDelayTime, maxExpireTime }));
}

function offerWith(delayTime: OfferMessage['delayTime'], expireTime: OfferMessage['expireTime']) {
  const offer = messagesOf(startPayee().effects)[0];
  if (offer?.type !== 'offer') throw new Error('no offer');
  return { ...offer, delayTime, expireTime };
}

describe('payer offer bounds (minimum delay, maximum expiry)', () => {
  test('a delay range {0,0} is refused: a revoked commit and its payout could share a block', () => {
    const payer = payerWithBounds(3, 4320);
    const before = payer.persisted();
    const effects = payer.send(messageEvent(offerWith({ min: 0, max: 0 }, { min: 10, max: 1000 })));
    expect(effects).toEqual([
      expect.objectContaining({ type: 'rejected', code: 'OFFER_DELAY_TOO_SHORT' }),
    ]);
    expect(payer.value()).toBe('awaitingOffer');
    expect(payer.persisted()).toBe(before);
  });

  test('an expiry range {65535,65535} is refused: the deposit would be locked for 65535 blocks', () => {
    const payer = payerWithBounds(3, 4320);
    const before = payer.persisted();
    const effects = payer.send(
      messageEvent(offerWith({ min: 1, max: 100 }, { min: 65535, max: 65535 })),
    );
    expect(effects).toEqual([
      expect.objectContaining({ type: 'rejected', code: 'OFFER_EXPIRE_TOO_LONG' }),
    ]);
    expect(payer.persisted()).toBe(before);
  });

  test('offers exactly at the bounds are accepted with the bound values', () => {
    const payer = payerWithBounds(5, 40);
    const effects = payer.send(messageEvent(offerWith({ min: 5, max: 5 }, { min: 40, max: 40 })));
    expect(typesOf(effects)).toEqual(['persist', 'send:deposit', 'fund-deposit']);
    expect(payerContext(payer)).toMatchObject({ delayTime: 5, expireTime: 40 });
  });

  test('a range reaching into the bounds is cut to them, not clamped past them', () => {
    // Prefers delay 5: with a minimum of 8 the accepted delay is 8, never below.
    const payer = startPayer(payerInput({ minDelayTime: 8, preferredDelayTime: 5 }));
    payer.send(messageEvent(offerWith({ min: 0, max: 20 }, { min: 10, max: 1000 })));
    expect(payerContext(payer).delayTime).toBe(8);
    const short = startPayer(payerInput({ maxExpireTime: 30, preferredExpireTime: 25 }));
    short.send(messageEvent(offerWith({ min: 1, max: 100 }, { min: 10, max: 5000 })));
    expect(payerContext(short).expireTime).toBe(25);
  });

  test('a delay not below the expiry is refused', () => {
    const payer = payerWithBounds(3, 4320);
    const effects = payer.send(messageEvent(offerWith({ min: 50, max: 60 }, { min: 10, max: 50 })));
    expect(effects).toEqual([
      expect.objectContaining({ type: 'rejected', code: 'OFFER_UNACCEPTABLE' }),
    ]);
  });

  test('property: any offer is refused unchanged, or accepted with times inside every bound', () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
      .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
    fc.assert(
      fc.property(
        range,
        range,
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 201, max: 5000 }),
        (delay, expire, minDelayTime, maxExpireTime) => {
          const payer = startPayer(
            payerInput({
              minDelayTime,
              maxExpireTime,
              preferredDelayTime: minDelayTime,
              preferredExpireTime: maxExpireTime,
            }),
          );
          const before = payer.persisted();
          const effects = payer.send(messageEvent(offerWith(delay, expire)));
          if (effects[0]?.type === 'rejected') {
            expect(payer.persisted()).toBe(before);
            return;
          }
          const ctx = payerContext(payer);
          expect(ctx.delayTime!).toBeGreaterThanOrEqual(Math.max(minDelayTime, delay.min, 1));
          expect(ctx.delayTime!).toBeLessThanOrEqual(delay.max);
          expect(ctx.expireTime!).toBeLessThanOrEqual(Math.min(maxExpireTime, expire.max));
          expect(ctx.expireTime!).toBeGreaterThanOrEqual(expire.min);
          expect(ctx.delayTime!).toBeLessThan(ctx.expireTime!);
        },
      ),
      propertyConfig('payer offer bounds', 300),
    );
  });
});
