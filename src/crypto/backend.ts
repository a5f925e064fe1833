/** Names of the secp256k1 backends the library knows how to load. */
export type Secp256k1BackendName = 'noble' | 'tiny-secp256k1' | 'native';

/**
 * The secp256k1 operations the engine needs, and nothing else. Every policy question (key
 * range, DER encoding, low-S, sighash type, lengths) is settled by the calling layer before a
 * backend is asked, so a backend only computes, and backends cannot disagree on policy.
 *
 * The layer guarantees these preconditions on every call:
 * - `privateKey` is 32 bytes and a scalar in [1, n-1];
 * - `hash` is 32 bytes;
 * - `publicKey` is 33 bytes starting with 02 or 03 (not necessarily on the curve);
 * - `signature` is 64 bytes, r || s big-endian, with r and s in [1, n-1] and s ≤ n/2.
 */
export interface Secp256k1Backend {
  /** Short name, e.g. `noble`. */
  readonly name: string;
  /** What actually computes, e.g. whether a native binding or a JS fallback was loaded. */
  readonly implementation: string;
  /** The 33-byte compressed public key of a private key. */
  publicKeyCreate(privateKey: Uint8Array): Uint8Array;
  /** Whether a compressed key encodes a point on the curve (x < p and x³ + 7 a square). */
  isPoint(publicKey: Uint8Array): boolean;
  /**
   * ECDSA over a 32-byte hash with the RFC 6979 nonce and no extra entropy, as 64 bytes r || s.
   * A high s is allowed here: the layer normalises it.
   */
  sign(hash: Uint8Array, privateKey: Uint8Array): Uint8Array;
  /** ECDSA verification of a compact signature; false (never a throw) when it does not verify. */
  verify(signature: Uint8Array, hash: Uint8Array, publicKey: Uint8Array): boolean;
}
