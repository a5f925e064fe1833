import { PicopaymentsError } from '../errors.js';

/** Codes of {@link ManagerError}. */
export type ManagerErrorCode =
  /** An incoming text is not a valid protocol message (its `cause` is the `MessageError`). */
  | 'MESSAGE_MALFORMED'
  /** No channel of this manager has the id (a message's `channelId`, or a command's). */
  | 'UNKNOWN_CHANNEL'
  /** A channel with this id already exists in this manager. */
  | 'CHANNEL_EXISTS'
  /** The command needs the other role (e.g. `pay` on a payee channel). */
  | 'WRONG_ROLE'
  /** `forget` on a channel that has not reached a final state. */
  | 'CHANNEL_NOT_DONE'
  /** The channel index in the store is not a valid index text. */
  | 'INDEX_CORRUPT'
  /** Loading or saving the channel index failed. */
  | 'INDEX_STORE_FAILED'
  /** A channel listed in the index could not be restored from its snapshot. */
  | 'RESTORE_FAILED'
  /** Handing a channel's watches to the chain failed; retried after the channel's next step. */
  | 'WATCH_FAILED'
  /** A channel's sync took longer than `syncTimeoutMs`; the follower went on without it. */
  | 'SYNC_TIMEOUT'
  /** An unexpected error in one channel's step; the channel is retried at the next block. */
  | 'CHANNEL_FAILED'
  /** The chain could not report its relay policy when a channel was opened; nothing was recorded. */
  | 'RELAY_POLICY_FAILED'
  /** The manager was stopped. */
  | 'MANAGER_STOPPED'
  /** A manager option is outside its domain. */
  | 'INVALID_OPTIONS';

/** A refusal or failure of the {@link ChannelManager}; nothing changed unless the code says so. */
export class ManagerError extends PicopaymentsError<ManagerErrorCode> {
  /** The underlying error, when there is one. */
  override readonly cause: unknown;

  constructor(code: ManagerErrorCode, message: string, cause?: unknown) {
    super(code, message);
    this.cause = cause;
  }
}
