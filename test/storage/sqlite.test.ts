import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '../../src/storage/sqlite-schema.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { expectStoreError } from './conformance.js';
import { removeDir, tempDir } from './stores.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = tempDir();
  path = join(dir, 'store.db');
});
afterEach(() => removeDir(dir));

/** Starts `sqlite-holder.ts` on `file` and resolves with its first line. */
function holder(file: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'sqlite-holder.ts'), file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const firstLine = new Promise<string>((resolve) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, firstLine, exited };
}

describe('SqliteStore', () => {
  test('WAL mode, synchronous FULL, and a schema version table with every migration', async () => {
    const store = await SqliteStore.open(path);
    await store.save('k', 'v');
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = db.prepare('SELECT version FROM schema_version ORDER BY version').all();
    expect(versions).toEqual(SQLITE_MIGRATIONS.map((_, i) => ({ version: i + 1 })));
    db.close();
  });

  test('a version-1 database is migrated in place and keeps its snapshots', async () => {
    const db = new Database(path);
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    db.exec(SQLITE_MIGRATIONS[0]!);
    db.prepare("INSERT INTO schema_version VALUES (1, 'then')").run();
    db.close();
    // Written through a store of this release, then the v2 tables dropped: a v1 database with data.
    const first = await SqliteStore.open(path);
    await first.save('old', 'snapshot from v1');
    await first.close();
    const raw = new Database(path);
    raw.exec(
      'DROP TABLE records; DROP TABLE log_heads; DELETE FROM schema_version WHERE version > 1',
    );
    raw.close();
    const store = await SqliteStore.open(path);
    expect(await store.load('old')).toBe('snapshot from v1');
    await store.append('old', 1, 'first record');
    expect(await store.records('old')).toEqual([{ seq: 1, data: 'first record' }]);
    await store.close();
  });

  test('a database of a newer schema is refused with STORE_SCHEMA_TOO_NEW', async () => {
    await (await SqliteStore.open(path)).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_version VALUES (?, 'later')").run(SQLITE_SCHEMA_VERSION + 1);
    db.close();
    await expectStoreError(SqliteStore.open(path), 'STORE_SCHEMA_TOO_NEW');
  });

  test('group commit: concurrent saves of many channels share few transactions, all durable', async () => {
    const store = await SqliteStore.open(path);
    const before = store.commitStats.batches;
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.save(`ch${i}`, `state ${i}`)));
    const stats = store.commitStats;
    expect(stats.operations).toBe(500);
    expect(stats.batches - before).toBeLessThanOrEqual(2);
    expect(stats.largestBatch).toBeGreaterThanOrEqual(250);
    await store.close();
    const reopened = await SqliteStore.open(path);
    for (let i = 0; i < 500; i++) expect(await reopened.load(`ch${i}`)).toBe(`state ${i}`);
    await reopened.close();
  });

  test('a file that is not a database is refused with STORE_CORRUPT', async () => {
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    await expectStoreError(SqliteStore.open(path), 'STORE_CORRUPT');
    writeFileSync(path, 'SQLite format 3\u0000 but nothing after it');
    await expectStoreError(SqliteStore.open(path), 'STORE_CORRUPT');
  });

  test('bytes damaged on disk fail with STORE_CORRUPT, not as a different snapshot', async () => {
    const store = await SqliteStore.open(path);
    const secret = 'deadbeef'.repeat(64);
    await store.save('ch', `{"secret":"${secret}"}`);
    await store.save('other', 'intact');
    await store.close();
    const bytes = readFileSync(path);
    const at = bytes.indexOf(Buffer.from(secret));
    expect(at).toBeGreaterThan(0);
    bytes[at + 100] = 'f'.charCodeAt(0);
    writeFileSync(path, bytes);
    const damaged = await SqliteStore.open(path);
    await expectStoreError(damaged.load('ch'), 'STORE_CORRUPT');
    expect(await damaged.load('other')).toBe('intact');
    await damaged.close();
  });

  test('a truncated database file fails typed, at open or at load', async () => {
    const store = await SqliteStore.open(path);
    for (let i = 0; i < 50; i++) await store.save(`k${i}`, 'x'.repeat(4000));
    await store.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const outcome = await SqliteStore.open(path).then(
      async (s) => {
        const codes = new Set<string>();
        for (let i = 0; i < 50; i++)
          await s.load(`k${i}`).then(
            (v) => expect(v === null || v === 'x'.repeat(4000)).toBe(true),
            (e: { code: string }) => codes.add(e.code),
          );
        await s.close().catch(() => undefined);
        return [...codes];
      },
      (e: { code: string }) => [e.code],
    );
    expect(outcome.length).toBeGreaterThan(0);
    expect(outcome.every((code) => code === 'STORE_CORRUPT')).toBe(true);
  });

  test('a full database (quota) fails only the write that does not fit, and changes nothing', async () => {
    const store = await SqliteStore.open(path, { maxDatabaseBytes: 256 * 1024 });
    await store.save('big', 'small at first');
    const results = await Promise.allSettled([
      store.save('a', 'fits'),
      store.save('big', 'y'.repeat(1024 * 1024)),
      store.save('b', 'fits too'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as { code: string }).code).toBe(
      'STORE_IO',
    );
    expect(await store.load('big')).toBe('small at first');
    expect(await store.load('a')).toBe('fits');
    expect(await store.load('b')).toBe('fits too');
    await store.close();
  });

  test('an oversized value is refused before any write', async () => {
    const store = await SqliteStore.open(path, { maxValueBytes: 1000 });
    await store.save('k', 'x'.repeat(1000));
    await expectStoreError(store.save('k', 'x'.repeat(1001)), 'STORE_INVALID_VALUE');
    await expectStoreError(store.save('k', '\u00e9'.repeat(501)), 'STORE_INVALID_VALUE');
    expect(await store.load('k')).toBe('x'.repeat(1000));
    await store.close();
    await expectStoreError(SqliteStore.open(path, { maxValueBytes: -1 }), 'STORE_INVALID_OPTIONS');
    await expectStoreError(SqliteStore.open(path, { busyTimeoutMs: 1.5 }), 'STORE_INVALID_OPTIONS');
    await expectStoreError(
      SqliteStore.open(path, { maxDatabaseBytes: Number.NaN }),
      'STORE_INVALID_OPTIONS',
    );
  });

  test('another process holding the database: STORE_LOCKED; free again once it is killed', async () => {
    const h = holder(path);
    expect(await h.firstLine).toBe('open');
    await expectStoreError(SqliteStore.open(path), 'STORE_LOCKED');
    const second = holder(path);
    expect(await second.firstLine).toBe('STORE_LOCKED');
    h.child.kill('SIGKILL');
    await h.exited;
    const store = await SqliteStore.open(path, { busyTimeoutMs: 2000 });
    expect(await store.load('held')).toBe('by the child');
    await store.close();
  });

  test('a missing file opened read-only is STORE_IO, not a new empty database', async () => {
    await expectStoreError(
      SqliteStore.open(join(dir, 'absent.db'), { readOnly: true }),
      'STORE_IO',
    );
    expect(existsSync(join(dir, 'absent.db'))).toBe(false);
  });
});
