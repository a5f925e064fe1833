import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CounterpartyError,
  type CounterpartyErrorCode,
  MAX_ASSET_ID,
  MIN_NUMERIC_ASSET_ID,
  assetId,
  assetName,
} from '../../src/counterparty/index.js';
import { propertyConfig } from '../support/property-config.js';
import { assetIdArb, namedAssetArb, numericAssetArb } from './arbitraries.js';

function codeOf(run: () => unknown): CounterpartyErrorCode | 'ACCEPTED' {
  try {
    run();
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof CounterpartyError) return error.code;
    throw error;
  }
}

describe('asset names and ids', () => {
  it('maps the special and boundary assets', () => {
    expect(assetId('BTC')).toBe(0n);
    expect(assetId('XCP')).toBe(1n);
    expect(assetId('BAAA')).toBe(26n ** 3n);
    expect(assetId('ZZZZZZZZZZZZ')).toBe(26n ** 12n - 1n);
    expect(assetId('A95428956661682177')).toBe(26n ** 12n + 1n);
    expect(assetId('A18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(assetName(26n ** 3n)).toBe('BAAA');
    expect(assetName(26n ** 12n - 1n)).toBe('ZZZZZZZZZZZZ');
    expect(assetName(MIN_NUMERIC_ASSET_ID)).toBe('A95428956661682177');
    expect(assetName(MAX_ASSET_ID)).toBe('A18446744073709551615');
  });

  it('computes base 26 with A = 0', () => {
    // B=1, A=0, A=0, B=1 -> 1*26^3 + 1
    expect(assetId('BAAB')).toBe(26n ** 3n + 1n);
    expect(assetId('CZZZ')).toBe(2n * 26n ** 3n + 25n * 26n ** 2n + 25n * 26n + 25n);
  });

  it.each([
    ['', 'empty'],
    ['B', 'one letter'],
    ['BT', 'two letters'],
    ['BCT', 'three letters other than BTC and XCP'],
    ['ZZZ', 'three letters'],
    ['AAAA', 'starts with A and is not numeric'],
    ['ABCD', 'starts with A and is not numeric'],
    ['xcp', 'lower case'],
    ['btc', 'lower case'],
    ['Bitcoin', 'mixed case'],
    ['BBBBBBBBBBBBB', 'thirteen letters'],
    ['BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', 'far too long'],
    ['BÄRS', 'non-ASCII letter'],
    ['B1CD', 'digit'],
    ['BCD ', 'space'],
    ['PARENT.child', 'sub-asset long name'],
    ['A', 'bare A'],
    ['A95428956661682176', 'numeric 26^12 (below the range)'],
    ['A1', 'numeric far below the range'],
    ['A18446744073709551616', 'numeric 2^64'],
    ['A99999999999999999999999', 'numeric far above the range'],
    ['A095428956661682177', 'numeric with a leading zero'],
    ['A+95428956661682177', 'numeric with a sign'],
    ['A95_428956661682177', 'numeric with an underscore'],
    ['A9542895666168217a', 'numeric with a letter'],
  ])('refuses %j (%s)', (name) => {
    expect(codeOf(() => assetId(name))).toBe('ASSET_NAME_INVALID');
  });

  it('refuses names that are not strings', () => {
    for (const value of [undefined, null, 1, 1n, ['XCP'], { name: 'XCP' }]) {
      expect(codeOf(() => assetId(value as unknown as string))).toBe('ASSET_NAME_INVALID');
    }
  });

  it.each([2n, 3n, 26n ** 3n - 1n, 26n ** 12n, 2n ** 64n, 2n ** 70n, -1n])(
    'refuses asset id %s',
    (id) => {
      expect(codeOf(() => assetName(id))).toBe('ASSET_ID_INVALID');
    },
  );

  it('refuses ids that are not bigints', () => {
    for (const value of [1, '1', null, undefined]) {
      expect(codeOf(() => assetName(value as unknown as bigint))).toBe('ASSET_ID_INVALID');
    }
  });

  it('names round-trip through ids', () => {
    fc.assert(
      fc.property(fc.oneof(namedAssetArb, numericAssetArb), (name) => {
        expect(assetName(assetId(name))).toBe(name);
      }),
      propertyConfig('counterparty asset names', 300),
    );
  });

  it('ids round-trip through names, and named ids give 4-12 letters', () => {
    fc.assert(
      fc.property(assetIdArb, (id) => {
        const name = assetName(id);
        expect(assetId(name)).toBe(id);
        if (id > 1n && id < MIN_NUMERIC_ASSET_ID) expect(name).toMatch(/^[B-Z][A-Z]{3,11}$/);
      }),
      propertyConfig('counterparty asset ids', 300),
    );
  });

  it('every string is either a valid name or refused with ASSET_NAME_INVALID', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (name) => {
        const code = codeOf(() => assetId(name));
        if (code === 'ACCEPTED') expect(assetName(assetId(name))).toBe(name);
        else expect(code).toBe('ASSET_NAME_INVALID');
      }),
      propertyConfig('counterparty asset name fuzz', 300),
    );
  });
});
