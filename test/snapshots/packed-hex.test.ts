import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SnapshotError } from '../../src/snapshots/errors.js';
import { MIN_PACKED_BYTES, packHex, unpackHex } from '../../src/snapshots/packed-hex.js';
import { propertyConfig } from '../support/property-config.js';

const CONFIG = propertyConfig('packed hex', 200);

const hex = (minLength: number, maxLength: number) =>
  fc.uint8Array({ minLength, maxLength }).map((b) => Buffer.from(b).toString('hex'));

/** Strings a snapshot may hold, and some made to look like packed text. */
const text = fc.oneof(
  fc.string(),
  hex(0, 80),
  hex(MIN_PACKED_BYTES, 40),
  fc.string().map((s) => `~${s}`),
  fc.string().map((s) => `~~${s}`),
  hex(MIN_PACKED_BYTES, 30).map((h) => h.toUpperCase()),
);
const value = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), tie('json'), { maxKeys: 4 }),
  ),
})).json;

describe('packed hex', () => {
  test('every JSON value comes back exactly, and packing never lengthens hex', () => {
    fc.assert(
      fc.property(value, (v) => {
        const packed = packHex(v);
        expect(JSON.stringify(unpackHex(JSON.parse(JSON.stringify(packed))))).toBe(
          JSON.stringify(v),
        );
      }),
      CONFIG,
    );
  });

  test('lowercase hex of a HASH160 or more is a third shorter; shorter or upper-case hex stays', () => {
    fc.assert(
      fc.property(hex(MIN_PACKED_BYTES, 200), (h) => {
        const packed = packHex(h) as string;
        expect(packed.startsWith('~')).toBe(true);
        expect(packed.length).toBe(1 + Math.ceil((h.length / 2) * (4 / 3)));
      }),
      CONFIG,
    );
    expect(packHex('ab'.repeat(MIN_PACKED_BYTES - 1))).toBe('ab'.repeat(MIN_PACKED_BYTES - 1));
    expect(packHex('AB'.repeat(MIN_PACKED_BYTES))).toBe('AB'.repeat(MIN_PACKED_BYTES));
    expect(packHex('1500000000')).toBe('1500000000');
    expect(packHex('~x')).toBe('~~x');
  });

  test('a packed string that packing never writes is a typed error naming its path', () => {
    for (const bad of ['~', '~!!', '~AAAA', `~${'A'.repeat(25)}`]) {
      let error: unknown;
      try {
        unpackHex({ a: [bad] }, '/x');
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).path).toBe('/x/a/0');
    }
  });

  test('nesting deeper than any snapshot is refused, not a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => packHex(deep)).toThrow(SnapshotError);
    expect(() => unpackHex(deep)).toThrow(SnapshotError);
  });
});
