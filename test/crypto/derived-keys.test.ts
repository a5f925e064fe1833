/**
 * Public keys derived from private keys are remembered (by a hash of the private key) for the
 * active backend only: a repeat costs no multiplication, every caller gets its own copy, and a
 * newly selected backend derives again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  type Secp256k1Backend,
  derivePublicKey,
  loadSecp256k1Backend,
  useSecp256k1Backend,
} from '../../src/crypto/index.js';

async function counting(): Promise<{ backend: Secp256k1Backend; calls: () => number }> {
  const noble = await loadSecp256k1Backend('noble');
  let calls = 0;
  const backend: Secp256k1Backend = {
    ...noble,
    name: 'counting',
    publicKeyCreate: (key) => {
      calls++;
      return noble.publicKeyCreate(key);
    },
    isPoint: (key) => noble.isPoint(key),
    sign: (hash, key) => noble.sign(hash, key),
    verify: (sig, hash, key) => noble.verify(sig, hash, key),
  };
  return { backend, calls: () => calls };
}

describe('derived public keys', () => {
  afterEach(async () => {
    await useSecp256k1Backend('noble');
  });

  it('derives a key once per backend and hands out copies', async () => {
    const key = new Uint8Array(32).fill(7);
    const first = await counting();
    await useSecp256k1Backend(first.backend);
    const before = first.calls();
    const a = derivePublicKey(key);
    const expected = bytesToHex(a);
    a.fill(0);
    expect(bytesToHex(derivePublicKey(key))).toBe(expected);
    expect(first.calls() - before).toBe(1);
    // Another key is derived, not confused with the first.
    expect(bytesToHex(derivePublicKey(new Uint8Array(32).fill(8)))).not.toBe(expected);
    const second = await counting();
    await useSecp256k1Backend(second.backend);
    const again = second.calls();
    expect(bytesToHex(derivePublicKey(key))).toBe(expected);
    expect(second.calls() - again).toBe(1);
  });

  it('still refuses an invalid private key', () => {
    expect(() => derivePublicKey(new Uint8Array(32))).toThrow(/private key/);
  });
});
