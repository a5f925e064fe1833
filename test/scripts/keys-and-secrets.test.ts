import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  HASH160_LENGTH,
  PUBKEY_LENGTH,
  SECRET_LENGTH,
  assertCompressedPubkey,
  assertHash160,
  assertSecret,
  generateSecret,
  hash160,
  parseCommitScript,
  secretHash,
} from '../../src/scripts/index.js';
import { vectors } from '../support/vectors.js';
import { expectScriptError, filled, h } from './helpers.js';

/** The generator point G: the public key of private key 1. */
const G_COMPRESSED = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

describe('assertCompressedPubkey', () => {
  it('accepts 02 and 03 keys on the curve', () => {
    expect(() => assertCompressedPubkey(h(G_COMPRESSED))).not.toThrow();
    expect(() => assertCompressedPubkey(h(vectors.commit.payer_pubkey as string))).not.toThrow();
    expect(vectors.commit.payer_pubkey).toMatch(/^03/);
  });

  it.each([
    ['65-byte uncompressed 04… key', () => secp256k1.getPublicKey(filled(32, 7), false)],
    ['33 bytes with 04 prefix', () => h(`04${G_COMPRESSED.slice(2)}`)],
    ['33 bytes with 00 prefix', () => h(`00${G_COMPRESSED.slice(2)}`)],
    ['02 prefix, x not on the curve', () => h(`02${'00'.repeat(31)}05`)],
    ['03 prefix, x = field prime', () => h(`03${'ff'.repeat(28)}fffffc2f`)],
    ['32 bytes', () => h(G_COMPRESSED.slice(0, -2))],
    ['34 bytes', () => h(`${G_COMPRESSED}01`)],
    ['empty', () => new Uint8Array(0)],
  ])('rejects %s', (_, key) => {
    expectScriptError(() => assertCompressedPubkey(key()), 'SCRIPT_INVALID_PUBKEY');
  });

  it('rejects a hex string in place of bytes', () => {
    expectScriptError(
      () => assertCompressedPubkey(G_COMPRESSED as unknown as Uint8Array),
      'SCRIPT_INVALID_PUBKEY',
    );
  });

  it('names the offending key in the message', () => {
    const error = expectScriptError(
      () => assertCompressedPubkey(new Uint8Array(33), 'payee pubkey'),
      'SCRIPT_INVALID_PUBKEY',
    );
    expect(error.message).toContain('payee pubkey');
  });
});

describe('assertHash160 and assertSecret', () => {
  it('use the protocol lengths', () => {
    expect([PUBKEY_LENGTH, HASH160_LENGTH, SECRET_LENGTH]).toEqual([33, 20, 32]);
  });

  it.each([0, 19, 21, 32])('rejects a %i-byte hash', (length) => {
    expectScriptError(() => assertHash160(filled(length, 1)), 'SCRIPT_INVALID_HASH_LENGTH');
  });

  it.each([0, 20, 31, 33])('rejects a %i-byte secret', (length) => {
    expectScriptError(() => assertSecret(filled(length, 1)), 'SCRIPT_INVALID_SECRET');
  });

  it('accept the exact lengths', () => {
    expect(() => assertHash160(filled(20, 0))).not.toThrow();
    expect(() => assertSecret(filled(32, 0))).not.toThrow();
  });
});

describe('hash160', () => {
  it('matches the well-known HASH160 of the empty string', () => {
    expect(bytesToHex(hash160(new Uint8Array(0)))).toBe('b472a266d0bd89c13706a4132ccfb16f7c3b9fcb');
  });

  it('matches the well-known HASH160 of the generator key', () => {
    expect(bytesToHex(hash160(h(G_COMPRESSED)))).toBe('751e76e8199196d454941c45d1b3a323f1433bd6');
  });
});

describe('secretHash', () => {
  it('hashes the reference spend secret to the payout commit script’s spend hash', () => {
    const expected = parseCommitScript(h(vectors.payout.commit_script_hex)).spendSecretHash;
    expect(bytesToHex(secretHash(h(vectors.payout.spend_secret)))).toBe(bytesToHex(expected));
  });

  it('hashes the reference revoke secret to the commit vector’s revoke hash', () => {
    const secret = vectors.sign.revoke_recover?.input.revoke_secret;
    expect(bytesToHex(secretHash(h(secret as string)))).toBe(vectors.commit.revoke_secret_hash);
  });

  it.each([31, 33])('rejects a %i-byte secret', (length) => {
    expectScriptError(() => secretHash(filled(length, 9)), 'SCRIPT_INVALID_SECRET');
  });
});

describe('generateSecret', () => {
  it('returns 32 bytes whose hash is a valid secret hash', () => {
    const secret = generateSecret();
    expect(secret).toBeInstanceOf(Uint8Array);
    expect(secret.length).toBe(32);
    expect(secretHash(secret).length).toBe(20);
  });

  it('returns distinct secrets on every call', () => {
    const seen = new Set(Array.from({ length: 256 }, () => bytesToHex(generateSecret())));
    expect(seen.size).toBe(256);
  });

  it('looks random: every byte position takes many values and bits are balanced', () => {
    const secrets = Array.from({ length: 256 }, () => generateSecret());
    let ones = 0;
    for (let i = 0; i < SECRET_LENGTH; i++) {
      const values = new Set(secrets.map((s) => s[i]));
      // 256 uniform draws from 256 values give ~162 distinct; 64 is far below any plausible run.
      expect(values.size).toBeGreaterThan(64);
    }
    for (const s of secrets)
      for (const byte of s) for (let b = 0; b < 8; b++) ones += (byte >> b) & 1;
    const bits = 256 * 32 * 8;
    // Mean bits/2 = 32768, standard deviation 128: a ±1500 band is more than 11 sigma.
    expect(Math.abs(ones - bits / 2)).toBeLessThan(1500);
  });
});
