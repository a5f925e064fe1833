import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, MessageError, formatAmount, parseAmount } from '../../src/messages/index.js';

describe('amount strings', () => {
  it('parses canonical decimal strings', () => {
    expect(parseAmount('0')).toBe(0n);
    expect(parseAmount('546')).toBe(546n);
    expect(parseAmount('2100000000000000')).toBe(MAX_AMOUNT);
  });

  it.each([
    '',
    '-1',
    '01',
    '1e3',
    '1.0',
    ' 1',
    '+1',
    '0x10',
    '2100000000000001',
    '21000000000000000',
  ])('refuses %j', (text) => {
    expect(() => parseAmount(text, '/amount')).toThrow(MessageError);
  });

  it('formats bigints and refuses out-of-range values', () => {
    expect(formatAmount(0n)).toBe('0');
    expect(formatAmount(MAX_AMOUNT)).toBe('2100000000000000');
    expect(() => formatAmount(-1n)).toThrow(MessageError);
    expect(() => formatAmount(MAX_AMOUNT + 1n)).toThrow(MessageError);
  });
});
