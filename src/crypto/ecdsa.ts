import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../bytes.js';
import type { Secp256k1Backend } from './backend.js';
import {
  CURVE_ORDER,
  SCALAR_LENGTH,
  bytesToScalar,
  isLowScalarBytes,
  isNonZeroScalarBytes,
  scalarToBytes,
} from './curve.js';
import { CryptoError } from './errors.js';
import { isValidPrivateKey } from './private-keys.js';
import { activeSecp256k1Backend } from './selection.js';

/** Length of a compressed SEC public key. */
const COMPRESSED_KEY_LENGTH = 33;
const COMPACT_LENGTH = 2 * SCALAR_LENGTH;

function assertHash(hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.length !== SCALAR_LENGTH) {
    throw new CryptoError('CRYPTO_INVALID_INPUT', 'a signature hash is 32 bytes');
  }
}

function assertPrivateKeyInput(privateKey: Uint8Array): void {
  if (!isValidPrivateKey(privateKey)) {
    throw new CryptoError('CRYPTO_INVALID_INPUT', 'a private key is a 32-byte scalar in [1, n-1]');
  }
}

/**
 * `hash` reduced modulo n, as RFC 6979 (bits2octets) feeds it to the nonce derivation. ECDSA
 * itself uses h mod n, so the signature's meaning is unchanged; reducing here makes backends
 * whose nonce code skips the reduction (the `secp256k1` package's bundled libsecp256k1 does)
 * give the same bytes as the others for the rare hash at or above n.
 */
function reducedHash(hash: Uint8Array): Uint8Array {
  // Cheap exit for all but ~2^-128 of hashes (a hash starting ff is not 0, so this is exact).
  if (hash[0] !== 0xff || isNonZeroScalarBytes(hash)) return hash;
  return scalarToBytes(bytesToScalar(hash) - CURVE_ORDER);
}

function hasCompressedShape(key: Uint8Array): boolean {
  return (
    key instanceof Uint8Array &&
    key.length === COMPRESSED_KEY_LENGTH &&
    (key[0] === 0x02 || key[0] === 0x03)
  );
}

/**
 * Public keys derived lately, by SHA-256 of their private key: a channel checks its own key
 * against the deposit script at every commit it signs, a base-point multiplication each time.
 */
const derived = new Map<string, Uint8Array>();
const DERIVED_LIMIT = 1024;
let derivedBackend: Secp256k1Backend | undefined;

/**
 * The compressed public key of a private key, computed by the active backend.
 *
 * @throws {@link CryptoError} `CRYPTO_INVALID_INPUT` for a bad key, `CRYPTO_BACKEND_FAULT` when
 * the backend's answer is not a compressed key.
 */
export function derivePublicKey(privateKey: Uint8Array): Uint8Array {
  assertPrivateKeyInput(privateKey);
  const backend = activeSecp256k1Backend();
  if (derivedBackend !== backend) {
    derived.clear();
    derivedBackend = backend;
  }
  // Keyed by a hash of the private key: the memo holds no secret, only public keys.
  const id = bytesToHex(sha256(privateKey));
  const known = derived.get(id);
  if (known) return Uint8Array.from(known);
  const publicKey = backend.publicKeyCreate(privateKey);
  if (!hasCompressedShape(publicKey)) {
    throw new CryptoError('CRYPTO_BACKEND_FAULT', 'the backend derived no compressed key');
  }
  if (derived.size >= DERIVED_LIMIT) derived.delete(derived.keys().next().value!);
  derived.set(id, Uint8Array.from(publicKey));
  return publicKey;
}

/**
 * Compressed keys (hex) already found on the curve, by the backend that found them. Decoding
 * a compressed point costs a square root modulo p, and a channel's few keys are checked on
 * every script parse and build; the answer for given bytes never changes, so it is remembered
 * (bounded: cleared when full, and when another backend is selected).
 */
const keysOnCurve = new Set<string>();
const KEYS_ON_CURVE_LIMIT = 1024;
let keysOnCurveBackend: Secp256k1Backend | undefined;
/**
 * The last few keys found on the curve (copies), compared byte by byte before the set is
 * consulted: a channel step checks the same two or three keys a dozen times, and 33 bytes compare
 * faster than they encode as a set key.
 */
const recentKeys: Uint8Array[] = [];
const RECENT_KEYS = 8;

function isRecent(key: Uint8Array): boolean {
  for (const recent of recentKeys) {
    let i = 0;
    while (i < 33 && recent[i] === key[i]) i++;
    if (i === 33) return true;
  }
  return false;
}

/** Whether `key` is a 33-byte compressed SEC public key of a point on secp256k1. */
export function isValidPublicKey(key: Uint8Array): boolean {
  if (!hasCompressedShape(key)) return false;
  const backend = activeSecp256k1Backend();
  if (keysOnCurveBackend !== backend) {
    keysOnCurve.clear();
    recentKeys.length = 0;
    keysOnCurveBackend = backend;
  }
  if (isRecent(key)) return true;
  const hex = bytesToHex(key);
  if (!keysOnCurve.has(hex)) {
    if (!backend.isPoint(key)) return false;
    if (keysOnCurve.size >= KEYS_ON_CURVE_LIMIT) keysOnCurve.clear();
    keysOnCurve.add(hex);
  }
  recentKeys.unshift(Uint8Array.from(key));
  if (recentKeys.length > RECENT_KEYS) recentKeys.pop();
  return true;
}

/**
 * Deterministic (RFC 6979) ECDSA signature of a 32-byte hash by the active backend, as 64
 * bytes r || s with s normalised to the low half (and the hash reduced modulo n first).
 *
 * @throws {@link CryptoError} `CRYPTO_INVALID_INPUT` for a bad hash or key,
 * `CRYPTO_BACKEND_FAULT` for a malformed answer of the backend.
 */
export function signDigest(hash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  assertHash(hash);
  assertPrivateKeyInput(privateKey);
  const compact = activeSecp256k1Backend().sign(reducedHash(hash), privateKey);
  if (!(compact instanceof Uint8Array) || compact.length !== COMPACT_LENGTH) {
    throw new CryptoError('CRYPTO_BACKEND_FAULT', 'the backend signature is not 64 bytes');
  }
  const sBytes = compact.subarray(SCALAR_LENGTH);
  if (!isNonZeroScalarBytes(compact.subarray(0, SCALAR_LENGTH)) || !isNonZeroScalarBytes(sBytes)) {
    throw new CryptoError('CRYPTO_BACKEND_FAULT', 'the backend signature has r or s out of range');
  }
  if (isLowScalarBytes(sBytes)) return Uint8Array.from(compact);
  const low = new Uint8Array(COMPACT_LENGTH);
  low.set(compact.subarray(0, SCALAR_LENGTH), 0);
  low.set(scalarToBytes(CURVE_ORDER - bytesToScalar(sBytes)), SCALAR_LENGTH);
  return low;
}

/**
 * Verifies a compact signature r || s over a 32-byte hash with the active backend. Only a
 * signature with r, s in [1, n-1] and a low s, under a compressed key, can verify: the
 * backend is asked nothing outside that domain, so backends cannot differ on it.
 *
 * @throws {@link CryptoError} `CRYPTO_INVALID_INPUT` when the hash is not 32 bytes or the
 * signature not 64.
 */
export function verifyDigest(
  signature: Uint8Array,
  hash: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  assertHash(hash);
  if (!(signature instanceof Uint8Array) || signature.length !== COMPACT_LENGTH) {
    throw new CryptoError('CRYPTO_INVALID_INPUT', 'a compact signature is 64 bytes');
  }
  const s = signature.subarray(SCALAR_LENGTH);
  const r = signature.subarray(0, SCALAR_LENGTH);
  if (!isNonZeroScalarBytes(r) || !isNonZeroScalarBytes(s) || !isLowScalarBytes(s)) return false;
  if (!hasCompressedShape(publicKey)) return false;
  return activeSecp256k1Backend().verify(signature, reducedHash(hash), publicKey) === true;
}
