import { PicopaymentsError } from '../errors.js';

/** Stable codes of {@link ScriptError}. */
export type ScriptErrorCode =
  /** The script ends inside a push or before the template is complete. */
  | 'SCRIPT_TRUNCATED'
  /** Bytes follow the last opcode of the template. */
  | 'SCRIPT_TRAILING_BYTES'
  /** An opcode or push differs from the template. */
  | 'SCRIPT_TEMPLATE_MISMATCH'
  /** Data pushed with a longer opcode than needed (violates MINIMALDATA). */
  | 'SCRIPT_NON_MINIMAL_PUSH'
  /** A script number is not in its shortest encoding. */
  | 'SCRIPT_NON_MINIMAL_NUMBER'
  /** A time is negative or above 65535. */
  | 'SCRIPT_NUMBER_OUT_OF_RANGE'
  /** A public key is not a valid 33-byte compressed secp256k1 point. */
  | 'SCRIPT_INVALID_PUBKEY'
  /** A secret hash is not 20 bytes. */
  | 'SCRIPT_INVALID_HASH_LENGTH'
  /** A secret is not 32 bytes. */
  | 'SCRIPT_INVALID_SECRET'
  /** A signature push is empty or longer than 73 bytes. */
  | 'SCRIPT_INVALID_SIGNATURE_PUSH'
  /** A script is larger than the consensus limit for its position. */
  | 'SCRIPT_TOO_LARGE'
  /** An unlocking script is not one of the five spend paths (or not for the given redeem script). */
  | 'UNLOCKING_SCRIPT_MISMATCH'
  /** An unknown network name was given for an address. */
  | 'UNKNOWN_NETWORK';

/** A script, script number, key, hash or secret that does not match the protocol's rules. */
export class ScriptError extends PicopaymentsError<ScriptErrorCode> {}
