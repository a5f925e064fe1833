import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import {
  type CborValue,
  CounterpartyError,
  decodeCbor,
  encodeCbor,
} from '../../src/counterparty/index.js';
import { propertyConfig } from '../support/property-config.js';

function codeOf(bytes: Uint8Array): string {
  try {
    decodeCbor(bytes);
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof CounterpartyError) return error.code;
    throw error;
  }
}

const cborArb: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ type: 'uint', value }) as const),
    fc
      .constantFrom(0n, 23n, 24n, 255n, 256n, 65535n, 65536n, 2n ** 32n - 1n, 2n ** 32n)
      .map((value) => ({ type: 'uint', value }) as const),
    fc
      .bigInt({ min: -(2n ** 64n), max: -1n })
      .map((value) => ({ type: 'negative', value }) as const),
    fc.uint8Array({ maxLength: 300 }).map((value) => ({ type: 'bytes', value }) as const),
    fc.string({ maxLength: 40 }).map((value) => ({ type: 'text', value }) as const),
    fc.constantFrom(false, true, null).map((value) => ({ type: 'simple', value }) as const),
    fc.array(tie('value'), { maxLength: 5 }).map((value) => ({ type: 'array', value }) as const),
  ),
})).value;

describe('strict CBOR reader', () => {
  it('reads items written by hand from RFC 8949', () => {
    expect(decodeCbor(hexToBytes('00'))).toEqual({ type: 'uint', value: 0n });
    expect(decodeCbor(hexToBytes('17'))).toEqual({ type: 'uint', value: 23n });
    expect(decodeCbor(hexToBytes('1818'))).toEqual({ type: 'uint', value: 24n });
    expect(decodeCbor(hexToBytes('190100'))).toEqual({ type: 'uint', value: 256n });
    expect(decodeCbor(hexToBytes('1a00010000'))).toEqual({ type: 'uint', value: 65536n });
    expect(decodeCbor(hexToBytes('1b0000000100000000'))).toEqual({
      type: 'uint',
      value: 2n ** 32n,
    });
    expect(decodeCbor(hexToBytes('1bffffffffffffffff'))).toEqual({
      type: 'uint',
      value: 2n ** 64n - 1n,
    });
    expect(decodeCbor(hexToBytes('20'))).toEqual({ type: 'negative', value: -1n });
    expect(decodeCbor(hexToBytes('3863'))).toEqual({ type: 'negative', value: -100n });
    expect(decodeCbor(hexToBytes('4401020304'))).toEqual({
      type: 'bytes',
      value: Uint8Array.of(1, 2, 3, 4),
    });
    expect(decodeCbor(hexToBytes('6449455446'))).toEqual({ type: 'text', value: 'IETF' });
    expect(decodeCbor(hexToBytes('f4'))).toEqual({ type: 'simple', value: false });
    expect(decodeCbor(hexToBytes('f5'))).toEqual({ type: 'simple', value: true });
    expect(decodeCbor(hexToBytes('f6'))).toEqual({ type: 'simple', value: null });
    expect(decodeCbor(hexToBytes('8301820203820405'))).toEqual({
      type: 'array',
      value: [
        { type: 'uint', value: 1n },
        {
          type: 'array',
          value: [
            { type: 'uint', value: 2n },
            { type: 'uint', value: 3n },
          ],
        },
        {
          type: 'array',
          value: [
            { type: 'uint', value: 4n },
            { type: 'uint', value: 5n },
          ],
        },
      ],
    });
  });

  it.each([
    ['', 'empty input'],
    ['1817', 'uint 23 in one extra byte'],
    ['1900ff', 'uint 255 in two bytes'],
    ['1a0000ffff', 'uint 65535 in four bytes'],
    ['1b00000000ffffffff', 'uint 2^32-1 in eight bytes'],
    ['5801ff', 'byte string length 1 in an extra byte'],
    ['1c', 'reserved additional information 28'],
    ['1d', 'reserved additional information 29'],
    ['1e', 'reserved additional information 30'],
    ['1f', 'indefinite integer'],
    ['5f4101ff', 'indefinite byte string'],
    ['7f6161ff', 'indefinite text string'],
    ['9f01ff', 'indefinite array'],
    ['bf0102ff', 'indefinite map'],
    ['a10102', 'map'],
    ['c249010000000000000000', 'bignum tag'],
    ['d818450102030405', 'embedded CBOR tag'],
    ['f7', 'undefined'],
    ['f820', 'simple value 32'],
    ['f93c00', 'half float'],
    ['fa3f800000', 'single float'],
    ['fb3ff0000000000000', 'double float'],
    ['ff', 'lone break'],
    ['0000', 'trailing byte'],
    ['8201', 'array shorter than its count'],
    ['44010203', 'byte string shorter than its length'],
    ['5b0000000100000000', 'byte string of 2^32 bytes in nine'],
    ['9bffffffffffffffff', 'array of 2^64-1 items in nine bytes'],
    ['19', 'truncated argument'],
    ['62c328', 'invalid UTF-8'],
    ['63eda080', 'UTF-8 surrogate'],
    [`${'81'.repeat(17)}00`, 'nesting of 17'],
  ])('refuses %s (%s)', (hex) => {
    expect(codeOf(hexToBytes(hex))).toBe('CBOR_MALFORMED');
  });

  it('accepts nesting of 16', () => {
    expect(codeOf(hexToBytes(`${'81'.repeat(16)}00`))).toBe('ACCEPTED');
  });

  it('refuses non-bytes input', () => {
    expect(() => decodeCbor('00' as unknown as Uint8Array)).toThrow(CounterpartyError);
  });

  it('round-trips every value it can write', () => {
    fc.assert(
      fc.property(cborArb, (value) => {
        const bytes = encodeCbor(value);
        expect(decodeCbor(bytes)).toEqual(value);
        expect(encodeCbor(decodeCbor(bytes))).toEqual(bytes);
      }),
      propertyConfig('counterparty CBOR round trip', 300),
    );
  });

  it('accepts only canonical bytes and fails only with CBOR_MALFORMED', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const code = codeOf(bytes);
        if (code === 'ACCEPTED') expect(encodeCbor(decodeCbor(bytes))).toEqual(bytes);
        else expect(code).toBe('CBOR_MALFORMED');
      }),
      propertyConfig('counterparty CBOR fuzz', 500),
    );
  });

  it('refuses every truncation of a valid item', () => {
    fc.assert(
      fc.property(cborArb, (value) => {
        const bytes = encodeCbor(value);
        for (let n = 0; n < bytes.length; n++) {
          expect(codeOf(bytes.subarray(0, n))).toBe('CBOR_MALFORMED');
        }
      }),
      propertyConfig('counterparty CBOR truncation', 100),
    );
  });
});
