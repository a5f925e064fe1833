import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { rowDigest } from '../../src/storage/encoding.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { SNAPSHOT_TAG } from '../../src/storage/write-operations.js';
import { expectStoreError } from './conformance.js';
import { TEST_KDF, removeDir, tempDir, testEncryption } from './stores.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = tempDir();
  path = join(dir, 'store.db');
});
afterEach(() => removeDir(dir));

/** Every byte SQLite keeps for the database: the file, its WAL and its shared-memory index. */
function diskBytes(): Buffer {
  return Buffer.concat(
    ['', '-wal', '-shm', '-journal'].map((suffix) =>
      existsSync(path + suffix) ? readFileSync(path + suffix) : Buffer.alloc(0),
    ),
  );
}

// What a payee snapshot holds in the clear today: a private key and revoke secrets in hex.
const SECRET = 'c0ffee5ec7e7'.repeat(5);
const snapshot = (i: number) =>
  JSON.stringify({ context: { privateKey: SECRET, revokeSecret: `${SECRET}${i}` } });

describe('encryption at rest', () => {
  test('control: a plain store does write the secret to disk (so the next test can fail)', async () => {
    const store = await SqliteStore.open(path);
    await store.save('ch', snapshot(0));
    expect(diskBytes().includes(SECRET)).toBe(true);
    await store.close();
  });

  test('the secret never reaches the database file or the WAL', async () => {
    const store = await SqliteStore.open(path, { encryption: testEncryption() });
    for (let i = 0; i < 50; i++) await store.save(`ch${i % 5}`, snapshot(i));
    await store.append('ch0', 1, snapshot(99));
    // While open (the WAL holds the latest pages) and after close (checkpointed into the file).
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(diskBytes().includes(SECRET)).toBe(false);
    expect(diskBytes().includes(Buffer.from(SECRET, 'utf16le'))).toBe(false);
    await store.close();
    expect(diskBytes().includes(SECRET)).toBe(false);
    // Neither is the passphrase: the header holds only the salt, the cost and a key check.
    expect(diskBytes().includes('correct horse battery staple')).toBe(false);
    const reopened = await SqliteStore.open(path, { encryption: testEncryption() });
    expect(await reopened.load('ch4')).toBe(snapshot(49));
    expect(await reopened.records('ch0')).toEqual([{ seq: 1, data: snapshot(99) }]);
    await reopened.close();
  });

  test('a wrong passphrase is WRONG_PASSPHRASE; no passphrase is STORE_ENCRYPTED', async () => {
    const store = await SqliteStore.open(path, { encryption: testEncryption('right') });
    await store.save('ch', snapshot(1));
    await store.close();
    await expectStoreError(
      SqliteStore.open(path, { encryption: testEncryption('wrong') }),
      'WRONG_PASSPHRASE',
    );
    await expectStoreError(
      SqliteStore.open(path, { encryption: testEncryption('right ') }),
      'WRONG_PASSPHRASE',
    );
    await expectStoreError(SqliteStore.open(path), 'STORE_ENCRYPTED');
    const ok = await SqliteStore.open(path, { encryption: testEncryption('right') });
    expect(await ok.load('ch')).toBe(snapshot(1));
    await ok.close();
  });

  test('passphrases are NFKC-normalised text, or raw bytes', async () => {
    const store = await SqliteStore.open(path, { encryption: testEncryption('caf\u00e9') });
    await store.save('ch', 'x');
    await store.close();
    const decomposed = await SqliteStore.open(path, { encryption: testEncryption('cafe\u0301') });
    expect(await decomposed.load('ch')).toBe('x');
    await decomposed.close();
    const bytes = await SqliteStore.open(path, {
      encryption: { passphrase: new TextEncoder().encode('caf\u00e9'), kdf: TEST_KDF },
    });
    expect(await bytes.load('ch')).toBe('x');
    await bytes.close();
    await expectStoreError(
      SqliteStore.open(path, { encryption: { passphrase: '' } }),
      'STORE_INVALID_OPTIONS',
    );
  });

  test('a passphrase on a database that already holds plaintext is STORE_NOT_ENCRYPTED', async () => {
    const store = await SqliteStore.open(path);
    await store.save('ch', snapshot(1));
    await store.close();
    await expectStoreError(
      SqliteStore.open(path, { encryption: testEncryption() }),
      'STORE_NOT_ENCRYPTED',
    );
  });

  test('out-of-range scrypt options are refused; a hostile header is STORE_CORRUPT, not a hang', async () => {
    for (const kdf of [
      { N: 1000, r: 8, p: 1 },
      { N: 2 ** 9, r: 8, p: 1 },
      { N: 2 ** 21, r: 8, p: 1 },
      { N: 2 ** 12, r: 0, p: 1 },
      { N: 2 ** 12, r: 8, p: 17 },
    ])
      await expectStoreError(
        SqliteStore.open(join(dir, `${kdf.N}-${kdf.r}-${kdf.p}.db`), {
          encryption: { passphrase: 'x', kdf },
        }),
        'STORE_INVALID_OPTIONS',
      );
    await (await SqliteStore.open(path, { encryption: testEncryption() })).close();
    const db = new Database(path);
    const header = JSON.parse(
      (db.prepare("SELECT value FROM meta WHERE name = 'encryption'").get() as { value: string })
        .value,
    );
    db.close();
    for (const hostile of [
      { ...header, kdf: { ...header.kdf, N: 2 ** 40 } },
      { ...header, version: 2 },
      { ...header, kdf: { ...header.kdf, salt: 'zz' } },
      { ...header, check: 'abcd' },
      'not json',
    ]) {
      const raw = new Database(path);
      raw
        .prepare("UPDATE meta SET value = ? WHERE name = 'encryption'")
        .run(typeof hostile === 'string' ? hostile : JSON.stringify(hostile));
      raw.close();
      await expectStoreError(
        SqliteStore.open(path, { encryption: testEncryption() }),
        'STORE_CORRUPT',
      );
    }
    db.close();
  });

  test('a sealed value moved to another key fails authentication (STORE_CORRUPT)', async () => {
    const store = await SqliteStore.open(path, { encryption: testEncryption() });
    await store.save('alice', snapshot(1));
    await store.save('bob', snapshot(2));
    await store.close();
    const db = new Database(path);
    const alice = db
      .prepare('SELECT value FROM snapshots WHERE key = ?')
      .get(Buffer.from('alice')) as {
      value: Buffer;
    };
    // Digest recomputed for the new key, so only the cipher's associated data can catch it.
    const bob = Buffer.from('bob');
    db.prepare('UPDATE snapshots SET value = ?, digest = ? WHERE key = ?').run(
      alice.value,
      rowDigest(SNAPSHOT_TAG, bob, alice.value),
      bob,
    );
    db.close();
    const reopened = await SqliteStore.open(path, { encryption: testEncryption() });
    expect(await reopened.load('alice')).toBe(snapshot(1));
    await expectStoreError(reopened.load('bob'), 'STORE_CORRUPT');
    await reopened.close();
  });

  test('the key is derived once per open, not per save', async () => {
    // At N = 2^15 one derivation costs tens of milliseconds; 200 saves must cost far less than
    // 200 derivations would.
    const kdf = { N: 2 ** 15, r: 8, p: 1 };
    const started = performance.now();
    const store = await SqliteStore.open(path, { encryption: { passphrase: 'p', kdf } });
    const openMs = performance.now() - started;
    const savesStarted = performance.now();
    for (let i = 0; i < 200; i++) await store.save(`ch${i % 10}`, snapshot(i));
    for (let i = 0; i < 10; i++) await store.load(`ch${i}`);
    const savesMs = performance.now() - savesStarted;
    await store.close();
    expect(savesMs).toBeLessThan(openMs * 20);
  });
});
