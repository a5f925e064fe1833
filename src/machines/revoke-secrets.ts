import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { hash160 } from '../scripts/hash.js';

const LABEL = new TextEncoder().encode('picopayments/revoke-secret/');

/**
 * The payee's `index`-th revoke secret: HMAC-SHA256(seed, label || index). Deriving secrets from
 * a per-channel random seed keeps the machine deterministic (no randomness inside transitions)
 * while one revealed secret says nothing about the others.
 */
export function deriveRevokeSecret(
  seedHex: string,
  index: number,
): { secret: string; hash: string } {
  const message = new Uint8Array(LABEL.length + 4);
  message.set(LABEL, 0);
  new DataView(message.buffer).setUint32(LABEL.length, index, false);
  const secret = hmac(sha256, hexToBytes(seedHex), message);
  return { secret: bytesToHex(secret), hash: bytesToHex(hash160(secret)) };
}
