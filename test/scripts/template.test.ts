import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  OP,
  type ScriptErrorCode,
  type TemplateElement,
  buildFromTemplate,
  parseWithTemplate,
  scriptToAsm,
  tokenizeScript,
} from '../../src/scripts/index.js';
import { expectScriptError, filled, h } from './helpers.js';

const PUBKEY = h('02a73443bc32f5fec6a551f71af75311b0876686156d16d367562d3d29987792d5');
const HASH = filled(20, 0xab);

/** A small template with one slot of each kind, to test the template engine in isolation. */
const TEMPLATE: readonly TemplateElement[] = [
  { op: OP.OP_IF },
  { slot: 'time', kind: 'time' },
  { op: OP.OP_CHECKSEQUENCEVERIFY },
  { slot: 'hash', kind: 'hash160' },
  { slot: 'key', kind: 'pubkey' },
  { op: OP.OP_ENDIF },
];

const KEY_HEX = bytesToHex(PUBKEY);
const HASH_HEX = 'ab'.repeat(20);
/** The TEMPLATE script with `timeHex` as the bytes of the time element. */
const withTime = (timeHex: string) => h(`63${timeHex}b214${HASH_HEX}21${KEY_HEX}68`);

describe('buildFromTemplate', () => {
  it('lays out opcodes and minimal pushes in template order', () => {
    const script = buildFromTemplate(TEMPLATE, { time: 300, hash: HASH, key: PUBKEY });
    expect(bytesToHex(script)).toBe(bytesToHex(withTime('022c01')));
    expect(scriptToAsm(script)).toBe(
      `OP_IF 2c01 OP_CHECKSEQUENCEVERIFY ${HASH_HEX} ${KEY_HEX} OP_ENDIF`,
    );
  });

  it.each([
    [0, '00'],
    [1, '51'],
    [16, '60'],
    [17, '0111'],
    [65535, '03ffff00'],
  ])('encodes time %i as %s', (time, timeHex) => {
    const script = buildFromTemplate(TEMPLATE, { time, hash: HASH, key: PUBKEY });
    expect(bytesToHex(script)).toBe(bytesToHex(withTime(timeHex)));
  });

  it.each([-1, 65536, 1.5, Number.NaN])('rejects time %d', (time) => {
    expectScriptError(
      () => buildFromTemplate(TEMPLATE, { time, hash: HASH, key: PUBKEY }),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
  });

  it('rejects a time given as bytes', () => {
    expectScriptError(
      () => buildFromTemplate(TEMPLATE, { time: Uint8Array.of(5), hash: HASH, key: PUBKEY }),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
  });

  it('rejects a missing or numeric key and hash', () => {
    expectScriptError(
      () => buildFromTemplate(TEMPLATE, { time: 5, hash: HASH }),
      'SCRIPT_INVALID_PUBKEY',
    );
    expectScriptError(
      () => buildFromTemplate(TEMPLATE, { time: 5, key: PUBKEY }),
      'SCRIPT_INVALID_HASH_LENGTH',
    );
    expectScriptError(
      () => buildFromTemplate(TEMPLATE, { time: 5, hash: 7, key: PUBKEY }),
      'SCRIPT_INVALID_HASH_LENGTH',
    );
  });

  it('rejects a 19- or 21-byte hash and an uncompressed key', () => {
    for (const hash of [filled(19, 1), filled(21, 1)]) {
      expectScriptError(
        () => buildFromTemplate(TEMPLATE, { time: 5, hash, key: PUBKEY }),
        'SCRIPT_INVALID_HASH_LENGTH',
      );
    }
    const uncompressed = new Uint8Array(65);
    uncompressed[0] = 0x04;
    expectScriptError(
      () => buildFromTemplate(TEMPLATE, { time: 5, hash: HASH, key: uncompressed }),
      'SCRIPT_INVALID_PUBKEY',
    );
  });
});

describe('parseWithTemplate', () => {
  it('returns the slot values of a canonical script', () => {
    const values = parseWithTemplate(TEMPLATE, withTime('022c01'));
    expect(values.time).toBe(300);
    expect(bytesToHex(values.hash as Uint8Array)).toBe(HASH_HEX);
    expect(bytesToHex(values.key as Uint8Array)).toBe(KEY_HEX);
  });

  it('returns copies, not views into the caller’s script', () => {
    const script = withTime('55');
    const values = parseWithTemplate(TEMPLATE, script);
    script.fill(0);
    expect(bytesToHex(values.key as Uint8Array)).toBe(KEY_HEX);
  });

  it.each([
    ['00', 0],
    ['51', 1],
    ['60', 16],
    ['0111', 17],
    ['017f', 127],
    ['028000', 128],
    ['02ff00', 255],
    ['020001', 256],
    ['02ff7f', 32767],
    ['03008000', 32768],
    ['03ffff00', 65535],
  ])('reads time %s as %i', (timeHex, time) => {
    expect(parseWithTemplate(TEMPLATE, withTime(timeHex)).time).toBe(time);
  });

  describe('rejects times that are not minimal or not in 0..65535', () => {
    it.each<readonly [string, ScriptErrorCode, string]>([
      ['0105', 'SCRIPT_NON_MINIMAL_NUMBER', '5 pushed as data instead of OP_5'],
      ['0100', 'SCRIPT_NON_MINIMAL_NUMBER', '0 pushed as a zero byte'],
      ['0110', 'SCRIPT_NON_MINIMAL_NUMBER', '16 pushed as data instead of OP_16'],
      ['020080', 'SCRIPT_NON_MINIMAL_NUMBER', 'negative zero in two bytes'],
      ['021100', 'SCRIPT_NON_MINIMAL_NUMBER', '17 with a redundant sign byte'],
      ['03ff7f00', 'SCRIPT_NON_MINIMAL_NUMBER', '32767 with a redundant sign byte'],
      ['4c0111', 'SCRIPT_NON_MINIMAL_PUSH', '17 pushed with OP_PUSHDATA1'],
      ['4f', 'SCRIPT_NUMBER_OUT_OF_RANGE', 'OP_1NEGATE'],
      ['0181', 'SCRIPT_NUMBER_OUT_OF_RANGE', '-1 pushed as data'],
      ['03000001', 'SCRIPT_NUMBER_OUT_OF_RANGE', '65536'],
      ['04ffffff7f', 'SCRIPT_NUMBER_OUT_OF_RANGE', '2^31-1'],
      ['05ffffffff00', 'SCRIPT_NUMBER_OUT_OF_RANGE', 'a 5-byte number'],
      ['06000000000001', 'SCRIPT_NUMBER_OUT_OF_RANGE', 'a 6-byte number'],
      ['63', 'SCRIPT_TEMPLATE_MISMATCH', 'an opcode that is no number'],
    ])('%s → %s (%s)', (timeHex, code) => {
      expectScriptError(() => parseWithTemplate(TEMPLATE, withTime(timeHex)), code);
    });
  });

  it('rejects a wrong opcode', () => {
    const script = withTime('55');
    script[script.length - 1] = OP.OP_ELSE;
    expectScriptError(() => parseWithTemplate(TEMPLATE, script), 'SCRIPT_TEMPLATE_MISMATCH');
  });

  it('rejects an opcode where data is expected', () => {
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, h(`6355b2a921${KEY_HEX}68`)),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
  });

  it('rejects a script that ends before the template does', () => {
    const script = withTime('55');
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, script.subarray(0, script.length - 1)),
      'SCRIPT_TRUNCATED',
    );
    expectScriptError(() => parseWithTemplate(TEMPLATE, new Uint8Array(0)), 'SCRIPT_TRUNCATED');
  });

  it('rejects a script that ends inside a push', () => {
    const script = withTime('55');
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, script.subarray(0, script.length - 5)),
      'SCRIPT_TRUNCATED',
    );
  });

  it('rejects trailing opcodes and pushes', () => {
    for (const tail of ['68', '00', '0101', '51']) {
      expectScriptError(
        () => parseWithTemplate(TEMPLATE, h(`${bytesToHex(withTime('55'))}${tail}`)),
        'SCRIPT_TRAILING_BYTES',
      );
    }
  });

  it('rejects a key pushed with OP_PUSHDATA1', () => {
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, h(`6355b214${HASH_HEX}4c21${KEY_HEX}68`)),
      'SCRIPT_NON_MINIMAL_PUSH',
    );
  });

  it('rejects a hash pushed with OP_PUSHDATA2', () => {
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, h(`6355b24d1400${HASH_HEX}21${KEY_HEX}68`)),
      'SCRIPT_NON_MINIMAL_PUSH',
    );
  });

  it.each([
    ['41', `04${'11'.repeat(64)}`, '65-byte uncompressed 04… key'],
    ['21', `02${'00'.repeat(31)}05`, '02 key whose x is not on the curve'],
    ['21', `04${'11'.repeat(32)}`, '33 bytes with prefix 04'],
    ['21', `02${'ff'.repeat(32)}`, 'x above the field prime'],
    ['20', `02${'11'.repeat(31)}`, '32-byte key'],
  ])('rejects an invalid key: %s %s (%s)', (push, keyHex) => {
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, h(`6355b214${HASH_HEX}${push}${keyHex}68`)),
      'SCRIPT_INVALID_PUBKEY',
    );
  });

  it.each([
    ['13', 'cd'.repeat(19)],
    ['15', 'cd'.repeat(21)],
    ['20', 'cd'.repeat(32)],
  ])('rejects a hash push of length 0x%s', (push, hashHex) => {
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, h(`6355b2${push}${hashHex}21${KEY_HEX}68`)),
      'SCRIPT_INVALID_HASH_LENGTH',
    );
  });

  it('rejects a slot that appears twice with two different values', () => {
    const twice: readonly TemplateElement[] = [
      { slot: 'key', kind: 'pubkey' },
      { slot: 'key', kind: 'pubkey' },
    ];
    const other = '03c7b09d53bdb0ef9cfea06c1e6f2192e6a91cdeac209402bc36c1c368021a8611';
    expect(
      bytesToHex(parseWithTemplate(twice, h(`21${KEY_HEX}21${KEY_HEX}`)).key as Uint8Array),
    ).toBe(KEY_HEX);
    expectScriptError(
      () => parseWithTemplate(twice, h(`21${KEY_HEX}21${other}`)),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
  });

  it('rejects input that is not bytes', () => {
    expectScriptError(
      () => parseWithTemplate(TEMPLATE, 'deadbeef' as unknown as Uint8Array),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
  });
});

describe('tokenizeScript', () => {
  it('splits opcodes and pushes of each width', () => {
    const tokens = tokenizeScript(
      h('00 51 0201ff 4c03aabbcc 4d0100ee 4e01000000dd'.replaceAll(' ', '')),
    );
    expect(
      tokens.map((t) => (t.kind === 'push' ? `${t.opcode}:${bytesToHex(t.data)}` : t.opcode)),
    ).toEqual([0, 0x51, '2:01ff', '76:aabbcc', '77:ee', '78:dd']);
  });

  it.each([
    ['02aa', 'direct push past the end'],
    ['4c', 'OP_PUSHDATA1 without its length'],
    ['4d01', 'OP_PUSHDATA2 with half its length'],
    ['4e010000', 'OP_PUSHDATA4 with three length bytes'],
    ['4c02aa', 'OP_PUSHDATA1 past the end'],
    ['4effffffff', 'OP_PUSHDATA4 of 4 GiB'],
  ])('%s is truncated (%s)', (scriptHex) => {
    expectScriptError(() => tokenizeScript(h(scriptHex)), 'SCRIPT_TRUNCATED');
  });
});
