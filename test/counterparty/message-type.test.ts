import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import {
  CounterpartyError,
  packMessageType,
  unpackMessageType,
} from '../../src/counterparty/index.js';

describe('message type ids', () => {
  it.each([
    [0, true, '00000000'],
    [1, true, '01'],
    [2, true, '02'],
    [255, true, 'ff'],
    [256, true, '00000100'],
    [2, false, '00000002'],
    [255, false, '000000ff'],
    [0xffffffff, true, 'ffffffff'],
  ])('packs %i (short %s) as %s', (id, short, hex) => {
    expect(bytesToHex(packMessageType(id, short))).toBe(hex);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])('refuses id %s', (id) => {
    expect(() => packMessageType(id)).toThrow(CounterpartyError);
  });

  it('unpacks both widths and keeps the payload', () => {
    expect(unpackMessageType(hexToBytes('ffaa'))).toEqual({
      typeId: 255,
      payload: hexToBytes('aa'),
    });
    expect(unpackMessageType(hexToBytes('00000100aa'))).toEqual({
      typeId: 256,
      payload: hexToBytes('aa'),
    });
    // Without short ids, the same bytes are a four-byte id.
    expect(unpackMessageType(hexToBytes('02000000aa'), false)).toEqual({
      typeId: 0x02000000,
      payload: hexToBytes('aa'),
    });
  });
});
