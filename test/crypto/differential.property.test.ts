/**
 * Differential suite: every secp256k1 backend, driven through the engine's own functions,
 * gives byte-identical signatures and keys and the same verdict (or the same error code) on
 * random and hostile inputs.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { bytesToHex, concatBytes } from '../../src/bytes.js';
import {
  CURVE_ORDER,
  HALF_CURVE_ORDER,
  type Secp256k1Backend,
  derivePublicKey,
  isValidPublicKey,
  signDigest,
  verifyDigest,
} from '../../src/crypto/index.js';
import { assertCompressedPubkey } from '../../src/scripts/keys.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import {
  assertValidSignature,
  isStrictDerSignature,
  signHash,
} from '../../src/transactions/signatures.js';
import { propertyConfig } from '../support/property-config.js';
import {
  candidatePublicKey,
  derPush,
  hash32,
  intBytes,
  outOfRangeKey,
  validPrivateKey,
  wrongLength,
} from './arbitraries.js';
import { BACKEND_NAMES, loadAllBackends, outcome, outcomesPerBackend } from './backends.js';

let backends: Secp256k1Backend[] = [];
beforeAll(async () => {
  backends = await loadAllBackends();
});

/** All outcomes equal, and none of them an untyped error. */
function expectAgreement(outcomes: readonly unknown[]): void {
  expect(outcomes.length).toBe(BACKEND_NAMES.length);
  for (const o of outcomes) expect(JSON.stringify(o) ?? 'ok').not.toContain('untyped');
  for (const o of outcomes.slice(1)) expect(o).toEqual(outcomes[0]);
}

/** The (r, s) of a strict-DER push. */
function rs(push: Uint8Array): { r: bigint; s: bigint } {
  const lenR = push[3]!;
  const big = (b: Uint8Array) => BigInt(`0x${bytesToHex(b) || '0'}`);
  return { r: big(push.subarray(4, 4 + lenR)), s: big(push.subarray(6 + lenR, push.length - 1)) };
}

describe('signing: byte-identical across backends', () => {
  test('public keys and signatures agree, are strict low-S DER and verify everywhere', async () => {
    await fc.assert(
      fc.asyncProperty(validPrivateKey, hash32, async (key, hash) => {
        const made = await outcomesPerBackend(() => ({
          publicKey: bytesToHex(publicKeyOf(key)),
          signature: bytesToHex(signHash(hash, key)),
        }));
        expectAgreement(made);
        const { publicKey, signature } = made[0] as { publicKey: string; signature: string };
        // An encoder written elsewhere (noble's DER) gives the same bytes.
        const nobleDer = secp256k1.sign(hash, key, { prehash: false, lowS: true, format: 'der' });
        expect(signature).toBe(`${bytesToHex(nobleDer)}01`);
        const push = Uint8Array.from(Buffer.from(signature, 'hex'));
        expect(isStrictDerSignature(push)).toBe(true);
        expect(rs(push).s <= HALF_CURVE_ORDER).toBe(true);
        const pub = Uint8Array.from(Buffer.from(publicKey, 'hex'));
        const verdicts = await outcomesPerBackend(() => assertValidSignature(push, hash, pub));
        expect(verdicts).toEqual(BACKEND_NAMES.map(() => undefined));
      }),
      propertyConfig('crypto differential: signing', 40),
    );
  });

  test('raw backends agree on compact signatures and keys for hashes below n', () => {
    const belowN = hash32.filter((h) => BigInt(`0x${bytesToHex(h)}`) < CURVE_ORDER);
    fc.assert(
      fc.property(validPrivateKey, belowN, (key, hash) => {
        const sigs = backends.map((b) => bytesToHex(b.sign(hash, key)));
        const keys = backends.map((b) => bytesToHex(b.publicKeyCreate(key)));
        expectAgreement(sigs);
        expectAgreement(keys);
      }),
      propertyConfig('crypto differential: raw signing', 60),
    );
  });
});

describe('hashes at or above n', () => {
  const highHash = fc.bigInt({ min: CURVE_ORDER, max: (1n << 256n) - 1n }).map((h) => intBytes(h));

  test('the layer signs h as h - n, which every backend then signs alike', async () => {
    await fc.assert(
      fc.asyncProperty(validPrivateKey, highHash, async (key, hash) => {
        const reduced = intBytes(BigInt(`0x${bytesToHex(hash)}`) - CURVE_ORDER);
        const answers = await outcomesPerBackend(() => [
          bytesToHex(signDigest(hash, key)),
          bytesToHex(signDigest(reduced, key)),
          verifyDigest(signDigest(hash, key), hash, secp256k1.getPublicKey(key, true)),
        ]);
        expectAgreement(answers);
        const [high, low, verifies] = answers[0] as [string, string, boolean];
        expect(high).toBe(low);
        expect(verifies).toBe(true);
        // RFC 6979 reduces the hash for the nonce (bits2octets); noble does so itself.
        const noble = backends.find((b) => b.name === 'noble')!;
        expect(bytesToHex(noble.sign(hash, key))).toBe(high);
      }),
      propertyConfig('crypto differential: hashes above n', 30),
    );
  });

  test('raw, the native package derives another nonce for h ≥ n: the layer must reduce', () => {
    const key = intBytes(1n);
    const hash = new Uint8Array(32).fill(0xff);
    const raw = backends.map((b) => bytesToHex(b.sign(hash, key)));
    const byName = Object.fromEntries(backends.map((b, i) => [b.name, raw[i]]));
    expect(byName['tiny-secp256k1']).toBe(byName.noble);
    expect(byName.native).not.toBe(byName.noble);
  });
});

/** Ways to damage a valid (push, hash, key) triple; each returns the damaged triple. */
type Case = { push: Uint8Array; hash: Uint8Array; key: Uint8Array; expect?: string | 'ok' };
const mutation = fc.oneof(
  fc.constant((c: Case): Case => ({ ...c, expect: 'ok' })),
  fc.nat(255).map((bit) => (c: Case): Case => {
    const hash = c.hash.slice();
    hash[bit >> 3]! ^= 1 << (bit & 7);
    return { ...c, hash, expect: 'TX_BAD_SIGNATURE' };
  }),
  fc.tuple(fc.nat(), fc.nat(7)).map(([at, bit]) => (c: Case): Case => {
    const push = c.push.slice();
    push[at % push.length]! ^= 1 << bit;
    return { ...c, push };
  }),
  fc.constant((c: Case): Case => {
    const { r, s } = rs(c.push);
    return { ...c, push: derPush(r, CURVE_ORDER - s), expect: 'TX_BAD_SIGNATURE_FORMAT' };
  }),
  fc
    .integer({ min: 0, max: 255 })
    .filter((t) => t !== 1)
    .map(
      (type) =>
        (c: Case): Case => ({
          ...c,
          push: concatBytes(c.push.subarray(0, -1), Uint8Array.of(type)),
          expect: 'TX_BAD_SIGNATURE_FORMAT',
        }),
    ),
  fc.nat().map(
    (n) =>
      (c: Case): Case => ({
        ...c,
        push: c.push.subarray(0, n % c.push.length),
        expect: 'TX_BAD_SIGNATURE_FORMAT',
      }),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map(
    (extra) =>
      (c: Case): Case => ({
        ...c,
        push: concatBytes(c.push, extra),
        expect: 'TX_BAD_SIGNATURE_FORMAT',
      }),
  ),
  fc
    .tuple(
      fc.constantFrom('r', 's'),
      fc.oneof(
        fc.constantFrom(0n, CURVE_ORDER, CURVE_ORDER + 1n, (1n << 256n) - 1n, 1n << 256n),
        fc.bigInt({ min: CURVE_ORDER, max: (1n << 264n) - 1n }),
      ),
    )
    .map(([which, value]) => (c: Case): Case => {
      const { r, s } = rs(c.push);
      const push = which === 'r' ? derPush(value, s) : derPush(r, value);
      return { ...c, push, expect: 'TX_BAD_SIGNATURE_FORMAT' };
    }),
  fc.constant((c: Case): Case => {
    // r with a superfluous 00 pad: BER-valid, not strict DER.
    const lenR = c.push[3]!;
    const r = concatBytes(Uint8Array.of(0), c.push.subarray(4, 4 + lenR));
    const rest = c.push.subarray(4 + lenR, -1);
    const body = concatBytes(Uint8Array.of(0x02, r.length), r, rest);
    const push = concatBytes(Uint8Array.of(0x30, body.length), body, Uint8Array.of(1));
    return { ...c, push, expect: 'TX_BAD_SIGNATURE_FORMAT' };
  }),
  candidatePublicKey.map(
    (key) =>
      (c: Case): Case => ({ ...c, key }),
  ),
  validPrivateKey.map(
    (other) =>
      (c: Case): Case => ({ ...c, key: secp256k1.getPublicKey(other, true) }),
  ),
  fc.uint8Array({ minLength: 0, maxLength: 80 }).map(
    (push) =>
      (c: Case): Case => ({ ...c, push }),
  ),
);

describe('verification and strictness: one verdict across backends', () => {
  test('hostile signatures, hashes and keys get the same verdict from every backend', async () => {
    await fc.assert(
      fc.asyncProperty(validPrivateKey, hash32, mutation, async (privateKey, hash, mutate) => {
        const valid: Case = {
          push: signHash(hash, privateKey),
          hash,
          key: secp256k1.getPublicKey(privateKey, true),
        };
        const c = mutate(valid);
        const verdicts = await outcomesPerBackend(() =>
          assertValidSignature(c.push, c.hash, c.key),
        );
        expectAgreement(verdicts);
        if (c.expect === 'ok') expect(verdicts[0]).toBeUndefined();
        else if (c.expect) expect(verdicts[0]).toEqual({ error: c.expect });
      }),
      propertyConfig('crypto differential: verification', 200),
    );
  });

  test('raw backends agree on compact signatures, high S included (outside the layer)', () => {
    fc.assert(
      fc.property(validPrivateKey, hash32, fc.boolean(), fc.nat(511), (key, hash, high, bit) => {
        const compact = signDigest(hash, key);
        const publicKey = secp256k1.getPublicKey(key, true);
        const s = BigInt(`0x${bytesToHex(compact.subarray(32))}`);
        const sig = high
          ? concatBytes(compact.subarray(0, 32), intBytes(CURVE_ORDER - s))
          : compact.slice();
        if (bit < 256) sig[bit >> 3]! ^= 1 << (bit & 7);
        expectAgreement(backends.map((b) => b.verify(sig, hash, publicKey)));
        // An untouched low-S signature verifies; a high-S one verifies nowhere.
        if (bit >= 256) expect(backends[0]!.verify(sig, hash, publicKey)).toBe(!high);
      }),
      propertyConfig('crypto differential: raw verification', 150),
    );
  });
});

describe('public keys: one answer across backends', () => {
  test('33-byte candidates: same validity, same script-layer error', async () => {
    await fc.assert(
      fc.asyncProperty(candidatePublicKey, async (key) => {
        const answers = await outcomesPerBackend(() => ({
          valid: isValidPublicKey(key),
          script: outcome(() => assertCompressedPubkey(key)) ?? 'ok',
        }));
        expectAgreement(answers);
        if (key[0] === 2 || key[0] === 3) {
          expectAgreement(backends.map((b) => b.isPoint(key)));
          // noble's point decoder, an independent path, decides the same.
          let onCurve = true;
          try {
            secp256k1.Point.fromBytes(key).assertValidity();
          } catch {
            onCurve = false;
          }
          expect((answers[0] as { valid: boolean }).valid).toBe(onCurve);
        } else {
          expect((answers[0] as { valid: boolean }).valid).toBe(false);
        }
      }),
      propertyConfig('crypto differential: public keys', 300),
    );
  });

  test('both parities of a valid x are points; keys of other lengths are refused', async () => {
    await fc.assert(
      fc.asyncProperty(validPrivateKey, wrongLength(33), async (privateKey, junk) => {
        const key = secp256k1.getPublicKey(privateKey, true);
        const flipped = concatBytes(Uint8Array.of(key[0]! ^ 1), key.subarray(1));
        const uncompressed = secp256k1.getPublicKey(privateKey, false);
        const answers = await outcomesPerBackend(() => [
          isValidPublicKey(key),
          isValidPublicKey(flipped),
          isValidPublicKey(uncompressed),
          isValidPublicKey(junk),
          outcome(() => assertCompressedPubkey(uncompressed)),
        ]);
        expectAgreement(answers);
        expect(answers[0]).toEqual([true, true, false, false, { error: 'SCRIPT_INVALID_PUBKEY' }]);
      }),
      propertyConfig('crypto differential: key shapes', 60),
    );
  });
});

describe('private keys and lengths: refused alike, before any backend computes', () => {
  test('zero, n and above, and wrong lengths: the same typed error everywhere', async () => {
    const badKey = fc.oneof(outOfRangeKey, wrongLength(32));
    await fc.assert(
      fc.asyncProperty(badKey, hash32, async (key, hash) => {
        const answers = await outcomesPerBackend(() => [
          outcome(() => publicKeyOf(key)),
          outcome(() => signHash(hash, key)),
          outcome(() => derivePublicKey(key)),
        ]);
        expectAgreement(answers);
        expect(answers[0]).toEqual([
          { error: 'TX_INVALID_KEY' },
          { error: 'CRYPTO_INVALID_INPUT' },
          { error: 'CRYPTO_INVALID_INPUT' },
        ]);
      }),
      propertyConfig('crypto differential: bad private keys', 100),
    );
  });

  test('raw backends, asked directly, also refuse zero and out-of-range keys', () => {
    fc.assert(
      fc.property(outOfRangeKey, hash32, (key, hash) => {
        for (const backend of backends) {
          expect(() => backend.publicKeyCreate(key), backend.name).toThrow();
          expect(() => backend.sign(hash, key), backend.name).toThrow();
        }
      }),
      propertyConfig('crypto differential: raw bad keys', 60),
    );
  });

  test('hashes and compact signatures of the wrong length are typed errors', async () => {
    const key = intBytes(7n);
    const publicKey = secp256k1.getPublicKey(key, true);
    await fc.assert(
      fc.asyncProperty(wrongLength(32), wrongLength(64), async (hash, compact) => {
        const answers = await outcomesPerBackend(() => [
          outcome(() => signDigest(hash, key)),
          outcome(() => verifyDigest(new Uint8Array(64).fill(1), hash, publicKey)),
          outcome(() => verifyDigest(compact, new Uint8Array(32), publicKey)),
        ]);
        expectAgreement(answers);
        expect(answers[0]).toEqual([0, 1, 2].map(() => ({ error: 'CRYPTO_INVALID_INPUT' })));
      }),
      propertyConfig('crypto differential: lengths', 60),
    );
  });
});
