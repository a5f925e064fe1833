import { PicopaymentsError } from '../errors.js';

/** Stable codes of {@link MessageError}. */
export type MessageErrorCode =
  /** The text is not valid JSON, or an already-parsed value holds something JSON cannot carry. */
  | 'MESSAGE_NOT_JSON'
  /** The raw text (or the JSON form of an already-parsed value) exceeds 256 KiB. */
  | 'MESSAGE_TOO_LARGE'
  /** The top-level value is not a plain JSON object (array, null, number, string, ...). */
  | 'MESSAGE_NOT_OBJECT'
  /** `protocol` is missing or is not `picopayments/1`. */
  | 'MESSAGE_UNKNOWN_PROTOCOL'
  /** `type` is missing or names no message of the protocol. */
  | 'MESSAGE_UNKNOWN_TYPE'
  /** The message does not match its schema (missing, extra, mistyped or malformed field). */
  | 'MESSAGE_SCHEMA_VIOLATION'
  /** The message matches its schema but a field is semantically invalid. */
  | 'MESSAGE_INVALID_FIELD';

/**
 * A wire message that was refused. `path` is the JSON Pointer of the first offending field
 * (empty for the whole message) when one can be named.
 */
export class MessageError extends PicopaymentsError<MessageErrorCode> {
  /** JSON Pointer (RFC 6901) of the offending field, e.g. `/expireTime/min`. */
  readonly path: string;

  constructor(code: MessageErrorCode, message: string, path = '') {
    super(code, path === '' ? message : `${path}: ${message}`);
    this.path = path;
  }
}
