import type Database from 'better-sqlite3';
import { DEFAULT_MAX_VALUE_BYTES, encodeKey } from './encoding.js';
import { StoreError } from './errors.js';
import { type BatchOutcome, GroupCommit, type GroupCommitStats } from './group-commit.js';
import { type ChannelLease, LeaseTable, type LockOptions, waitMsOf } from './leases.js';
import type { StoreWrite } from '../runtime/store.js';
import type { LogRecord, LogStore, LogWrite } from './log-store.js';
import type { EncryptionOptions } from './snapshot-cipher.js';
import { fromSqliteError } from './sqlite-errors.js';
import { migrateSqlite } from './sqlite-schema.js';
import { type ValueCodec, openCodec } from './value-codec.js';
import {
  type WriteOperation,
  appendConflict,
  compactConflict,
  encodeGroup,
  encodeWrite,
  savesOf,
} from './write-operations.js';

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Encrypt every value at rest under this passphrase (see {@link EncryptionOptions}). */
  readonly encryption?: EncryptionOptions;
  /**
   * Open for reading only: every write is refused with `STORE_IO`. Combine with
   * `exclusive: false` unless writers are to be kept out while it is open.
   */
  readonly readOnly?: boolean;
  /**
   * Hold the database file's lock for as long as the store is open (default true), so that no
   * other process can write, or advance a channel, while this one runs. The lock dies with the
   * process, so a restart after a crash finds the file free.
   */
  readonly exclusive?: boolean;
  /** Milliseconds to wait for another connection's lock before `STORE_LOCKED` (default 0). */
  readonly busyTimeoutMs?: number;
  /** Largest value accepted, in UTF-8 bytes (default 256 MiB). */
  readonly maxValueBytes?: number;
  /** Quota on the database file; a write that would exceed it fails with `STORE_IO`. */
  readonly maxDatabaseBytes?: number;
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  return {
    load: db.prepare('SELECT value, digest FROM snapshots WHERE key = ?'),
    save: db.prepare(
      'INSERT INTO snapshots (key, value, digest) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, digest = excluded.digest',
    ),
    head: db.prepare('SELECT base, head FROM log_heads WHERE key = ?'),
    setHead: db.prepare(
      'INSERT INTO log_heads (key, base, head) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET base = excluded.base, head = excluded.head',
    ),
    append: db.prepare('INSERT INTO records (key, seq, value, digest) VALUES (?, ?, ?, ?)'),
    records: db.prepare('SELECT seq, value, digest FROM records WHERE key = ? ORDER BY seq'),
    dropRecords: db.prepare('DELETE FROM records WHERE key = ? AND seq <= ?'),
    deleteSnapshot: db.prepare('DELETE FROM snapshots WHERE key = ?'),
    deleteRecords: db.prepare('DELETE FROM records WHERE key = ?'),
    deleteHead: db.prepare('DELETE FROM log_heads WHERE key = ?'),
    readMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
    insertMeta: db.prepare(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    ),
    anyValue: db.prepare(
      'SELECT EXISTS (SELECT 1 FROM snapshots) OR EXISTS (SELECT 1 FROM records) AS any',
    ),
  };
}

const ENCRYPTION_META = 'encryption';

type DatabaseConstructor = typeof Database;
let driver: DatabaseConstructor | null = null;

/** The native driver is loaded on first open, so that importing this module costs nothing. */
async function loadDriver(): Promise<DatabaseConstructor> {
  if (driver) return driver;
  try {
    const mod = (await import('better-sqlite3')) as { default?: DatabaseConstructor };
    driver = (mod.default ?? mod) as DatabaseConstructor;
    return driver;
  } catch (error) {
    throw new StoreError('STORE_IO', 'SqliteStore needs the `better-sqlite3` package', error);
  }
}

/**
 * A {@link LogStore} in one SQLite file (better-sqlite3), in WAL mode.
 *
 * Every write is durable before its promise resolves. Writes from many channels that arrive
 * together (in one turn of the event loop, or while a batch is being written) are committed in
 * one transaction, so they share one sync to disk (group commit).
 */
export class SqliteStore implements LogStore {
  private closed = false;
  private readonly leases = new LeaseTable();
  private readonly group: GroupCommit<WriteOperation, void>;

  private constructor(
    private readonly db: Database.Database,
    private readonly sql: Statements,
    private readonly codec: ValueCodec,
    /** The database file. */
    readonly path: string,
  ) {
    this.group = new GroupCommit((batch) => this.commit(batch));
  }

  /**
   * Opens (creating when absent, unless read-only) the database at `path` and brings its schema
   * up to date.
   *
   * @throws {@link StoreError} `STORE_CORRUPT` (not a database), `STORE_LOCKED` (another process
   *   holds it), `STORE_IO`, `STORE_SCHEMA_TOO_NEW`, `STORE_ENCRYPTED`, `WRONG_PASSPHRASE`, …
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    if (!Number.isSafeInteger(maxValueBytes) || maxValueBytes < 0)
      throw new StoreError('STORE_INVALID_OPTIONS', 'maxValueBytes must be a non-negative integer');
    for (const [name, value] of [
      ['busyTimeoutMs', options.busyTimeoutMs],
      ['maxDatabaseBytes', options.maxDatabaseBytes],
    ] as const)
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0))
        throw new StoreError('STORE_INVALID_OPTIONS', `${name} must be a non-negative integer`);
    const Driver = await loadDriver();
    let db: Database.Database;
    try {
      db = new Driver(path, {
        readonly: options.readOnly ?? false,
        fileMustExist: options.readOnly ?? false,
        timeout: options.busyTimeoutMs ?? 0,
      });
    } catch (error) {
      throw fromSqliteError(error, `opening ${path}`);
    }
    try {
      if (options.exclusive ?? true) {
        // Before the first access: in WAL mode this also keeps the WAL index in process memory.
        db.pragma('locking_mode = EXCLUSIVE');
      }
      if (!options.readOnly) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal')
          throw new StoreError('STORE_IO', `journal mode ${String(mode)}, not WAL`);
      }
      // FULL: in WAL mode every commit syncs the WAL, so a committed batch survives power loss,
      // not only a process crash (NORMAL would sync only at checkpoints). Group commit pays
      // this sync once per batch, not once per channel.
      db.pragma('synchronous = FULL');
      if (options.maxDatabaseBytes !== undefined) {
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        db.pragma(
          `max_page_count = ${Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize))}`,
        );
      }
      if (options.exclusive ?? true) {
        // Take the write lock now: a second process is refused at open, not at its first write.
        if (!options.readOnly) db.exec('BEGIN IMMEDIATE; COMMIT');
      }
      migrateSqlite(db);
      const sql = prepare(db);
      const codec = await openCodec(
        {
          readHeader: async () =>
            (sql.readMeta.get(ENCRYPTION_META) as { value: string } | undefined)?.value ?? null,
          insertHeader: async (header) => {
            sql.insertMeta.run(ENCRYPTION_META, header);
            return (sql.readMeta.get(ENCRYPTION_META) as { value: string }).value;
          },
          hasValues: async () => (sql.anyValue.get() as { any: number }).any === 1,
        },
        options.encryption,
        maxValueBytes,
      );
      return new SqliteStore(db, sql, codec, path);
    } catch (error) {
      db.close();
      throw fromSqliteError(error, `opening ${path}`);
    }
  }

  /** True when values are encrypted at rest. */
  get encrypted(): boolean {
    return this.codec.encrypted;
  }

  /** Group-commit counters (batches, operations), for tests and benchmarks. */
  get commitStats(): GroupCommitStats {
    return this.group.stats;
  }

  /** The snapshot under `key`, or null. */
  async load(key: string): Promise<string | null> {
    const k = encodeKey(key);
    const row = this.read(() => this.sql.load.get(k), 'load') as
      | { value: Buffer; digest: Buffer }
      | undefined;
    return row ? this.codec.decodeSnapshot(k, row.value, row.digest) : null;
  }

  /** Replaces the snapshot under `key`; resolves once it is durable. */
  save(key: string, snapshot: string): Promise<void> {
    return this.submit(() => encodeWrite({ kind: 'save', key, snapshot }, this.codec));
  }

  /** See {@link LogStore.append}; resolves once the record is durable. */
  append(key: string, seq: number, data: string): Promise<void> {
    return this.submit(() => encodeWrite({ kind: 'append', key, seq, data }, this.codec));
  }

  /** See {@link LogStore.writeAll}: one savepoint inside the batch's transaction. */
  writeAll(writes: readonly LogWrite[]): Promise<void> {
    return this.submit(() => encodeGroup(writes, this.codec));
  }

  /** See {@link Store.saveAll}. */
  saveAll(writes: readonly StoreWrite[]): Promise<void> {
    return this.submit(() => encodeGroup(savesOf(writes), this.codec));
  }

  /** See {@link LogStore.records}. */
  async records(key: string): Promise<LogRecord[]> {
    const k = encodeKey(key);
    const { head, rows } = this.read(
      () =>
        this.db.transaction(() => ({
          head: this.sql.head.get(k) as { base: number; head: number } | undefined,
          rows: this.sql.records.all(k) as { seq: number; value: Buffer; digest: Buffer }[],
        }))(),
      'records',
    );
    const base = head?.base ?? 0;
    const last = head?.head ?? 0;
    if (rows.length !== last - base || rows.some((r, i) => r.seq !== base + 1 + i))
      throw new StoreError('STORE_CORRUPT', 'log records do not match the log head');
    return rows.map((r) => ({
      seq: r.seq,
      data: this.codec.decodeRecord(k, r.seq, r.value, r.digest),
    }));
  }

  /** See {@link LogStore.compact}; resolves once durable. */
  compact(key: string, snapshot: string, throughSeq: number): Promise<void> {
    return this.submit(() =>
      encodeWrite({ kind: 'compact', key, snapshot, throughSeq }, this.codec),
    );
  }

  /**
   * Removes the snapshot under `key` and its whole log, in one transaction; resolves once that
   * is durable. Deleting a missing key does nothing. A later append starts again at record 1.
   */
  delete(key: string): Promise<void> {
    return this.submit(() => ({ kind: 'delete', key: encodeKey(key) }));
  }

  /**
   * The exclusive right to advance channel `key` in this process. With `exclusive` (the default)
   * the file lock already keeps every other process out of the database.
   *
   * @throws {@link StoreError} `STORE_LOCKED` when still leased after `waitMs`.
   */
  async lockChannel(key: string, options?: LockOptions): Promise<ChannelLease> {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    encodeKey(key);
    return this.leases.acquire(key, waitMsOf(options));
  }

  /** Waits for writes in flight, then closes the database; later calls fail with `STORE_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.group.drain();
    this.db.close();
  }

  /** Queues what `build` makes (null: nothing to write, resolved at once); a build error rejects. */
  private submit(build: () => WriteOperation | null): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError('STORE_CLOSED', 'the store is closed'));
    let operation: WriteOperation | null;
    try {
      operation = build();
    } catch (error) {
      return Promise.reject(error);
    }
    return operation === null ? Promise.resolve() : this.group.submit(operation);
  }

  private read<T>(run: () => T, doing: string): T {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    try {
      return run();
    } catch (error) {
      throw fromSqliteError(error, doing);
    }
  }

  /** One transaction for the batch; if it fails as a whole, each operation alone, so only the failing ones fail. */
  private async commit(batch: readonly WriteOperation[]): Promise<BatchOutcome<void>[]> {
    try {
      return this.db.transaction(() => batch.map((op) => this.apply(op))).immediate();
    } catch (error) {
      if (batch.length === 1) return [{ ok: false, error: fromSqliteError(error, 'write') }];
    }
    return batch.map((op) => {
      try {
        return this.db.transaction(() => this.apply(op)).immediate();
      } catch (error) {
        return { ok: false, error: fromSqliteError(error, 'write') };
      }
    });
  }

  /** Carries out one operation; a sequence conflict is checked before anything is written. */
  private apply(op: WriteOperation): BatchOutcome<void> {
    const ok = { ok: true, value: undefined } as const;
    if (op.kind === 'group') {
      // A nested transaction is a savepoint: a refused member undoes the members before it.
      try {
        return this.db.transaction(() => {
          for (const member of op.operations) {
            const outcome = this.apply(member);
            if (!outcome.ok) throw new GroupRefused(outcome);
          }
          return ok;
        })();
      } catch (error) {
        if (error instanceof GroupRefused) return error.outcome;
        throw error;
      }
    }
    if (op.kind === 'save') {
      this.sql.save.run(op.key, op.stored, op.digest);
      return ok;
    }
    if (op.kind === 'delete') {
      this.sql.deleteSnapshot.run(op.key);
      this.sql.deleteRecords.run(op.key);
      this.sql.deleteHead.run(op.key);
      return ok;
    }
    const row = this.sql.head.get(op.key) as { base: number; head: number } | undefined;
    const base = row?.base ?? 0;
    const head = row?.head ?? 0;
    if (op.kind === 'append') {
      if (op.seq !== head + 1) return { ok: false, error: appendConflict(op.seq, head) };
      this.sql.append.run(op.key, op.seq, op.stored, op.digest);
      this.sql.setHead.run(op.key, base, op.seq);
      return ok;
    }
    if (op.throughSeq < base || op.throughSeq > head)
      return { ok: false, error: compactConflict(op.throughSeq, base, head) };
    this.sql.save.run(op.key, op.stored, op.digest);
    this.sql.dropRecords.run(op.key, op.throughSeq);
    this.sql.setHead.run(op.key, op.throughSeq, head);
    return ok;
  }
}

/** Unwinds a group's savepoint, carrying the refused member's outcome. */
class GroupRefused extends Error {
  constructor(readonly outcome: BatchOutcome<void>) {
    super('a member of the group was refused');
  }
}
