import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MemoryStore } from '../../src/runtime/store.js';
import { PostgresStore } from '../../src/storage/postgres-store.js';
import type { EncryptionOptions } from '../../src/storage/snapshot-cipher.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import type { StoreFactory } from './conformance.js';

/** Cheap scrypt cost for tests (the default costs about a second per open). */
export const TEST_KDF = { N: 2 ** 12, r: 8, p: 1 } as const;

/** Test encryption options under `passphrase`. */
export function testEncryption(passphrase = 'correct horse battery staple'): EncryptionOptions {
  return { passphrase, kdf: TEST_KDF };
}

/** A fresh temporary directory; remove it with {@link removeDir}. */
export function tempDir(prefix = 'picopayments-store-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory made by {@link tempDir}. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** MemoryStore, the embedded default. */
export const memoryFactory: StoreFactory = {
  name: 'MemoryStore',
  strict: false,
  capabilities: [],
  create: async () => ({ store: new MemoryStore(), dispose: async () => undefined }),
};

/** Flips the first stored byte of `key` with plain SQL, behind the store's back. */
function tamperSqlite(path: string, key: string): void {
  const db = new Database(path);
  const k = Buffer.from(key, 'utf8');
  const row = db.prepare('SELECT value FROM snapshots WHERE key = ?').get(k) as { value: Buffer };
  const damaged = Buffer.from(row.value);
  damaged[damaged.length >> 1]! ^= 0x01;
  db.prepare('UPDATE snapshots SET value = ? WHERE key = ?').run(damaged, k);
  db.close();
}

/** SqliteStore on a real file in a temporary directory, plain or encrypted. */
export function sqliteFactory(encryption?: EncryptionOptions): StoreFactory {
  return {
    name: encryption ? 'SqliteStore (encrypted)' : 'SqliteStore',
    strict: true,
    capabilities: ['reopen', 'readOnly', 'tamper', 'close', 'log', 'leases'],
    create: async () => {
      const dir = tempDir();
      const path = join(dir, 'store.db');
      const open: SqliteStore[] = [await SqliteStore.open(path, { encryption })];
      const closeAll = () => Promise.all(open.map((s) => s.close()));
      const reopen = async () => {
        await closeAll();
        open.push(await SqliteStore.open(path, { encryption }));
        return open[open.length - 1]!;
      };
      return {
        store: open[0]!,
        reopen,
        readOnly: async () => {
          await closeAll();
          open.push(await SqliteStore.open(path, { encryption, readOnly: true, exclusive: false }));
          return open[open.length - 1]!;
        },
        tamper: async (key) => {
          await closeAll();
          tamperSqlite(path, key);
          return reopen();
        },
        close: () => open[0]!.close(),
        dispose: async () => {
          await closeAll();
          removeDir(dir);
        },
      };
    },
  };
}

/** The PostgreSQL server the tests use, from `PICOPAYMENTS_PG_URL`. */
export const PG_URL = process.env.PICOPAYMENTS_PG_URL ?? '';

/** True when CI (or the caller) demands that the PostgreSQL suite runs. */
export const PG_REQUIRED =
  process.env.CI === '1' ||
  process.env.CI === 'true' ||
  process.env.PICOPAYMENTS_REQUIRE_PG === '1';

/** A fresh schema name, so that tests never see each other's tables. */
export function freshSchema(): string {
  return `pp_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Runs `sql` with a short-lived client of its own. */
export async function pgQuery(sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/** PostgresStore in a fresh schema, plain or encrypted. */
export function postgresFactory(encryption?: EncryptionOptions): StoreFactory {
  return {
    name: encryption ? 'PostgresStore (encrypted)' : 'PostgresStore',
    strict: true,
    capabilities: ['reopen', 'readOnly', 'tamper', 'close', 'log', 'leases'],
    create: async () => {
      const schema = freshSchema();
      const options = { connectionString: PG_URL, schema, encryption };
      const open: PostgresStore[] = [await PostgresStore.open(options)];
      const closeAll = () => Promise.all(open.map((s) => s.close()));
      const reopen = async () => {
        await closeAll();
        open.push(await PostgresStore.open(options));
        return open[open.length - 1]!;
      };
      return {
        store: open[0]!,
        reopen,
        readOnly: async () => {
          await closeAll();
          open.push(
            await PostgresStore.open({
              schema,
              encryption,
              connection: {
                connectionString: PG_URL,
                options: '-c default_transaction_read_only=on',
              },
            }),
          );
          return open[open.length - 1]!;
        },
        tamper: async (key) => {
          await pgQuery(
            `UPDATE "${schema}".snapshots SET value = overlay(value placing '\\x00'::bytea from 2 for 1) WHERE key = $1`,
            [Buffer.from(key, 'utf8')],
          );
          return open[0]!;
        },
        close: () => open[0]!.close(),
        dispose: async () => {
          await closeAll();
          await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
  };
}
