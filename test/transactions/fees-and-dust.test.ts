import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { concatBytes, hexToBytes } from '../../src/bytes.js';
import { hash160 } from '../../src/scripts/index.js';
import {
  DUST_THRESHOLDS,
  assertSignatureEncoding,
  commitCapacity,
  completeCommit,
  createCommit,
  decodeTransaction,
  dustThreshold,
  feeFor,
  feeRateOf,
  isStrictDerSignature,
  signHash,
  verifyPayerCommit,
  virtualSizeOf,
} from '../../src/transactions/index.js';
import { propertyConfig } from '../support/property-config.js';
import {
  CURVE_N,
  bitcore,
  decodeSignature,
  encodeSignature,
  expectTxError,
  keyFromLabel,
  makeChannel,
  pub,
} from './helpers.js';

const key = pub(keyFromLabel('fees key'));
const SCRIPTS = {
  p2pkh: concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), hash160(key), Uint8Array.of(0x88, 0xac)),
  p2sh: concatBytes(Uint8Array.of(0xa9, 0x14), hash160(key), Uint8Array.of(0x87)),
  p2wpkh: concatBytes(Uint8Array.of(0x00, 0x14), hash160(key)),
  p2wsh: concatBytes(Uint8Array.of(0x00, 0x20), new Uint8Array(32).fill(7)),
  p2tr: concatBytes(Uint8Array.of(0x51, 0x20), new Uint8Array(32).fill(7)),
  opReturn: Uint8Array.of(0x6a, 0x04, 1, 2, 3, 4),
} as const;

describe('dustThreshold', () => {
  test.each([
    ['p2pkh', 546n],
    ['p2sh', 540n],
    ['p2wpkh', 294n],
    ['p2wsh', 330n],
    ['p2tr', 330n],
    ['opReturn', 0n],
  ] as const)('%s → %s', (name, expected) => {
    expect(dustThreshold(SCRIPTS[name])).toBe(expected);
    expect(DUST_THRESHOLDS[name]).toBe(expected);
  });

  test('a bare OP_RETURN is 0', () => {
    expect(dustThreshold(Uint8Array.of(0x6a))).toBe(0n);
  });
});

describe('feeFor', () => {
  test('is exact for whole rates', () => {
    for (const vsize of [1, 60, 141, 250, 999, 100_000]) {
      for (let rate = 0; rate <= 50; rate++) {
        expect(feeFor(vsize, rate)).toBe(BigInt(vsize * rate));
      }
    }
    expect(feeFor(250, 1_000_000)).toBe(250_000_000n);
  });

  test.each([
    [10, 1.1, 11n],
    [3, 0.5, 2n],
    [141, 1.0004, 142n],
    [100, 0.0004, 1n],
    [1, 5e-324, 1n],
    [141, 0.999, 141n],
    [1000, 0.001, 1n],
    [1000, 0.0011, 2n],
    [7, 1 / 7, 1n],
    [0, 5, 0n],
  ] as const)('rounds up: %s vB at %s sat/vB → %s', (vsize, rate, expected) => {
    expect(feeFor(vsize, rate)).toBe(expected);
  });

  test('is the smallest whole fee that meets the rate (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400_000 }),
        fc.oneof(
          fc.double({ min: 0, max: 1_000_000, noNaN: true }),
          fc.double({ min: 0, max: 2, noNaN: true }),
        ),
        (vsize, rate) => {
          const fee = Number(feeFor(vsize, rate));
          expect(Number.isInteger(fee)).toBe(true);
          expect(fee / vsize).toBeGreaterThanOrEqual(rate);
          if (fee > 0) expect((fee - 1) / vsize).toBeLessThan(rate);
          expect(feeRateOf(BigInt(fee), vsize)).toBeGreaterThanOrEqual(rate);
        },
      ),
      propertyConfig('transactions: feeFor', 2000),
    );
  });

  test.each([
    ['NaN', Number.NaN],
    ['-1', -1],
    ['-0.0001', -0.0001],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['1000001', 1_000_001],
  ] as const)('refuses fee rate %s → TX_INVALID_PARAMS', (_name, rate) => {
    expectTxError(() => feeFor(100, rate), 'TX_INVALID_PARAMS');
  });
});

describe('commitCapacity bounds are tight', () => {
  const ch = makeChannel({ label: 'capacity', value: 50_000n });
  const base = {
    deposit: ch.deposit,
    depositScript: ch.depositScript,
    commitScript: ch.commitScript,
    payerPrivateKey: ch.payerKey,
  };

  test.each([0, 1, 2.5, 7.77, 50])('at %s sat/vB', (feeRate) => {
    const { minAmount, maxAmount } = commitCapacity(
      ch.deposit,
      ch.depositScript,
      ch.commitScript,
      feeRate,
    );
    expect(minAmount).toBe(540n);

    const atMax = createCommit({ ...base, amount: maxAmount, feeRate });
    expect(atMax.remainder).toBe(0n);
    expect(atMax.fee).toBe(ch.deposit.value - maxAmount);
    const completed = completeCommit(atMax.rawTx, ch.depositScript, ch.payeeKey);
    const tx = decodeTransaction(completed);
    expect(tx.outputs).toHaveLength(1);
    expect(Number(atMax.fee) / virtualSizeOf(tx)).toBeGreaterThanOrEqual(feeRate);
    expect(bitcore(completed, ch.depositOut, ch.deposit.value)).toEqual({ ok: true });

    const atMin = createCommit({ ...base, amount: minAmount, feeRate });
    expect(atMin.amount).toBe(540n);
    expect(atMin.remainder + atMin.fee + 540n).toBe(ch.deposit.value);

    expectTxError(
      () => createCommit({ ...base, amount: maxAmount + 1n, feeRate }),
      'TX_AMOUNT_OUT_OF_RANGE',
    );
    expectTxError(
      () => createCommit({ ...base, amount: minAmount - 1n, feeRate }),
      'TX_AMOUNT_OUT_OF_RANGE',
    );
  });

  test('a deposit that cannot carry a dust-sized commit has an empty range', () => {
    const small = { ...ch.deposit, value: 900n };
    const { minAmount, maxAmount } = commitCapacity(small, ch.depositScript, ch.commitScript, 2);
    expect(maxAmount).toBeLessThan(minAmount);
    expectTxError(
      () => createCommit({ ...base, deposit: small, amount: minAmount, feeRate: 2 }),
      'TX_AMOUNT_OUT_OF_RANGE',
    );
  });
});

describe('a remainder below dust is left to the fee', () => {
  const ch = makeChannel({ label: 'dust remainder', value: 50_000n });
  const base = {
    deposit: ch.deposit,
    depositScript: ch.depositScript,
    commitScript: ch.commitScript,
    payerPrivateKey: ch.payerKey,
    feeRate: 3,
  };
  // The fee of a commit with a remainder output does not depend on the amount.
  const feeWithRemainder = createCommit({ ...base, amount: 10_000n }).fee;
  const expectations = {
    deposit: ch.deposit,
    depositScript: ch.depositScript,
    delayTime: ch.delayTime,
    issuedRevokeHashes: [hash160(ch.revokeSecret)],
    minFeeRate: 3,
  };

  test('remainder exactly at the dust limit (540) is kept', () => {
    const amount = ch.deposit.value - feeWithRemainder - 540n;
    const commit = createCommit({ ...base, amount });
    expect(commit.remainder).toBe(540n);
    expect(commit.fee).toBe(feeWithRemainder);
    expect(decodeTransaction(commit.rawTx).outputs).toEqual([
      { value: amount, script: ch.commitOut },
      { value: 540n, script: ch.depositOut },
    ]);
    expect(verifyPayerCommit(commit.rawTx, ch.commitScript, amount, expectations).remainder).toBe(
      540n,
    );
  });

  test('remainder one below (539) is dropped and absorbed by the fee', () => {
    const amount = ch.deposit.value - feeWithRemainder - 539n;
    const commit = createCommit({ ...base, amount });
    expect(commit.remainder).toBe(0n);
    expect(commit.fee).toBe(feeWithRemainder + 539n);
    expect(decodeTransaction(commit.rawTx).outputs).toEqual([
      { value: amount, script: ch.commitOut },
    ]);
    const verified = verifyPayerCommit(commit.rawTx, ch.commitScript, amount, expectations);
    expect(verified.remainder).toBe(0n);
    expect(verified.fee).toBe(feeWithRemainder + 539n);
    const completed = completeCommit(commit.rawTx, ch.depositScript, ch.payeeKey);
    expect(bitcore(completed, ch.depositOut, ch.deposit.value)).toEqual({ ok: true });
  });
});

// ---------------------------------------------------------------------------------------------
// Strict DER (BIP66) plus the protocol's own rules (range, low S, SIGHASH_ALL).
// ---------------------------------------------------------------------------------------------

const valid = signHash(new Uint8Array(32).fill(0x42), keyFromLabel('der'));
const { r: R, s: S } = decodeSignature(valid);
const h = hexToBytes;

/** A signature's bytes with one byte replaced. */
function patch(sig: Uint8Array, at: number, value: number): Uint8Array {
  const copy = sig.slice();
  copy[at] = value;
  return copy;
}

/** A raw DER-like encoding from explicit R and S bytes (lengths as given). */
function raw(rBytes: Uint8Array, sBytes: Uint8Array, hashType = 0x01): Uint8Array {
  const body = concatBytes(
    Uint8Array.of(0x02, rBytes.length),
    rBytes,
    Uint8Array.of(0x02, sBytes.length),
    sBytes,
  );
  return concatBytes(Uint8Array.of(0x30, body.length), body, Uint8Array.of(hashType));
}

const r32 = new Uint8Array(32).fill(0x11);
const s32 = new Uint8Array(32).fill(0x22);

describe('strict DER check', () => {
  test.each([
    ['a real low-S signature', valid],
    ['the smallest encoding (r = s = 1)', h('3006020101020101' + '01')],
    [
      'r with its required 0x00 pad (top bit set)',
      raw(concatBytes(Uint8Array.of(0), new Uint8Array(32).fill(0x80)), s32),
    ],
    ['r of one byte', raw(Uint8Array.of(0x05), s32)],
  ])('accepts %s', (_name, sig) => {
    expect(isStrictDerSignature(sig)).toBe(true);
  });

  test.each([
    ['negative r (top bit set, no pad)', raw(new Uint8Array(32).fill(0x80), s32)],
    ['negative s (top bit set, no pad)', raw(r32, new Uint8Array(32).fill(0x80))],
    ['r with excess 0x00 padding', raw(concatBytes(Uint8Array.of(0), r32), s32)],
    ['s with excess 0x00 padding', raw(r32, concatBytes(Uint8Array.of(0), s32))],
    ['zero-length r', raw(new Uint8Array(0), s32)],
    ['zero-length s', raw(r32, new Uint8Array(0))],
    ['sequence length one too long', patch(valid, 1, valid[1]! + 1)],
    ['sequence length one too short', patch(valid, 1, valid[1]! - 1)],
    ['r length pointing past s', patch(valid, 3, valid[3]! + 1)],
    ['r length one short', patch(valid, 3, valid[3]! - 1)],
    ['s length one too long', patch(valid, 5 + valid[3]!, valid[5 + valid[3]!]! + 1)],
    ['wrong sequence type byte (0x31)', patch(valid, 0, 0x31)],
    ['wrong r type byte (0x03)', patch(valid, 2, 0x03)],
    ['wrong s type byte (0x03)', patch(valid, 4 + valid[3]!, 0x03)],
    [
      'a trailing byte before the sighash byte',
      concatBytes(valid.subarray(0, valid.length - 1), Uint8Array.of(0, 1)),
    ],
    ['a missing sighash byte', valid.subarray(0, valid.length - 1)],
    ['8 bytes (too short)', h('3005020101020101')],
    ['74 bytes (too long)', raw(new Uint8Array(34).fill(0x11), new Uint8Array(33).fill(0x22))],
    ['empty', new Uint8Array(0)],
  ])('rejects %s', (_name, sig) => {
    expect(isStrictDerSignature(sig)).toBe(false);
    expectTxError(() => assertSignatureEncoding(sig), 'TX_BAD_SIGNATURE_FORMAT');
  });

  test.each([
    ['r = 0', encodeSignature(0n, S)],
    ['s = 0', encodeSignature(R, 0n)],
    ['r = n', encodeSignature(CURVE_N, S)],
    ['s = n', encodeSignature(R, CURVE_N)],
    ['high S (n - s)', encodeSignature(R, CURVE_N - S)],
    ['s = n/2 + 1', encodeSignature(R, (CURVE_N >> 1n) + 1n)],
    ['SIGHASH_NONE', encodeSignature(R, S, 0x02)],
    ['SIGHASH_SINGLE', encodeSignature(R, S, 0x03)],
    ['SIGHASH_ALL|ANYONECANPAY', encodeSignature(R, S, 0x81)],
    ['sighash byte 0', encodeSignature(R, S, 0x00)],
  ])('strict DER but refused by the protocol: %s', (_name, sig) => {
    expect(isStrictDerSignature(sig)).toBe(true);
    expectTxError(() => assertSignatureEncoding(sig), 'TX_BAD_SIGNATURE_FORMAT');
  });

  test('s = n/2 (the largest low S) is accepted', () => {
    expect(() => assertSignatureEncoding(encodeSignature(R, CURVE_N >> 1n))).not.toThrow();
  });

  test('signHash always gives strict-DER, low-S, SIGHASH_ALL signatures', () => {
    for (let i = 0; i < 64; i++) {
      const sig = signHash(new Uint8Array(32).fill(i), keyFromLabel(`der ${i}`));
      expect(isStrictDerSignature(sig)).toBe(true);
      expect(() => assertSignatureEncoding(sig)).not.toThrow();
      expect(decodeSignature(sig).s <= CURVE_N >> 1n).toBe(true);
    }
  });
});
