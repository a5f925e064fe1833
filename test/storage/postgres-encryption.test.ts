import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PostgresStore } from '../../src/storage/postgres-store.js';
import { expectStoreError } from './conformance.js';
import { describePostgres } from './postgres-gate.js';
import { PG_REQUIRED, PG_URL, freshSchema, pgQuery, testEncryption } from './stores.js';

const schemas: string[] = [];

function open(schema: string, passphrase?: string): Promise<PostgresStore> {
  return PostgresStore.open({
    connectionString: PG_URL,
    schema,
    encryption: passphrase === undefined ? undefined : testEncryption(passphrase),
  });
}

/** A fresh schema, dropped after the file's tests. */
function schemaOfTest(): string {
  const schema = freshSchema();
  schemas.push(schema);
  return schema;
}

// A random secret per run, so that a match on disk can only come from this run's writes. Small
// values stay in the heap row uncompressed (TOAST starts at about 2 KB), so a plain write of it
// is found verbatim: the control below proves the scan can see one.
const secretOf = () => randomBytes(32).toString('hex');
const snapshotOf = (secret: string, i: number) =>
  JSON.stringify({ context: { privateKey: secret, spendSecret: `${secret}:${i}` } });

/** Every byte the server keeps for the test database: its heap files and the WAL. */
async function serverDiskBytes(): Promise<Buffer[] | string> {
  let dataDir: string;
  let dbOid: number;
  try {
    await pgQuery('CHECKPOINT');
    dataDir = (await pgQuery('SHOW data_directory')).rows[0].data_directory as string;
    dbOid = Number(
      (await pgQuery('SELECT oid FROM pg_database WHERE datname = current_database()')).rows[0].oid,
    );
    accessSync(join(dataDir, 'base', String(dbOid)), constants.R_OK);
  } catch (error) {
    return `the server's data directory cannot be read here (${String(error)})`;
  }
  const files: string[] = [];
  for (const dir of [join(dataDir, 'base', String(dbOid)), join(dataDir, 'pg_wal')])
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (statSync(file).isFile()) files.push(file);
    }
  return files.map((file) => readFileSync(file));
}

/** True when `needle` occurs in any of `chunks`. */
const foundIn = (chunks: readonly Buffer[], needle: string) =>
  chunks.some((chunk) => chunk.includes(needle));

/** The server's files, or null after saying why the test cannot look at them. */
async function diskOrSkip(): Promise<Buffer[] | null> {
  const disk = await serverDiskBytes();
  if (typeof disk !== 'string') return disk;
  // CI runs the server on this machine: there the scan must happen.
  if (PG_REQUIRED) throw new Error(`CI requires the on-disk scan, but ${disk}`);
  process.stdout.write(`[postgres] on-disk scan skipped: ${disk}\n`);
  return null;
}

describePostgres('PostgreSQL encryption at rest', () => {
  afterAll(async () => {
    for (const schema of schemas) await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  describe('PostgresStore (encrypted)', () => {
    test('a wrong passphrase is WRONG_PASSPHRASE, none is STORE_ENCRYPTED; nothing changes', async () => {
      const schema = schemaOfTest();
      const store = await open(schema, 'right');
      await store.save('ch', 'sealed state');
      await store.append('ch', 1, 'sealed record');
      await store.close();
      await expectStoreError(open(schema, 'wrong'), 'WRONG_PASSPHRASE');
      await expectStoreError(open(schema, 'right '), 'WRONG_PASSPHRASE');
      await expectStoreError(open(schema), 'STORE_ENCRYPTED');
      const again = await open(schema, 'right');
      expect(await again.load('ch')).toBe('sealed state');
      expect(await again.records('ch')).toEqual([{ seq: 1, data: 'sealed record' }]);
      await again.close();
    });

    test('a passphrase on a schema that already holds plaintext is STORE_NOT_ENCRYPTED', async () => {
      const schema = schemaOfTest();
      const plain = await open(schema);
      await plain.save('ch', 'in the clear');
      await plain.close();
      await expectStoreError(open(schema, 'late'), 'STORE_NOT_ENCRYPTED');
      const reopened = await open(schema);
      expect(await reopened.load('ch')).toBe('in the clear');
      await reopened.close();
    });

    test('control: a plain store does put the secret in the server files (so the next test can fail)', async () => {
      const secret = secretOf();
      const store = await open(schemaOfTest());
      await store.save('ch', snapshotOf(secret, 0));
      await store.close();
      const disk = await diskOrSkip();
      if (disk) expect(foundIn(disk, secret)).toBe(true);
    });

    test('the secret and the passphrase never reach the tables, the heap files or the WAL', async () => {
      const secret = secretOf();
      const passphrase = `passphrase-${secretOf()}`;
      const schema = schemaOfTest();
      const store = await open(schema, passphrase);
      for (let i = 0; i < 20; i++) await store.save(`ch${i % 4}`, snapshotOf(secret, i));
      for (let seq = 1; seq <= 5; seq++) await store.append('ch0', seq, snapshotOf(secret, seq));
      await store.compact('ch0', snapshotOf(secret, 99), 3);
      await store.close();
      // What any reader of the database sees: every stored byte of every table of the store.
      const { rows } = await pgQuery(
        `SELECT value AS bytes FROM "${schema}".snapshots UNION ALL
         SELECT value FROM "${schema}".records UNION ALL
         SELECT convert_to(value, 'UTF8') FROM "${schema}".meta`,
      );
      const stored = rows.map((r) => r.bytes as Buffer);
      expect(stored.length).toBeGreaterThan(4);
      expect(foundIn(stored, secret)).toBe(false);
      expect(foundIn(stored, passphrase)).toBe(false);
      const disk = await diskOrSkip();
      if (disk) {
        expect(foundIn(disk, secret)).toBe(false);
        expect(foundIn(disk, passphrase)).toBe(false);
      }
      const reopened = await open(schema, passphrase);
      expect(await reopened.load('ch3')).toBe(snapshotOf(secret, 19));
      expect(await reopened.records('ch0')).toEqual([
        { seq: 4, data: snapshotOf(secret, 4) },
        { seq: 5, data: snapshotOf(secret, 5) },
      ]);
      await reopened.close();
    });
  });
});
