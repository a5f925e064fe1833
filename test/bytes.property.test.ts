import { hex } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/bytes.js';
import { EncodingError } from '../src/errors.js';
import { propertyConfig } from './support/property-config.js';

/** @scure/base's hex, with the case rule of `hexToBytes`: the independent reference. */
function referenceDecode(text: string): Uint8Array | 'refused' {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return 'refused';
  return hex.decode(text.toLowerCase());
}

const hexish = fc.string({
  unit: fc.constantFrom(...'0123456789abcdefABCDEFgG xé\u0000\u0130\u{1F4B8}'.split('')),
  maxLength: 40,
});

describe('hex encoding against @scure/base', () => {
  it('encodes every byte string as the reference does, and decodes it back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = bytesToHex(bytes);
        expect(text).toBe(hex.encode(bytes));
        expect(hexToBytes(text)).toEqual(bytes);
        expect(hexToBytes(text.toUpperCase())).toEqual(bytes);
      }),
      propertyConfig('hex round trip', 300),
    );
  });

  it('decodes or refuses any text exactly as the reference does', () => {
    fc.assert(
      fc.property(fc.oneof(hexish, fc.string({ maxLength: 20 })), (text) => {
        const expected = referenceDecode(text);
        if (expected === 'refused') {
          expect(() => hexToBytes(text)).toThrow(EncodingError);
          return;
        }
        expect(hexToBytes(text)).toEqual(expected);
      }),
      propertyConfig('hex decode or refuse', 1000),
    );
  });

  it('refuses non-strings with the typed error', () => {
    for (const bad of [null, undefined, 12, ['00'], { length: 2 }])
      expect(() => hexToBytes(bad as never)).toThrow(EncodingError);
  });
});
