import { ScriptNum } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  MAX_RELATIVE_TIME,
  assertRelativeTime,
  decodeScriptNumber,
  encodeNumberPush,
  encodeScriptNumber,
} from '../../src/scripts/index.js';
import { expectScriptError, h } from './helpers.js';

/** Value, minimal CScriptNum bytes, and the script bytes of its minimal push. */
const BOUNDARIES: ReadonlyArray<readonly [number, string, string]> = [
  [0, '', '00'],
  [1, '01', '51'],
  [16, '10', '60'],
  [17, '11', '0111'],
  [127, '7f', '017f'],
  // 128 has its top bit set, so a 0x00 sign byte follows.
  [128, '8000', '028000'],
  [255, 'ff00', '02ff00'],
  [256, '0001', '020001'],
  [32767, 'ff7f', '02ff7f'],
  [32768, '008000', '03008000'],
  [65535, 'ffff00', '03ffff00'],
  [65536, '000001', '03000001'],
  [-1, '81', '4f'],
  [-2, '82', '0182'],
  [-16, '90', '0190'],
  [-127, 'ff', '01ff'],
  [-128, '8080', '028080'],
  [-255, 'ff80', '02ff80'],
  [-256, '0081', '020081'],
  [-32768, '008080', '03008080'],
  [-65535, 'ffff80', '03ffff80'],
  [2147483647, 'ffffff7f', '04ffffff7f'],
  [-2147483647, 'ffffffff', '04ffffffff'],
];

describe('encodeScriptNumber / decodeScriptNumber at the boundaries', () => {
  it.each(BOUNDARIES)('%i encodes as "%s"', (value, numberHex) => {
    expect(bytesToHex(encodeScriptNumber(value))).toBe(numberHex);
  });

  it.each(BOUNDARIES)('"%s" (of %i) decodes back', (value, numberHex) => {
    expect(decodeScriptNumber(h(numberHex))).toBe(value);
  });

  it.each(BOUNDARIES)('%i agrees with @scure/btc-signer ScriptNum', (value, numberHex) => {
    expect(bytesToHex(ScriptNum().encode(BigInt(value)))).toBe(numberHex);
  });

  it.each(BOUNDARIES)('%i is pushed as %s', (value, _, pushHex) => {
    expect(bytesToHex(encodeNumberPush(value))).toBe(pushHex);
  });

  it('encodes 65535, the largest time, as PROTOCOL.md says: 03 ffff00', () => {
    expect(bytesToHex(encodeNumberPush(MAX_RELATIVE_TIME))).toBe('03ffff00');
  });
});

describe('non-minimal script numbers are rejected', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['00', 'zero as one byte instead of the empty array'],
    ['80', 'negative zero'],
    ['0100', '1 with a redundant sign byte'],
    ['0080', 'negative zero with two bytes'],
    ['7f00', '127 with a redundant sign byte'],
    ['ff7f00', '32767 with a redundant sign byte'],
    ['010080', '-1 padded to three bytes'],
    ['00000000', 'zero as four bytes'],
  ];
  it.each(cases)('"%s" (%s)', (numberHex) => {
    expectScriptError(() => decodeScriptNumber(h(numberHex)), 'SCRIPT_NON_MINIMAL_NUMBER');
  });

  it('accepts a sign byte when the magnitude needs the top bit', () => {
    expect(decodeScriptNumber(h('ff00'))).toBe(255);
    expect(decodeScriptNumber(h('ff80'))).toBe(-255);
  });
});

describe('length limits and unsafe values', () => {
  it('rejects a 5-byte number under the default 4-byte limit', () => {
    expectScriptError(() => decodeScriptNumber(h('ffffffff00')), 'SCRIPT_NUMBER_OUT_OF_RANGE');
  });

  it('decodes a 5-byte number when the caller allows 5 bytes', () => {
    expect(decodeScriptNumber(h('ffffffff00'), 5)).toBe(0xffffffff);
  });

  it('refuses to encode numbers that are not safe integers', () => {
    expectScriptError(() => encodeScriptNumber(1.5), 'SCRIPT_NUMBER_OUT_OF_RANGE');
    expectScriptError(() => encodeScriptNumber(Number.NaN), 'SCRIPT_NUMBER_OUT_OF_RANGE');
    expectScriptError(() => encodeScriptNumber(2 ** 53), 'SCRIPT_NUMBER_OUT_OF_RANGE');
  });

  it('refuses to push numbers that are not safe integers (no silent OP_1 for 1.5)', () => {
    expectScriptError(() => encodeNumberPush(1.5), 'SCRIPT_NUMBER_OUT_OF_RANGE');
    expectScriptError(() => encodeNumberPush(16.5), 'SCRIPT_NUMBER_OUT_OF_RANGE');
    expectScriptError(
      () => encodeNumberPush(Number.POSITIVE_INFINITY),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
  });
});

describe('assertRelativeTime', () => {
  it.each([0, 1, 16, 17, 65535])('accepts %i', (value) => {
    expect(() => assertRelativeTime(value)).not.toThrow();
  });

  it.each([-1, 65536, 1.5, Number.NaN, 2 ** 31])('rejects %d', (value) => {
    const error = expectScriptError(
      () => assertRelativeTime(value, 'delay_time'),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
    expect(error.message).toContain('delay_time');
  });
});
