import type { Database } from 'better-sqlite3';
import { StoreError } from './errors.js';

/**
 * Schema migrations of {@link SqliteStore}, applied in order; a database records each applied
 * version in `schema_version`. Never edit a released migration: add the next one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: snapshots and store metadata (the encryption header).
  `CREATE TABLE snapshots (
     key BLOB PRIMARY KEY NOT NULL,
     value BLOB NOT NULL,
     digest BLOB NOT NULL
   );
   CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);`,
  // 2: per-key append logs, and the position each snapshot has absorbed them to.
  `CREATE TABLE records (
     key BLOB NOT NULL,
     seq INTEGER NOT NULL,
     value BLOB NOT NULL,
     digest BLOB NOT NULL,
     PRIMARY KEY (key, seq)
   );
   CREATE TABLE log_heads (
     key BLOB PRIMARY KEY NOT NULL,
     base INTEGER NOT NULL,
     head INTEGER NOT NULL
   );`,
];

/** The schema version this library writes. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

function currentVersion(db: Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

function checkNotTooNew(version: number): void {
  if (version > SQLITE_SCHEMA_VERSION)
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `database schema version ${version}, this library knows up to ${SQLITE_SCHEMA_VERSION}`,
    );
}

/**
 * Brings the database to {@link SQLITE_SCHEMA_VERSION} in one transaction (all or nothing).
 *
 * @throws {@link StoreError} `STORE_SCHEMA_TOO_NEW` for a database of a newer release.
 */
export function migrateSqlite(db: Database): void {
  // Read first without a write lock, so that an up-to-date read-only database opens.
  checkNotTooNew(currentVersion(db));
  if (currentVersion(db) === SQLITE_SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = currentVersion(db);
    checkNotTooNew(version);
    if (version === 0)
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
      );
    const record = db.prepare(
      "INSERT INTO schema_version (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    );
    for (let v = version + 1; v <= SQLITE_SCHEMA_VERSION; v++) {
      db.exec(SQLITE_MIGRATIONS[v - 1]!);
      record.run(v);
    }
  }).immediate();
}
