import { CryptoError } from './errors.js';
import { SCALAR_LENGTH } from './curve.js';

/** One DER INTEGER body of a non-negative value: minimal, with 00 only before a high bit. */
function derInteger(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const body = value.subarray(start);
  if (body[0]! & 0x80) {
    const padded = new Uint8Array(body.length + 1);
    padded.set(body, 1);
    return padded;
  }
  return body;
}

/**
 * The minimal DER encoding (BIP 66) of a 64-byte compact signature r || s, without sighash
 * byte. Encoding here, not in a backend, keeps the bytes identical whichever backend signed.
 */
export function compactToDer(compact: Uint8Array): Uint8Array {
  if (compact.length !== 2 * SCALAR_LENGTH) {
    throw new CryptoError('CRYPTO_INVALID_INPUT', 'a compact signature is 64 bytes');
  }
  const r = derInteger(compact.subarray(0, SCALAR_LENGTH));
  const s = derInteger(compact.subarray(SCALAR_LENGTH));
  const out = new Uint8Array(6 + r.length + s.length);
  out.set([0x30, 4 + r.length + s.length, 0x02, r.length]);
  out.set(r, 4);
  out.set([0x02, s.length], 4 + r.length);
  out.set(s, 6 + r.length);
  return out;
}

/** Copies a DER INTEGER body into a 32-byte slot of `out`; false when it is wider. */
function placeInteger(body: Uint8Array, out: Uint8Array, offset: number): boolean {
  let start = 0;
  while (start < body.length && body[start] === 0) start++;
  const digits = body.subarray(start);
  if (digits.length > SCALAR_LENGTH) return false;
  out.set(digits, offset + SCALAR_LENGTH - digits.length);
  return true;
}

/**
 * The compact form r || s of a DER signature whose structure has already been checked as
 * strict, or null when r or s does not fit 32 bytes. Bytes are copied, no bigint is built.
 */
export function derToCompactOrNull(der: Uint8Array): Uint8Array | null {
  const lenR = der[3]!;
  const lenS = der[5 + lenR]!;
  const out = new Uint8Array(2 * SCALAR_LENGTH);
  if (!placeInteger(der.subarray(4, 4 + lenR), out, 0)) return null;
  if (!placeInteger(der.subarray(6 + lenR, 6 + lenR + lenS), out, SCALAR_LENGTH)) return null;
  return out;
}

/**
 * The compact form r || s of a strict DER signature whose r and s are below 2^256.
 *
 * @throws {@link CryptoError} `CRYPTO_INVALID_INPUT` when r or s does not fit 32 bytes.
 */
export function derToCompact(der: Uint8Array): Uint8Array {
  const compact = derToCompactOrNull(der);
  if (!compact) throw new CryptoError('CRYPTO_INVALID_INPUT', 'r or s does not fit 32 bytes');
  return compact;
}
