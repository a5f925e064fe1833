/**
 * Choosing a secp256k1 backend: by name or as an object, known-answer checks on the way in,
 * typed errors for what cannot be used, and the engine really going through the choice.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  CryptoError,
  type CryptoErrorCode,
  NATIVE_BINDING_SPECIFIER,
  type Secp256k1Backend,
  activeSecp256k1Backend,
  loadNativeSecp256k1Backend,
  loadSecp256k1Backend,
  nobleBackend,
  signDigest,
  useSecp256k1Backend,
} from '../../src/crypto/index.js';
import { importOptional } from '../../src/crypto/optional-import.js';
import { assertCompressedPubkey } from '../../src/scripts/keys.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { assertValidSignature, signHash } from '../../src/transactions/signatures.js';
import { intBytes } from './arbitraries.js';

async function expectCryptoError(
  promise: Promise<unknown> | (() => unknown),
  code: CryptoErrorCode,
): Promise<CryptoError> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CryptoError);
  expect((caught as CryptoError).code).toBe(code);
  return caught as CryptoError;
}

/** noble, with some operations replaced. */
function nobleWith(overrides: Partial<Secp256k1Backend>): Secp256k1Backend {
  return { ...nobleBackend, name: 'custom', implementation: 'test backend', ...overrides };
}

const key = intBytes(0x1234n);
const hash = new Uint8Array(32).fill(0x5a);

afterEach(async () => {
  await useSecp256k1Backend('noble');
});

describe('selection by name', () => {
  test('noble is active by default', () => {
    expect(activeSecp256k1Backend()).toBe(nobleBackend);
  });

  test.each([
    ['noble', /noble/],
    ['tiny-secp256k1', /WebAssembly/],
    ['native', /native libsecp256k1 binding/],
  ] as const)('%s loads, passes its known-answer tests and becomes active', async (name, impl) => {
    const backend = await useSecp256k1Backend(name);
    expect(backend.name).toBe(name);
    expect(backend.implementation).toMatch(impl);
    expect(activeSecp256k1Backend()).toBe(backend);
    // Loading twice gives the same backend object (imported and checked once).
    expect(await loadSecp256k1Backend(name)).toBe(backend);
  });

  test('the native package here really runs its compiled binding, not the elliptic fallback', async () => {
    const main = (await import('secp256k1')) as { default: unknown };
    const binding = (await import(NATIVE_BINDING_SPECIFIER)) as { default: unknown };
    // The package's main entry exports the binding when it loads, elliptic when it does not.
    expect(main.default).toBe(binding.default);
    expect((await loadSecp256k1Backend('native')).implementation).toContain(
      'not the elliptic fallback',
    );
  });

  test('an unknown name is a typed error and leaves the active backend as it was', async () => {
    await useSecp256k1Backend('tiny-secp256k1');
    const active = activeSecp256k1Backend();
    for (const name of ['elliptic', '', 'toString', '__proto__']) {
      await expectCryptoError(useSecp256k1Backend(name as never), 'CRYPTO_UNKNOWN_BACKEND');
    }
    expect(activeSecp256k1Backend()).toBe(active);
  });
});

describe('optional packages that are absent or broken', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('a package that is not installed: CRYPTO_BACKEND_NOT_INSTALLED', async () => {
    const error = await expectCryptoError(
      importOptional('picopayments-no-such-package', 'picopayments-no-such-package'),
      'CRYPTO_BACKEND_NOT_INSTALLED',
    );
    expect(error.message).toContain('picopayments-no-such-package');
    expect(error.cause).toBeInstanceOf(Error);
  });

  test('the native package without its binary: CRYPTO_BACKEND_LOAD_FAILED, no silent fallback', async () => {
    // A real copy of the package with no prebuilt binary and nothing compiled.
    const dir = mkdtempSync(join(tmpdir(), 'picopayments-native-'));
    dirs.push(dir);
    const modules = join(process.cwd(), 'node_modules');
    cpSync(join(modules, 'secp256k1'), join(dir, 'node_modules', 'secp256k1'), {
      recursive: true,
      filter: (source) => !source.includes('prebuilds') && !source.endsWith('.node'),
    });
    cpSync(join(modules, 'node-gyp-build'), join(dir, 'node_modules', 'node-gyp-build'), {
      recursive: true,
    });
    const binding = pathToFileURL(join(dir, 'node_modules', 'secp256k1', 'bindings.js')).href;
    const error = await expectCryptoError(
      loadNativeSecp256k1Backend(binding),
      'CRYPTO_BACKEND_LOAD_FAILED',
    );
    expect(error.message).toMatch(/native build|secp256k1/i);
    expect(activeSecp256k1Backend()).toBe(nobleBackend);
  });
});

describe('backend objects of the embedder', () => {
  test('a conforming backend is used for every key, signature and verification', async () => {
    const calls = { publicKeyCreate: 0, isPoint: 0, sign: 0, verify: 0 };
    const counted = <A extends unknown[], R>(op: keyof typeof calls, fn: (...args: A) => R) => {
      return (...args: A): R => {
        calls[op]++;
        return fn(...args);
      };
    };
    const counting = nobleWith({
      publicKeyCreate: counted('publicKeyCreate', nobleBackend.publicKeyCreate),
      isPoint: counted('isPoint', nobleBackend.isPoint),
      sign: counted('sign', nobleBackend.sign),
      verify: counted('verify', nobleBackend.verify),
    });
    await useSecp256k1Backend(counting);
    const before = { ...calls };
    const publicKey = publicKeyOf(key);
    assertCompressedPubkey(publicKey);
    const signature = signHash(hash, key);
    assertValidSignature(signature, hash, publicKey);
    expect(calls.publicKeyCreate - before.publicKeyCreate).toBe(1);
    expect(calls.isPoint - before.isPoint).toBe(1);
    expect(calls.sign - before.sign).toBe(1);
    expect(calls.verify - before.verify).toBe(1);
  });

  test('methods swapped on the object after selection are not used', async () => {
    const backend = nobleWith({});
    await useSecp256k1Backend(backend);
    backend.verify = () => true;
    const forged = signHash(hash, key);
    const otherHash = new Uint8Array(32).fill(0x5b);
    expect(() => assertValidSignature(forged, otherHash, publicKeyOf(key))).toThrow(
      'TX_BAD_SIGNATURE',
    );
  });

  test('a backend returning high S is normalised: the same bytes as noble', async () => {
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const expected = bytesToHex(signHash(hash, key));
    await useSecp256k1Backend(
      nobleWith({
        sign: (h, k) => {
          const low = nobleBackend.sign(h, k);
          const s = BigInt(`0x${bytesToHex(low.subarray(32))}`);
          const high = low.slice();
          high.set(intBytes(n - s), 32);
          return high;
        },
      }),
    );
    expect(bytesToHex(signHash(hash, key))).toBe(expected);
  });

  test.each([
    [
      'random nonces (not RFC 6979)',
      nobleWith({
        sign: (h, k) =>
          secp256k1.sign(h, k, { prehash: false, format: 'compact', extraEntropy: true }),
      }),
    ],
    ['a verify that accepts everything', nobleWith({ verify: () => true })],
    ['a verify that accepts nothing', nobleWith({ verify: () => false })],
    ['an isPoint that accepts everything', nobleWith({ isPoint: () => true })],
    [
      'uncompressed public keys',
      nobleWith({ publicKeyCreate: (k) => secp256k1.getPublicKey(k, false) }),
    ],
    [
      'a sign that throws',
      nobleWith({
        sign: () => {
          throw new Error('no');
        },
      }),
    ],
    ['a missing verify', { ...nobleWith({}), verify: undefined } as unknown as Secp256k1Backend],
    ['no name', { ...nobleWith({}), name: 7 } as unknown as Secp256k1Backend],
    ['not an object', null as unknown as Secp256k1Backend],
  ])('refused: %s (CRYPTO_BACKEND_REJECTED), active backend unchanged', async (_name, backend) => {
    await useSecp256k1Backend('tiny-secp256k1');
    const active = activeSecp256k1Backend();
    await expectCryptoError(useSecp256k1Backend(backend), 'CRYPTO_BACKEND_REJECTED');
    expect(activeSecp256k1Backend()).toBe(active);
  });

  test.each([
    ['a 63-byte signature', (sig: Uint8Array) => sig.subarray(1)],
    ['r = 0', (sig: Uint8Array) => Uint8Array.from([...new Uint8Array(32), ...sig.subarray(32)])],
    [
      's = n',
      (sig: Uint8Array) =>
        Uint8Array.from([
          ...sig.subarray(0, 32),
          ...intBytes(0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n),
        ]),
    ],
  ])(
    'a backend that passes its tests but later returns %s: CRYPTO_BACKEND_FAULT',
    async (_n, damage) => {
      // Misbehaves only on hashes starting 0x42, which no known-answer test uses.
      await useSecp256k1Backend(
        nobleWith({
          sign: (h, k) =>
            h[0] === 0x42 ? damage(nobleBackend.sign(h, k)) : nobleBackend.sign(h, k),
        }),
      );
      await expectCryptoError(
        () => signDigest(new Uint8Array(32).fill(0x42), key),
        'CRYPTO_BACKEND_FAULT',
      );
    },
  );

  test('a backend deriving a malformed public key at run time: CRYPTO_BACKEND_FAULT', async () => {
    await useSecp256k1Backend(
      nobleWith({
        publicKeyCreate: (k) =>
          k[0] === 0x42 ? new Uint8Array(33) : nobleBackend.publicKeyCreate(k),
      }),
    );
    const odd = intBytes(0x42n << 248n);
    await expectCryptoError(() => publicKeyOf(odd), 'CRYPTO_BACKEND_FAULT');
  });
});
