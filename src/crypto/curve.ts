/** secp256k1 group order n, written out so the policy layer depends on no backend. */
export const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** n / 2 (rounded down): the largest s of a low-S signature. */
export const HALF_CURVE_ORDER = CURVE_ORDER >> 1n;

/** Length of a private key, a hash and each half of a compact signature. */
export const SCALAR_LENGTH = 32;

/** Big-endian bytes as an unsigned integer. */
export function bytesToScalar(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** An integer below 2^256 as 32 big-endian bytes. */
export function scalarToBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(SCALAR_LENGTH);
  let rest = value;
  for (let i = SCALAR_LENGTH - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** n as 32 big-endian bytes. */
const ORDER_BYTES = scalarToBytes(CURVE_ORDER);
/** n / 2 as 32 big-endian bytes. */
const HALF_ORDER_BYTES = scalarToBytes(HALF_CURVE_ORDER);

/** Lexicographic (= numeric) order of two 32-byte big-endian values: -1, 0 or 1. */
function compare32(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < SCALAR_LENGTH; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

/**
 * Whether 32 big-endian bytes hold a scalar in [1, n-1]. Compared byte-wise: on the hot path
 * this is several times cheaper than building a bigint.
 */
export function isNonZeroScalarBytes(bytes: Uint8Array): boolean {
  if (bytes.length !== SCALAR_LENGTH || compare32(bytes, ORDER_BYTES) >= 0) return false;
  for (let i = 0; i < SCALAR_LENGTH; i++) if (bytes[i] !== 0) return true;
  return false;
}

/** Whether 32 big-endian bytes are at most n / 2 (the low half of s values). */
export function isLowScalarBytes(bytes: Uint8Array): boolean {
  return bytes.length === SCALAR_LENGTH && compare32(bytes, HALF_ORDER_BYTES) <= 0;
}
