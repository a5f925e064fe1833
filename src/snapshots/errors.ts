import { PicopaymentsError } from '../errors.js';

/** Stable codes of {@link SnapshotError}, in the order the checks run. */
export type SnapshotErrorCode =
  /** The text exceeds the size limit (checked before parsing). */
  | 'SNAPSHOT_TOO_LARGE'
  /** The text is not valid JSON (truncated, garbled, empty). */
  | 'SNAPSHOT_NOT_JSON'
  /** The JSON is not a picopayments channel snapshot envelope. */
  | 'SNAPSHOT_FORMAT'
  /** The envelope names a format version this library does not read. */
  | 'SNAPSHOT_VERSION'
  /** The snapshot belongs to the other role (a payer snapshot restored as a payee, or back). */
  | 'SNAPSHOT_ROLE'
  /** The machine snapshot or its context does not match the schema (missing, extra, mistyped field). */
  | 'SNAPSHOT_SCHEMA'
  /** The state value names no state of the machine, or disagrees with the status or outcome. */
  | 'SNAPSHOT_STATE'
  /** A key is not a valid secp256k1 key, or a public key is not the one of its private key. */
  | 'SNAPSHOT_KEY_MISMATCH'
  /** A deposit or commit script is not the one built from the channel's keys, hashes and times. */
  | 'SNAPSHOT_SCRIPT_MISMATCH'
  /** A secret does not hash to its hash, or is not derived from the payee's revoke seed. */
  | 'SNAPSHOT_SECRET_MISMATCH'
  /** A commit transaction does not parse, spend the deposit, pay its amount or carry a valid payer signature. */
  | 'SNAPSHOT_COMMIT_INVALID'
  /** Amounts disagree: commit above the deposit, commits out of order, published amount not the commit's. */
  | 'SNAPSHOT_AMOUNT_INCONSISTENT'
  /** A record is inconsistent with the rest: terms, deposit, watches, broadcasts, published records, counters. */
  | 'SNAPSHOT_FIELD_INVALID';

/**
 * A persisted channel snapshot that was refused. Nothing was started from it. `path` is the
 * JSON Pointer (RFC 6901) of the first offending field in the envelope, e.g.
 * `/machine/context/activeCommits/1/rawTx`, or empty for the whole text.
 */
export class SnapshotError extends PicopaymentsError<SnapshotErrorCode> {
  /** JSON Pointer of the offending field; empty for the whole snapshot. */
  readonly path: string;

  constructor(code: SnapshotErrorCode, message: string, path = '') {
    super(code, path === '' ? message : `${path}: ${message}`);
    this.path = path;
  }
}
