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

/** Whether `value` lies in [1, n-1]. */
export function isNonZeroScalar(value: bigint): boolean {
  return value > 0n && value < CURVE_ORDER;
}
