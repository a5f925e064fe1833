import { PicopaymentsError } from '../errors.js';

/** Stable codes of {@link CryptoError}. */
export type CryptoErrorCode =
  /** The name given is not one of the known secp256k1 backends. */
  | 'CRYPTO_UNKNOWN_BACKEND'
  /** The optional package of the chosen backend is not installed. */
  | 'CRYPTO_BACKEND_NOT_INSTALLED'
  /** The package is there but could not be loaded (e.g. no native binary for this platform). */
  | 'CRYPTO_BACKEND_LOAD_FAILED'
  /** The backend lacks an operation or gave a wrong answer to a known-answer test. */
  | 'CRYPTO_BACKEND_REJECTED'
  /** The backend returned malformed output at run time (wrong length, scalar out of range). */
  | 'CRYPTO_BACKEND_FAULT'
  /** A key, hash or signature handed to the crypto layer has the wrong length or range. */
  | 'CRYPTO_INVALID_INPUT';

/** A secp256k1 backend that cannot be used, or bad input to the crypto layer. */
export class CryptoError extends PicopaymentsError<CryptoErrorCode> {
  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
