/**
 * Base class of every error the library throws on bad input or a refused operation.
 *
 * Each error carries a stable machine-readable `code` (never reworded between releases) so that
 * embedders can branch on it, and a human-readable message for logs.
 */
export class PicopaymentsError<Code extends string = string> extends Error {
  /** Stable identifier of the failure, e.g. `SCRIPT_TEMPLATE_MISMATCH`. */
  readonly code: Code;

  constructor(code: Code, message: string) {
    super(`${code}: ${message}`);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Codes of {@link EncodingError}. */
export type EncodingErrorCode = 'INVALID_HEX' | 'INVALID_LENGTH';

/** Malformed hex or a byte string of the wrong length at a JSON edge. */
export class EncodingError extends PicopaymentsError<EncodingErrorCode> {}
