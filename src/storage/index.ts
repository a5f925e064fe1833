/**
 * Durable stores for channel snapshots: SQLite (the default) and PostgreSQL, with group commit,
 * per-channel leases, per-key append logs and optional encryption at rest. The database drivers
 * are loaded on first open, so importing this module loads neither.
 *
 * @module
 */
export { StoreError, type StoreErrorCode } from './errors.js';
export type { LogRecord, LogStore } from './log-store.js';
export type { ChannelLease, LockOptions } from './leases.js';
export type { GroupCommitStats } from './group-commit.js';
export {
  DEFAULT_SCRYPT_PARAMS,
  SCRYPT_LIMITS,
  type EncryptionHeader,
  type ScryptParams,
} from './encryption-header.js';
export type { EncryptionOptions } from './snapshot-cipher.js';
export { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { POSTGRES_SCHEMA_VERSION } from './postgres-schema.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { DEFAULT_MAX_VALUE_BYTES, MAX_KEY_BYTES } from './encoding.js';
