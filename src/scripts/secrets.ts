import { randomBytes } from '@noble/hashes/utils.js';
import { hash160 } from './hash.js';
import { SECRET_LENGTH, assertSecret } from './keys.js';

/** A 32-byte secret from the platform CSPRNG (`crypto.getRandomValues`). */
export function generateSecret(): Uint8Array {
  return randomBytes(SECRET_LENGTH);
}

/**
 * `HASH160(secret)`, the form in which a spend or revoke secret appears in scripts.
 *
 * @throws {@link ScriptError} `SCRIPT_INVALID_SECRET` when `secret` is not 32 bytes.
 */
export function secretHash(secret: Uint8Array): Uint8Array {
  assertSecret(secret);
  return hash160(secret);
}
