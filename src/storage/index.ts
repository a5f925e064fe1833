/**
 * Durable stores for channel snapshots: SQLite (the default) and PostgreSQL, with group commit,
 * per-channel leases, per-key append logs and optional encryption at rest.
 *
 * @module
 */
export * from './errors.js';
export * from './log-store.js';
export * from './leases.js';
export * from './group-commit.js';
export * from './encryption-header.js';
export * from './snapshot-cipher.js';
export * from './sqlite-schema.js';
export * from './sqlite-store.js';
export * from './postgres-schema.js';
export * from './postgres-store.js';
export { MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES } from './encoding.js';
