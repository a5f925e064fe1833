import { randomBytes } from '@noble/hashes/utils.js';
import { SCALAR_LENGTH, isNonZeroScalarBytes } from './curve.js';

/**
 * Whether `key` is a valid private key: 32 bytes, a scalar in [1, n-1]. Decided here, not by a
 * backend, so that every backend accepts exactly the same keys.
 */
export function isValidPrivateKey(key: Uint8Array): boolean {
  return key instanceof Uint8Array && isNonZeroScalarBytes(key);
}

/** A fresh private key from the platform CSPRNG (redrawn in the ~2^-128 case of 0 or ≥ n). */
export function randomPrivateKey(): Uint8Array {
  for (;;) {
    const key = randomBytes(SCALAR_LENGTH);
    if (isValidPrivateKey(key)) return key;
  }
}
