import { bytesToHex, hexToBytes } from '../bytes.js';
import { StoreError } from './errors.js';

/** scrypt cost parameters (RFC 7914). */
export interface ScryptParams {
  /** CPU and memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
}

/**
 * Default scrypt cost for new stores: 2^17 × 8 × 128 B = 128 MiB of memory, about a second in
 * JavaScript. Paid once per open, never per write.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/** Bounds on scrypt parameters, for options and for headers read back (a hostile header must not exhaust memory). */
export const SCRYPT_LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16, maxMemory: 1024 ** 3 };

/** Version 1 of the encryption header, stored once per database as JSON text. */
export interface EncryptionHeader {
  readonly format: 'picopayments-store-encryption';
  readonly version: 1;
  readonly kdf: { readonly name: 'scrypt'; readonly salt: Uint8Array } & ScryptParams;
  readonly aead: 'xchacha20poly1305';
  /** A known text sealed under the derived key: opens only with the right passphrase. */
  readonly check: Uint8Array;
}

/** Throws `code` unless the parameters are within {@link SCRYPT_LIMITS}. */
export function checkScryptParams(
  params: ScryptParams,
  code: 'STORE_INVALID_OPTIONS' | 'STORE_CORRUPT',
): ScryptParams {
  const { N, r, p } = params;
  const logN = Math.log2(N);
  const ok =
    Number.isInteger(logN) &&
    logN >= SCRYPT_LIMITS.minLogN &&
    logN <= SCRYPT_LIMITS.maxLogN &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= SCRYPT_LIMITS.maxR &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= SCRYPT_LIMITS.maxP &&
    128 * N * r <= SCRYPT_LIMITS.maxMemory;
  if (!ok)
    throw new StoreError(
      code,
      `scrypt parameters out of range (N a power of two 2^${SCRYPT_LIMITS.minLogN}..2^${SCRYPT_LIMITS.maxLogN}, r 1..${SCRYPT_LIMITS.maxR}, p 1..${SCRYPT_LIMITS.maxP}, at most 1 GiB)`,
    );
  return { N, r, p };
}

/** The header as JSON text. */
export function encodeHeader(header: EncryptionHeader): string {
  return JSON.stringify({
    format: header.format,
    version: header.version,
    kdf: { ...header.kdf, salt: bytesToHex(header.kdf.salt) },
    aead: header.aead,
    check: bytesToHex(header.check),
  });
}

function corrupt(reason: string): StoreError {
  return new StoreError('STORE_CORRUPT', `encryption header: ${reason}`);
}

/** Parses and checks a stored header; anything unexpected is `STORE_CORRUPT`. */
export function decodeHeader(text: string): EncryptionHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  const h = raw as Record<string, unknown>;
  if (typeof h !== 'object' || h === null || h.format !== 'picopayments-store-encryption')
    throw corrupt('unknown format');
  if (h.version !== 1) throw corrupt(`unsupported version ${String(h.version)}`);
  if (h.aead !== 'xchacha20poly1305') throw corrupt('unknown cipher');
  const kdf = h.kdf as Record<string, unknown> | null;
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt')
    throw corrupt('unknown KDF');
  const params = checkScryptParams(
    { N: Number(kdf.N), r: Number(kdf.r), p: Number(kdf.p) },
    'STORE_CORRUPT',
  );
  const salt = hexField(kdf.salt, 'salt');
  const check = hexField(h.check, 'check');
  if (salt.length < 16 || salt.length > 64) throw corrupt('salt length');
  // version byte, 24-byte nonce, 16-byte tag, and a short text: anything else is damage.
  if (check.length < 41 || check.length > 1024) throw corrupt('check length');
  return {
    format: 'picopayments-store-encryption',
    version: 1,
    kdf: { name: 'scrypt', salt, ...params },
    aead: 'xchacha20poly1305',
    check,
  };
}

function hexField(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string') throw corrupt(`${name} missing`);
  try {
    return hexToBytes(value);
  } catch {
    throw corrupt(`${name} is not hex`);
  }
}
