import type { PoolClient } from 'pg';
import { StoreError } from './errors.js';

/** Schema names accepted: plain lower-case SQL identifiers, quoted anyway. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The quoted schema identifier; `STORE_INVALID_OPTIONS` for anything but a plain name. */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema))
    throw new StoreError(
      'STORE_INVALID_OPTIONS',
      'schema must match [a-z_][a-z0-9_]* and be at most 63 characters',
    );
  return `"${schema}"`;
}

/**
 * Schema migrations of {@link PostgresStore}, in order (`$S` is the quoted schema). The same
 * tables as the SQLite store's migrations, in PostgreSQL types. Never edit a released one.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE $S.snapshots (key bytea PRIMARY KEY, value bytea NOT NULL, digest bytea NOT NULL);
   CREATE TABLE $S.meta (name text PRIMARY KEY, value text NOT NULL);`,
  `CREATE TABLE $S.records (
     key bytea NOT NULL, seq bigint NOT NULL, value bytea NOT NULL, digest bytea NOT NULL,
     PRIMARY KEY (key, seq));
   CREATE TABLE $S.log_heads (key bytea PRIMARY KEY, base bigint NOT NULL, head bigint NOT NULL);`,
];

/** The schema version this library writes. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

function checkNotTooNew(version: number): void {
  if (version > POSTGRES_SCHEMA_VERSION)
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `database schema version ${version}, this library knows up to ${POSTGRES_SCHEMA_VERSION}`,
    );
}

/**
 * Creates the schema when absent and applies pending migrations in one transaction, under an
 * advisory lock so that processes opening the store together migrate it once.
 */
export async function migratePostgres(
  client: PoolClient,
  quoted: string,
  lockId: readonly [number, number],
): Promise<void> {
  // Read first without writing, so that an up-to-date database opens on a read-only connection.
  const { rows: present } = await client.query<{ present: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [`${quoted}.schema_version`],
  );
  if (present[0]?.present) {
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT MAX(version) AS version FROM ${quoted}.schema_version`,
    );
    checkNotTooNew(rows[0]?.version ?? 0);
    if (rows[0]?.version === POSTGRES_SCHEMA_VERSION) return;
  }
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...lockId]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT MAX(version) AS version FROM ${quoted}.schema_version`,
    );
    const version = rows[0]?.version ?? 0;
    checkNotTooNew(version);
    for (let v = version + 1; v <= POSTGRES_SCHEMA_VERSION; v++) {
      await client.query(POSTGRES_MIGRATIONS[v - 1]!.replaceAll('$S', quoted));
      await client.query(`INSERT INTO ${quoted}.schema_version (version) VALUES ($1)`, [v]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
