import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  type ChannelMessage,
  MAX_MESSAGE_BYTES,
  MessageError,
  type MessageErrorCode,
  decodeMessage,
  encodeMessage,
  isChannelMessage,
} from '../../src/messages/index.js';
import { buildDepositScript } from '../../src/scripts/index.js';
import {
  close,
  commit,
  deposit,
  depositFunded,
  offer,
  otherKey,
  payeeKey,
  payerKey,
  revokeHash,
  revokeSecrets,
  spendSecretHash,
  validMessages,
} from './fixtures.js';

function codeOf(input: unknown): MessageErrorCode | 'ACCEPTED' {
  try {
    decodeMessage(input);
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof MessageError) return error.code;
    throw error;
  }
}

// A copy of `message` with `patch` applied (undefined deletes a key).
function withFields(message: ChannelMessage, patch: Record<string, unknown>): string {
  const copy: Record<string, unknown> = { ...message };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return JSON.stringify(copy);
}

describe('round trip', () => {
  it.each(validMessages.map((m) => [m.type, m] as const))('%s', (_type, message) => {
    const text = encodeMessage(message);
    expect(decodeMessage(text)).toEqual(message);
    expect(decodeMessage(JSON.parse(text))).toEqual(message);
    expect(isChannelMessage(message)).toBe(true);
  });

  it('encodes canonically: key order of the input does not matter', () => {
    const reversed = Object.fromEntries(Object.entries(offer).reverse()) as ChannelMessage;
    expect(encodeMessage(reversed)).toBe(encodeMessage(offer));
    expect(encodeMessage(offer)).toMatch(/^\{"protocol":"picopayments\/1","type":"offer",/);
    expect(Object.keys(decodeMessage(reversed))).toEqual([
      'protocol',
      'type',
      'channelId',
      'payeePubkey',
      'spendSecretHash',
      'expireTime',
      'delayTime',
      'minFeeRate',
      'network',
    ]);
  });

  it('returns a fresh message that shares nothing with the input', () => {
    const input = structuredClone(depositFunded);
    const decoded = decodeMessage(input);
    input.outpoint.vout = 1;
    expect(decoded).toEqual(depositFunded);
  });

  it('accepts a null-prototype object and normalises -0', () => {
    const input = Object.assign(Object.create(null) as object, { ...offer, minFeeRate: -0 });
    const decoded = decodeMessage(input);
    expect(Object.is((decoded as typeof offer).minFeeRate, 0)).toBe(true);
  });

  it('accepts an object shared by two fields (not a cycle)', () => {
    const range = { min: 1, max: 2 };
    expect(codeOf({ ...offer, expireTime: range, delayTime: range })).toBe('ACCEPTED');
  });

  it('accepts whitespace and the boundaries of every range', () => {
    expect(codeOf(`  ${JSON.stringify(close)}\n`)).toBe('ACCEPTED');
    expect(codeOf(withFields(close, { reason: 'x'.repeat(200) }))).toBe('ACCEPTED');
    expect(codeOf(withFields(close, { channelId: 'a'.repeat(64) }))).toBe('ACCEPTED');
    expect(codeOf(withFields(offer, { minFeeRate: 1_000_000 }))).toBe('ACCEPTED');
    expect(codeOf(withFields(offer, { expireTime: { min: 7, max: 7 } }))).toBe('ACCEPTED');
    expect(codeOf(withFields(revokeSecrets, { secrets: uniqueSecrets(1000) }))).toBe('ACCEPTED');
    expect(codeOf(withFields(commit, { commitTx: 'ab'.repeat(50_000) }))).toBe('ACCEPTED');
  });
});

function uniqueSecrets(count: number): string[] {
  return Array.from({ length: count }, (_, i) => i.toString(16).padStart(64, '0'));
}

const txid = 'ab'.repeat(32);
const notOnCurve = `02${'ff'.repeat(32)}`;
const scriptWith = (payer: Uint8Array, payee: Uint8Array) =>
  bytesToHex(
    buildDepositScript({ payerPubkey: payer, payeePubkey: payee, spendSecretHash, expireTime: 9 }),
  );

// [description, input, expected code]
const hostile: ReadonlyArray<readonly [string, unknown, MessageErrorCode]> = [
  ['plain text', 'hello', 'MESSAGE_NOT_JSON'],
  ['empty text', '', 'MESSAGE_NOT_JSON'],
  ['truncated JSON', encodeMessage(offer).slice(0, 40), 'MESSAGE_NOT_JSON'],
  ['trailing garbage', `${encodeMessage(close)}}`, 'MESSAGE_NOT_JSON'],
  ['undefined', undefined, 'MESSAGE_NOT_JSON'],
  ['bigint', 5n, 'MESSAGE_NOT_JSON'],
  ['function', () => close, 'MESSAGE_NOT_JSON'],
  ['Date', new Date(0), 'MESSAGE_NOT_JSON'],
  ['Map', new Map([['type', 'close']]), 'MESSAGE_NOT_JSON'],
  ['undefined field', { ...close, extra: undefined }, 'MESSAGE_NOT_JSON'],
  ['non-finite number', { ...offer, minFeeRate: Number.POSITIVE_INFINITY }, 'MESSAGE_NOT_JSON'],
  ['NaN', { ...offer, minFeeRate: Number.NaN }, 'MESSAGE_NOT_JSON'],
  ['symbol key', { ...close, [Symbol('x')]: 1 }, 'MESSAGE_NOT_JSON'],
  [
    'getter',
    Object.defineProperty({ ...close }, 'reason', { get: () => 'x', enumerable: true }),
    'MESSAGE_NOT_JSON',
  ],
  [
    'throwing proxy',
    new Proxy(
      {},
      {
        ownKeys() {
          throw new TypeError('trap');
        },
      },
    ),
    'MESSAGE_NOT_JSON',
  ],
  [
    'revoked proxy',
    (() => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    })(),
    'MESSAGE_NOT_JSON',
  ],
  [
    'cyclic object',
    (() => {
      const cyclic: Record<string, unknown> = { ...close };
      cyclic.self = cyclic;
      return cyclic;
    })(),
    'MESSAGE_NOT_JSON',
  ],
  ['300 KiB string', `"${'a'.repeat(300 * 1024)}"`, 'MESSAGE_TOO_LARGE'],
  ['300 KiB reason', withFields(close, { reason: 'x'.repeat(300 * 1024) }), 'MESSAGE_TOO_LARGE'],
  ['300 KiB of 3-byte characters', `"${'€'.repeat(100 * 1024)}"`, 'MESSAGE_TOO_LARGE'],
  ['300 KiB whitespace', `${' '.repeat(300 * 1024)}{}`, 'MESSAGE_TOO_LARGE'],
  ['300 KiB parsed value', { ...close, reason: 'x'.repeat(300 * 1024) }, 'MESSAGE_TOO_LARGE'],
  [
    'huge parsed array',
    { ...revokeSecrets, secrets: new Array(200_000).fill('00') },
    'MESSAGE_TOO_LARGE',
  ],
  ['array', '[]', 'MESSAGE_NOT_OBJECT'],
  ['null', 'null', 'MESSAGE_NOT_OBJECT'],
  ['number', '42', 'MESSAGE_NOT_OBJECT'],
  ['string', '"offer"', 'MESSAGE_NOT_OBJECT'],
  ['boolean', 'true', 'MESSAGE_NOT_OBJECT'],
  ['parsed array', [close], 'MESSAGE_NOT_OBJECT'],
  ['parsed null', null, 'MESSAGE_NOT_OBJECT'],
  ['parsed number', 7, 'MESSAGE_NOT_OBJECT'],
  ['wrong protocol', withFields(close, { protocol: 'picopayments/2' }), 'MESSAGE_UNKNOWN_PROTOCOL'],
  ['missing protocol', withFields(close, { protocol: undefined }), 'MESSAGE_UNKNOWN_PROTOCOL'],
  ['numeric protocol', withFields(close, { protocol: 1 }), 'MESSAGE_UNKNOWN_PROTOCOL'],
  ['unknown type', withFields(close, { type: 'refund' }), 'MESSAGE_UNKNOWN_TYPE'],
  ['missing type', withFields(close, { type: undefined }), 'MESSAGE_UNKNOWN_TYPE'],
  ['inherited name as type', withFields(close, { type: 'toString' }), 'MESSAGE_UNKNOWN_TYPE'],
  ['non-string type', withFields(close, { type: ['close'] }), 'MESSAGE_UNKNOWN_TYPE'],
  ['missing field', withFields(close, { reason: undefined }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['missing channelId', withFields(close, { channelId: undefined }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['extra field', withFields(close, { signature: 'ab' }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    'extra nested field',
    withFields(depositFunded, { outpoint: { txid, vout: 0, n: 1 } }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    '__proto__ key',
    `{"__proto__":{"x":1},${encodeMessage(close).slice(1)}`,
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'nested __proto__ key',
    withFields(offer, { expireTime: JSON.parse('{"min":1,"max":2,"__proto__":{}}') }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['constructor key', withFields(close, { constructor: {} }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'MESSAGE_NOT_OBJECT'],
  [
    'deep nesting in a field',
    withFields(close, { reason: JSON.parse(`${'['.repeat(50)}${']'.repeat(50)}`) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['channelId number', withFields(close, { channelId: 5 }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['empty channelId', withFields(close, { channelId: '' }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    '65-char channelId',
    withFields(close, { channelId: 'a'.repeat(65) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['channelId with dot', withFields(close, { channelId: 'a.b' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['reason too long', withFields(close, { reason: 'x'.repeat(201) }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['reason null', withFields(close, { reason: null }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    'vout string',
    withFields(depositFunded, { outpoint: { txid, vout: '0' } }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'vout negative',
    withFields(depositFunded, { outpoint: { txid, vout: -1 } }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'vout 2^32',
    withFields(depositFunded, { outpoint: { txid, vout: 2 ** 32 } }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'vout fractional',
    withFields(depositFunded, { outpoint: { txid, vout: 0.5 } }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['delayTime fractional', withFields(deposit, { delayTime: 1.5 }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['delayTime 65536', withFields(deposit, { delayTime: 65536 }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    'expireTime negative',
    withFields(offer, { expireTime: { min: -1, max: 2 } }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['minFeeRate string', withFields(offer, { minFeeRate: '1' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['minFeeRate negative', withFields(offer, { minFeeRate: -0.5 }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['minFeeRate too high', withFields(offer, { minFeeRate: 1_000_001 }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['unknown network', withFields(offer, { network: 'signet' }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    'hex odd length',
    withFields(revokeHash, { revokeSecretHash: 'a'.repeat(39) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'upper-case hex',
    withFields(revokeHash, { revokeSecretHash: 'AB'.repeat(20) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'non-hex characters',
    withFields(revokeHash, { revokeSecretHash: 'zz'.repeat(20) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'hash of 21 bytes',
    withFields(revokeHash, { revokeSecretHash: 'ab'.repeat(21) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'pubkey of 32 bytes',
    withFields(offer, { payeePubkey: 'ab'.repeat(32) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'uncompressed pubkey',
    withFields(offer, { payeePubkey: `04${'ab'.repeat(64)}` }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'txid of 31 bytes',
    withFields(depositFunded, { outpoint: { txid: 'ab'.repeat(31), vout: 0 } }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['empty commitTx', withFields(commit, { commitTx: '' }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    'commitTx too long',
    withFields(commit, { commitTx: 'ab'.repeat(50_001) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'odd-length script',
    withFields(commit, { commitScript: `${commit.commitScript}0` }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['amount exponent', withFields(commit, { amount: '1e3' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['amount negative', withFields(commit, { amount: '-1' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['amount leading zero', withFields(commit, { amount: '01' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['amount fractional', withFields(commit, { amount: '1.5' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['amount padded', withFields(commit, { amount: ' 1' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['amount empty', withFields(commit, { amount: '' }), 'MESSAGE_SCHEMA_VIOLATION'],
  ['amount as number', withFields(commit, { amount: 1000 }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    'amount 19 digits',
    withFields(depositFunded, { value: '2100000000000000001' }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  ['no secrets', withFields(revokeSecrets, { secrets: [] }), 'MESSAGE_SCHEMA_VIOLATION'],
  [
    '1001 secrets',
    withFields(revokeSecrets, { secrets: uniqueSecrets(1001) }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'short secret',
    withFields(revokeSecrets, { secrets: ['ab'.repeat(20)] }),
    'MESSAGE_SCHEMA_VIOLATION',
  ],
  [
    'amount above 21M BTC',
    withFields(commit, { amount: '2100000000000001' }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'value above 21M BTC',
    withFields(depositFunded, { value: '9999999999999999' }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'expireTime min > max',
    withFields(offer, { expireTime: { min: 5, max: 4 } }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'delayTime min > max',
    withFields(offer, { delayTime: { min: 65535, max: 0 } }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'payee key not on the curve',
    withFields(offer, { payeePubkey: notOnCurve }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'payer key not on the curve',
    withFields(deposit, { payerPubkey: notOnCurve }),
    'MESSAGE_INVALID_FIELD',
  ],
  ['deposit script garbage', withFields(deposit, { depositScript: '00' }), 'MESSAGE_INVALID_FIELD'],
  [
    'deposit script truncated',
    withFields(deposit, { depositScript: deposit.depositScript.slice(0, -2) }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'deposit script of another payer',
    withFields(deposit, { depositScript: scriptWith(otherKey, payeeKey) }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'deposit script with payer = payee',
    withFields(deposit, { depositScript: scriptWith(payerKey, payerKey) }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'commit script given as deposit script',
    withFields(deposit, { depositScript: commit.commitScript }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'commit script garbage',
    withFields(commit, { commitScript: 'deadbeef' }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'commit script with trailing byte',
    withFields(commit, { commitScript: `${commit.commitScript}00` }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'deposit script given as commit script',
    withFields(commit, { commitScript: deposit.depositScript }),
    'MESSAGE_INVALID_FIELD',
  ],
  [
    'duplicate secrets',
    withFields(revokeSecrets, { secrets: ['11'.repeat(32), '22'.repeat(32), '11'.repeat(32)] }),
    'MESSAGE_INVALID_FIELD',
  ],
];

describe('hostile inputs are refused with a MessageError', () => {
  it.each(hostile)('%s', (_name, input, code) => {
    expect(codeOf(input)).toBe(code);
    if (typeof input !== 'string') expect(isChannelMessage(input)).toBe(false);
  });

  it('covers every error code', () => {
    const codes = new Set(hostile.map(([, , code]) => code));
    expect([...codes].sort()).toEqual([
      'MESSAGE_INVALID_FIELD',
      'MESSAGE_NOT_JSON',
      'MESSAGE_NOT_OBJECT',
      'MESSAGE_SCHEMA_VIOLATION',
      'MESSAGE_TOO_LARGE',
      'MESSAGE_UNKNOWN_PROTOCOL',
      'MESSAGE_UNKNOWN_TYPE',
    ]);
  });

  it('names the first offending path', () => {
    const error = (() => {
      try {
        decodeMessage(withFields(depositFunded, { outpoint: { txid, vout: -1 } }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MessageError);
    expect((error as MessageError).path).toBe('/outpoint/vout');
    expect((error as MessageError).message).toContain('/outpoint/vout');
  });

  it('reports a duplicate secret at its index', () => {
    const text = withFields(revokeSecrets, { secrets: ['11'.repeat(32), '11'.repeat(32)] });
    expect(() => decodeMessage(text)).toThrow(expect.objectContaining({ path: '/secrets/1' }));
  });

  it('does not pollute Object.prototype', () => {
    const text = `{"__proto__":{"polluted":true},"protocol":"picopayments/1"}`;
    expect(codeOf(text)).toBe('MESSAGE_SCHEMA_VIOLATION');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks the size limit on bytes, just at the boundary', () => {
    const pad = MAX_MESSAGE_BYTES - encodeMessage(close).length;
    expect(codeOf(`${encodeMessage(close)}${' '.repeat(pad)}`)).toBe('ACCEPTED');
    expect(codeOf(`${encodeMessage(close)}${' '.repeat(pad + 1)}`)).toBe('MESSAGE_TOO_LARGE');
  });

  it('encodeMessage validates too', () => {
    const bad = { ...offer, expireTime: { min: 3, max: 1 } };
    expect(() => encodeMessage(bad)).toThrow(MessageError);
    expect(() => encodeMessage({ ...close, reason: 5 } as unknown as ChannelMessage)).toThrow(
      MessageError,
    );
  });
});
