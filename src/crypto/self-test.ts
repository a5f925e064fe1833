import { bytesToHex, hexToBytes } from '../bytes.js';
import type { Secp256k1Backend } from './backend.js';
import { CryptoError } from './errors.js';

/** The generator G, compressed: the public key of private key 1. */
const G = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
/** -G, the public key of private key n - 1: same x, odd y. */
const MINUS_G = '0379be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
const KEY_ONE = `${'00'.repeat(31)}01`;
const KEY_N_MINUS_ONE = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140';
/** SHA-256 of "Satoshi Nakamoto", the message of a widely published RFC 6979 vector. */
const HASH = 'a0dc65ffca799873cbea0ac274015b9526505daaaed385155425f7337704883e';
/** Its RFC 6979 low-S signature with private key 1, r || s. */
const SIGNATURE =
  '934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8' +
  '2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5';
/** The same signature with s replaced by n - s: the high-S twin the layer normalises. */
const SIGNATURE_HIGH_S =
  '934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8' +
  'dbbd3162d46e9f9bef7feb87c16dc13b4f6568a87f4e83f728e2443ba586675c';
/** x = 0 is on no point of secp256k1 (7 is not a square mod p). */
const OFF_CURVE = `02${'00'.repeat(32)}`;
/** x = p, an encoding out of the field. */
const X_OVERFLOW = '02fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f';

const OPERATIONS = ['publicKeyCreate', 'isPoint', 'sign', 'verify'] as const;

function answers(backend: Secp256k1Backend): Record<string, boolean> {
  const hash = hexToBytes(HASH);
  const tampered = hash.slice();
  tampered[31]! ^= 1;
  const signature = hexToBytes(SIGNATURE);
  const g = hexToBytes(G);
  return {
    'public key of 1 is G': bytesToHex(backend.publicKeyCreate(hexToBytes(KEY_ONE))) === G,
    'public key of n-1 is -G':
      bytesToHex(backend.publicKeyCreate(hexToBytes(KEY_N_MINUS_ONE))) === MINUS_G,
    'RFC 6979 signature': [SIGNATURE, SIGNATURE_HIGH_S].includes(
      bytesToHex(backend.sign(hash, hexToBytes(KEY_ONE))),
    ),
    'verifies a valid signature': backend.verify(signature, hash, g) === true,
    'refuses a signature of another hash': backend.verify(signature, tampered, g) === false,
    'refuses a signature under another key':
      backend.verify(signature, hash, hexToBytes(MINUS_G)) === false,
    'G is a point': backend.isPoint(g) === true,
    'x = 0 is not a point': backend.isPoint(hexToBytes(OFF_CURVE)) === false,
    'x = p is not a point': backend.isPoint(hexToBytes(X_OVERFLOW)) === false,
  };
}

/**
 * Checks a backend before it is used: every operation present, and right answers to
 * known-answer tests (key derivation, a deterministic signature, verification, point checks).
 * A backend with random nonces, or one that accepts what it should refuse, fails here.
 *
 * @throws {@link CryptoError} `CRYPTO_BACKEND_REJECTED` naming what failed.
 */
export function assertBackendConforms(backend: Secp256k1Backend): void {
  if (typeof backend !== 'object' || backend === null) {
    throw new CryptoError('CRYPTO_BACKEND_REJECTED', 'a backend must be an object');
  }
  for (const operation of OPERATIONS) {
    if (typeof backend[operation] !== 'function') {
      throw new CryptoError('CRYPTO_BACKEND_REJECTED', `the backend has no ${operation}()`);
    }
  }
  if (typeof backend.name !== 'string' || typeof backend.implementation !== 'string') {
    throw new CryptoError('CRYPTO_BACKEND_REJECTED', 'the backend must name itself');
  }
  let results: Record<string, boolean>;
  try {
    results = answers(backend);
  } catch (cause) {
    throw new CryptoError(
      'CRYPTO_BACKEND_REJECTED',
      `backend ${backend.name} threw on a known-answer test`,
      { cause },
    );
  }
  const failed = Object.entries(results)
    .filter(([, ok]) => !ok)
    .map(([test]) => test);
  if (failed.length > 0) {
    throw new CryptoError(
      'CRYPTO_BACKEND_REJECTED',
      `backend ${backend.name} fails known-answer tests: ${failed.join('; ')}`,
    );
  }
}
