/** The private-key range check, decided in our layer, against a bigint oracle. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import { CURVE_ORDER, isValidPrivateKey, randomPrivateKey } from '../../src/crypto/index.js';
import { propertyConfig } from '../support/property-config.js';
import { intBytes, outOfRangeKey, validPrivateKey, wrongLength } from './arbitraries.js';

const value = (bytes: Uint8Array) => BigInt(`0x${bytesToHex(bytes) || '0'}`);

describe('private keys', () => {
  test('valid exactly when 32 bytes and 0 < k < n', () => {
    const candidate = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      validPrivateKey,
      outOfRangeKey,
      fc.constantFrom(intBytes(CURVE_ORDER - 1n), intBytes(CURVE_ORDER), intBytes(1n)),
    );
    fc.assert(
      fc.property(candidate, (key) => {
        const k = value(key);
        expect(isValidPrivateKey(key)).toBe(k > 0n && k < CURVE_ORDER);
      }),
      propertyConfig('crypto private key range', 500),
    );
  });

  test('keys of any other length, and non-byte values, are invalid', () => {
    fc.assert(
      fc.property(wrongLength(32), (key) => {
        expect(isValidPrivateKey(key)).toBe(false);
      }),
      propertyConfig('crypto private key lengths', 100),
    );
    for (const junk of [null, undefined, 'aa'.repeat(32), Array(32).fill(1)]) {
      expect(isValidPrivateKey(junk as unknown as Uint8Array)).toBe(false);
    }
  });

  test('fresh keys are valid and distinct', () => {
    const keys = Array.from({ length: 200 }, () => randomPrivateKey());
    for (const key of keys) expect(isValidPrivateKey(key)).toBe(true);
    expect(new Set(keys.map(bytesToHex)).size).toBe(keys.length);
  });
});
