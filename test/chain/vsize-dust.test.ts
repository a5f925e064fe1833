import { Transaction } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import { virtualSize } from '../../src/chain/index.js';
import { DUST_THRESHOLDS, dustThreshold } from '../../src/transactions/fees.js';
import { vectors } from '../support/vectors.js';
import { csvRedeemScript, p2shOf, spendP2wpkh, testKey } from './helpers.js';

const alice = testKey('alice');

describe('virtualSize', () => {
  it('equals the byte length of a legacy transaction', () => {
    const raw = hexToBytes(vectors.sign.payout_recover!.expected!);
    expect(virtualSize(raw)).toBe(raw.length);
  });

  it('discounts witness bytes, as btc-signer computes it', () => {
    const raw = spendP2wpkh(
      alice,
      [{ txid: '01'.repeat(32), vout: 0, value: 10_000n }],
      [{ script: alice.p2wpkh, amount: 9_000n }],
    );
    expect(virtualSize(raw)).toBe(Transaction.fromRaw(raw).vsize);
    expect(virtualSize(raw)).toBeLessThan(raw.length);
  });

  it('refuses bytes that are not a transaction', () => {
    expect(() => virtualSize(new Uint8Array([1, 2]))).toThrow(/TX_MALFORMED/);
  });
});

describe('dustThreshold', () => {
  it('gives the table for each standard type and exempts OP_RETURN', () => {
    expect(dustThreshold(alice.p2pkh)).toBe(DUST_THRESHOLDS.p2pkh);
    expect(dustThreshold(p2shOf(csvRedeemScript(1)))).toBe(DUST_THRESHOLDS.p2sh);
    expect(dustThreshold(alice.p2wpkh)).toBe(DUST_THRESHOLDS.p2wpkh);
    expect(dustThreshold(new Uint8Array([0, 32, ...new Uint8Array(32)]))).toBe(
      DUST_THRESHOLDS.p2wsh,
    );
    expect(dustThreshold(new Uint8Array([0x51, 32, ...new Uint8Array(32)]))).toBe(
      DUST_THRESHOLDS.p2tr,
    );
    expect(dustThreshold(new Uint8Array([0x6a]))).toBe(0n);
    expect(DUST_THRESHOLDS).toEqual({
      p2pkh: 546n,
      p2sh: 540n,
      p2wpkh: 294n,
      p2wsh: 330n,
      p2tr: 330n,
      opReturn: 0n,
    });
  });
});
