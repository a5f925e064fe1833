import fc from 'fast-check';
import { concatBytes } from '../../src/bytes.js';
import { CURVE_ORDER, HALF_CURVE_ORDER } from '../../src/crypto/index.js';

/** The field prime p of secp256k1. */
export const FIELD_PRIME = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

/** An unsigned integer as big-endian bytes of exactly `length` bytes. */
export function intBytes(value: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** A minimal DER INTEGER of a non-negative value (any size), written independently of src. */
function derInt(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const body = Uint8Array.from(hex.match(/../g)!.map((b) => Number.parseInt(b, 16)));
  return concatBytes(Uint8Array.of(0x02, body.length), body);
}

/** A signature push: DER of (r, s) followed by a sighash byte. */
export function derPush(r: bigint, s: bigint, hashType = 0x01): Uint8Array {
  const body = concatBytes(derInt(r), derInt(s));
  return concatBytes(Uint8Array.of(0x30, body.length), body, Uint8Array.of(hashType));
}

/** Valid private-key scalars, edges included. */
export const validScalar = fc.oneof(
  fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }),
  fc.constantFrom(1n, 2n, CURVE_ORDER - 1n, CURVE_ORDER - 2n, HALF_CURVE_ORDER, 1n << 255n),
);

/** Valid private keys. */
export const validPrivateKey = validScalar.map((k) => intBytes(k));

/** 32-byte values that are not private keys: zero, n and above. */
export const outOfRangeKey = fc
  .oneof(
    fc.constantFrom(0n, CURVE_ORDER, CURVE_ORDER + 1n, (1n << 256n) - 1n),
    fc.bigInt({ min: CURVE_ORDER, max: (1n << 256n) - 1n }),
  )
  .map((k) => intBytes(k));

/** Byte strings of a length other than `length`. */
export function wrongLength(length: number): fc.Arbitrary<Uint8Array> {
  return fc
    .uint8Array({ minLength: 0, maxLength: 2 * length + 2 })
    .filter((b) => b.length !== length);
}

/** 32-byte hashes, including all-zero and values at or above n (reduced mod n by ECDSA). */
export const hash32 = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.constantFrom(
    new Uint8Array(32),
    new Uint8Array(32).fill(0xff),
    intBytes(CURVE_ORDER),
    intBytes(CURVE_ORDER + 5n),
  ),
);

/** 33-byte strings shaped like compressed keys, most of them hostile. */
export const candidatePublicKey = fc
  .oneof(
    // Random x with an 02/03 prefix: about half are on the curve.
    fc.tuple(fc.constantFrom(2, 3), fc.uint8Array({ minLength: 32, maxLength: 32 })),
    // x at or above p, and x = 0.
    fc.tuple(
      fc.constantFrom(2, 3),
      fc
        .oneof(
          fc.bigInt({ min: FIELD_PRIME, max: (1n << 256n) - 1n }),
          fc.constantFrom(0n, FIELD_PRIME, FIELD_PRIME + 7n),
        )
        .map((x) => intBytes(x)),
    ),
    // Prefixes that a compressed key never has.
    fc.tuple(
      fc.constantFrom(0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0xff),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
    ),
  )
  .map(([prefix, x]) => concatBytes(Uint8Array.of(prefix), x));
