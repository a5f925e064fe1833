import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** `RIPEMD160(SHA256(data))`: the 20-byte hash used for secrets, keys and P2SH. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/** Single SHA-256. */
export { sha256 };
