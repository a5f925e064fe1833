import { isValidPublicKey } from '../crypto/ecdsa.js';
import { ScriptError } from './errors.js';

/** Length of a compressed SEC public key. */
export const PUBKEY_LENGTH = 33;
/** Length of a secret hash (HASH160). */
export const HASH160_LENGTH = 20;
/** Length of a spend or revoke secret. */
export const SECRET_LENGTH = 32;

/**
 * Checks that `key` is a 33-byte compressed secp256k1 public key on the curve.
 *
 * @throws {@link ScriptError} `SCRIPT_INVALID_PUBKEY` otherwise (uncompressed keys included).
 */
export function assertCompressedPubkey(key: Uint8Array, name = 'public key'): void {
  if (!(key instanceof Uint8Array) || key.length !== PUBKEY_LENGTH) {
    throw new ScriptError('SCRIPT_INVALID_PUBKEY', `${name} must be 33 bytes (compressed SEC)`);
  }
  if (key[0] !== 0x02 && key[0] !== 0x03) {
    throw new ScriptError('SCRIPT_INVALID_PUBKEY', `${name} must start with 02 or 03`);
  }
  // The active secp256k1 backend decides, remembering keys already found on the curve.
  if (!isValidPublicKey(key)) {
    throw new ScriptError('SCRIPT_INVALID_PUBKEY', `${name} is not a point on secp256k1`);
  }
}

/**
 * Checks that `hash` is a 20-byte HASH160.
 *
 * @throws {@link ScriptError} `SCRIPT_INVALID_HASH_LENGTH` otherwise.
 */
export function assertHash160(hash: Uint8Array, name = 'secret hash'): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH160_LENGTH) {
    throw new ScriptError('SCRIPT_INVALID_HASH_LENGTH', `${name} must be 20 bytes`);
  }
}

/**
 * Checks that `secret` is 32 bytes.
 *
 * @throws {@link ScriptError} `SCRIPT_INVALID_SECRET` otherwise.
 */
export function assertSecret(secret: Uint8Array, name = 'secret'): void {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_LENGTH) {
    throw new ScriptError('SCRIPT_INVALID_SECRET', `${name} must be 32 bytes`);
  }
}
