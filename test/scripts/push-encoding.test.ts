/**
 * Data pushes: the shortest encoding of every length class (direct, OP_PUSHDATA1/2/4), as the
 * plain definition writes it, and read back by the tokenizer as one minimal push.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes } from '../../src/bytes.js';
import { encodePush, isMinimalPush, tokenizeScript } from '../../src/scripts/script-tokens.js';
import { propertyConfig } from '../support/property-config.js';

/** The definition, written plainly. */
function reference(data: Uint8Array): Uint8Array {
  const n = data.length;
  const header =
    n < 0x4c
      ? [n]
      : n <= 0xff
        ? [0x4c, n]
        : n <= 0xffff
          ? [0x4d, n & 0xff, n >> 8]
          : [0x4e, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  return concatBytes(Uint8Array.from(header), data);
}

const lengths = fc.oneof(
  fc.integer({ min: 0, max: 80 }),
  fc.integer({ min: 250, max: 260 }),
  fc.integer({ min: 65_530, max: 65_540 }),
);

describe('data push encoding', () => {
  it('writes the shortest push of any length, read back as that one push', () => {
    fc.assert(
      fc.property(lengths, fc.integer({ min: 0, max: 255 }), (n, fill) => {
        const data = new Uint8Array(n).fill(fill);
        const pushed = encodePush(data);
        expect(bytesToHex(pushed)).toBe(bytesToHex(reference(data)));
        const tokens = tokenizeScript(pushed);
        if (n === 0) {
          expect(tokens).toEqual([{ kind: 'op', opcode: 0 }]);
          return;
        }
        expect(tokens).toHaveLength(1);
        const token = tokens[0]!;
        expect(token.kind).toBe('push');
        if (token.kind === 'push') {
          expect(isMinimalPush(token)).toBe(true);
          expect(bytesToHex(token.data)).toBe(bytesToHex(data));
        }
      }),
      propertyConfig('script push encoding', 120),
    );
  });
});
