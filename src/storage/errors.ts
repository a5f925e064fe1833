import { PicopaymentsError } from '../errors.js';

/** Codes of {@link StoreError}. */
export type StoreErrorCode =
  /** The database could not be read or written (disk full, read-only, connection lost). */
  | 'STORE_IO'
  /** Stored bytes fail their integrity check, or the file is not a database of ours. */
  | 'STORE_CORRUPT'
  /** Another process or lease holds the database or the channel. */
  | 'STORE_LOCKED'
  /** The store was closed; nothing more is read or written. */
  | 'STORE_CLOSED'
  /** The passphrase does not open this store's encryption header. */
  | 'WRONG_PASSPHRASE'
  /** A key the store cannot hold exactly (not a string, not well-formed UTF-16, too long). */
  | 'STORE_INVALID_KEY'
  /** A value the store cannot hold exactly (not a string, not well-formed UTF-16, too large). */
  | 'STORE_INVALID_VALUE'
  /** Options out of their allowed range (e.g. scrypt parameters, a schema name). */
  | 'STORE_INVALID_OPTIONS'
  /** The database was written by a newer schema version than this library knows. */
  | 'STORE_SCHEMA_TOO_NEW'
  /** An append or compaction out of sequence (another writer got there first, or a gap). */
  | 'STORE_CONFLICT'
  /** The database is encrypted and was opened without a passphrase. */
  | 'STORE_ENCRYPTED'
  /** A passphrase was given but the database already holds unencrypted values. */
  | 'STORE_NOT_ENCRYPTED';

/**
 * A store refused an operation or failed to carry it out. Whatever the code, a refused write
 * changed nothing: the previous value of every key involved is still what `load` returns.
 */
export class StoreError extends PicopaymentsError<StoreErrorCode> {
  /** The underlying driver error, when there is one (for logs; its shape is the driver's). */
  readonly driverError: unknown;

  constructor(code: StoreErrorCode, message: string, driverError?: unknown) {
    super(code, message);
    this.driverError = driverError;
  }
}
