/** Our DER encoder and decoder against two independent encoders, edge sizes included. */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesToHex, concatBytes } from '../../src/bytes.js';
import { CURVE_ORDER, CryptoError, compactToDer, derToCompact } from '../../src/crypto/index.js';
import { isStrictDerSignature } from '../../src/transactions/signatures.js';
import { propertyConfig } from '../support/property-config.js';
import { derPush, intBytes, wrongLength } from './arbitraries.js';

/** Scalars of every byte length, with and without a high top bit. */
const scalar = fc.oneof(
  fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }),
  fc
    .integer({ min: 1, max: 256 })
    .chain((bits) => fc.bigInt({ min: 1n << BigInt(bits - 1), max: (1n << BigInt(bits)) - 1n }))
    .filter((v) => v < CURVE_ORDER),
  fc.constantFrom(1n, 0x7fn, 0x80n, 0xffn, 0x100n, CURVE_ORDER - 1n),
);

describe('DER encoding of compact signatures', () => {
  test('matches noble and the test encoder, is strict, and decodes back', () => {
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const compact = concatBytes(intBytes(r), intBytes(s));
        const der = compactToDer(compact);
        expect(bytesToHex(der)).toBe(bytesToHex(new secp256k1.Signature(r, s).toBytes('der')));
        const push = concatBytes(der, Uint8Array.of(1));
        expect(bytesToHex(push)).toBe(bytesToHex(derPush(r, s)));
        expect(isStrictDerSignature(push)).toBe(true);
        expect(bytesToHex(derToCompact(push))).toBe(bytesToHex(compact));
      }),
      propertyConfig('crypto DER round trip', 300),
    );
  });

  test('a compact signature of another length is a typed error', () => {
    fc.assert(
      fc.property(wrongLength(64), (bytes) => {
        expect(() => compactToDer(bytes)).toThrow(CryptoError);
      }),
      propertyConfig('crypto DER lengths', 50),
    );
  });

  test('an integer wider than 32 bytes does not decode to a compact signature', () => {
    const push = derPush(1n << 256n, 1n);
    expect(isStrictDerSignature(push)).toBe(true);
    expect(() => derToCompact(push)).toThrow('CRYPTO_INVALID_INPUT');
  });
});
