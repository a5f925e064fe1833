import type { Client, ClientConfig, Pool, PoolClient, PoolConfig } from 'pg';
import { advisoryLockId } from './advisory-lock.js';
import { DEFAULT_MAX_VALUE_BYTES, encodeKey } from './encoding.js';
import { StoreError } from './errors.js';
import { type BatchOutcome, GroupCommit, type GroupCommitStats } from './group-commit.js';
import { type ChannelLease, LeaseTable, type LockOptions, waitMsOf } from './leases.js';
import type { StoreWrite } from '../runtime/store.js';
import type { LogRecord, LogStore, LogWrite } from './log-store.js';
import { fromPostgresError } from './postgres-errors.js';
import { migratePostgres, quoteSchema } from './postgres-schema.js';
import type { EncryptionOptions } from './snapshot-cipher.js';
import { type ValueCodec, openCodec } from './value-codec.js';
import {
  type SingleOperation,
  type WriteOperation,
  appendConflict,
  compactConflict,
  encodeGroup,
  encodeWrite,
  keysOf,
  savesOf,
} from './write-operations.js';

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  /** e.g. `postgresql://user@127.0.0.1:5432/db`; or give `connection`. */
  readonly connectionString?: string;
  /** Connection settings handed to `pg` (pool size, TLS, …); `connectionString` wins when both are set. */
  readonly connection?: PoolConfig;
  /** Schema holding the tables (created when absent); default `picopayments`. */
  readonly schema?: string;
  /** Encrypt every value at rest under this passphrase (see {@link EncryptionOptions}). */
  readonly encryption?: EncryptionOptions;
  /** Largest value accepted, in UTF-8 bytes (default 256 MiB). */
  readonly maxValueBytes?: number;
}

type PgModule = typeof import('pg');

/** `pg` is loaded on first use, so that embedders who only use SQLite never need it installed. */
async function loadPg(): Promise<PgModule> {
  try {
    const mod = (await import('pg')) as PgModule & { default?: PgModule };
    return mod.default ?? mod;
  } catch (error) {
    throw new StoreError('STORE_IO', 'PostgresStore needs the `pg` package installed', error);
  }
}

interface HeldLease {
  readonly lease: ChannelLease;
  /** Backend process id of the connection holding the session-level advisory lock. */
  readonly pid: number;
  lost: boolean;
}

/**
 * A {@link LogStore} in PostgreSQL (`pg`). Writes are group-committed like {@link SqliteStore}'s:
 * one transaction per batch, acknowledged only after COMMIT returned (with
 * `synchronous_commit = on`, after the WAL reached disk).
 *
 * Per-channel locking: {@link PostgresStore.lockChannel} takes a session-level advisory lock on
 * the key, held on a dedicated connection (so it dies with the process or the connection). A
 * write to a key takes the same lock for its transaction (`pg_try_advisory_xact_lock`), or, when
 * this store holds the lease, checks in the same transaction that the lease's connection still
 * holds it; either way a write to a channel leased elsewhere is refused with `STORE_LOCKED`.
 */
export class PostgresStore implements LogStore {
  private closed = false;
  private readonly leases = new LeaseTable();
  private readonly held = new Map<string, HeldLease>();
  private readonly group: GroupCommit<WriteOperation, void>;
  private readonly t: { snapshots: string; meta: string; records: string; heads: string };

  private constructor(
    private readonly pg: PgModule,
    private readonly pool: Pool,
    private readonly clientConfig: ClientConfig,
    private readonly codec: ValueCodec,
    /** The schema holding this store's tables. */
    readonly schema: string,
  ) {
    const q = quoteSchema(schema);
    this.t = {
      snapshots: `${q}.snapshots`,
      meta: `${q}.meta`,
      records: `${q}.records`,
      heads: `${q}.log_heads`,
    };
    // Each write in a batch holds an advisory lock until COMMIT; the server's lock table is
    // shared and finite (max_locks_per_transaction × connections), so batches stay moderate.
    this.group = new GroupCommit((batch) => this.commit(batch), 256);
  }

  /**
   * Connects, creates the schema and tables when absent and applies pending migrations.
   *
   * @throws {@link StoreError} `STORE_IO` (unreachable, refused), `STORE_INVALID_OPTIONS`,
   *   `STORE_SCHEMA_TOO_NEW`, `STORE_ENCRYPTED`, `WRONG_PASSPHRASE`, …
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'picopayments';
    const quoted = quoteSchema(schema);
    const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    if (!Number.isSafeInteger(maxValueBytes) || maxValueBytes < 0)
      throw new StoreError('STORE_INVALID_OPTIONS', 'maxValueBytes must be a non-negative integer');
    const pg = await loadPg();
    const config: PoolConfig = {
      ...options.connection,
      ...(options.connectionString ? { connectionString: options.connectionString } : {}),
    };
    const pool = new pg.Pool(config);
    // An idle connection that drops must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, quoted, advisoryLockId('migrate', schema, new Uint8Array()));
      } finally {
        client.release();
      }
      const t = {
        meta: `${quoted}.meta`,
        snapshots: `${quoted}.snapshots`,
        records: `${quoted}.records`,
      };
      const codec = await openCodec(
        {
          readHeader: async () => {
            const { rows } = await pool.query(
              `SELECT value FROM ${t.meta} WHERE name = 'encryption'`,
            );
            return (rows[0]?.value as string | undefined) ?? null;
          },
          insertHeader: async (header) => {
            await pool.query(
              `INSERT INTO ${t.meta} (name, value) VALUES ('encryption', $1) ON CONFLICT (name) DO NOTHING`,
              [header],
            );
            const { rows } = await pool.query(
              `SELECT value FROM ${t.meta} WHERE name = 'encryption'`,
            );
            return rows[0]!.value as string;
          },
          hasValues: async () => {
            const { rows } = await pool.query(
              `SELECT EXISTS (SELECT 1 FROM ${t.snapshots}) OR EXISTS (SELECT 1 FROM ${t.records}) AS any`,
            );
            return rows[0]!.any === true;
          },
        },
        options.encryption,
        maxValueBytes,
      );
      return new PostgresStore(pg, pool, config as ClientConfig, codec, schema);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw fromPostgresError(error, 'opening the PostgreSQL store');
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

  /**
   * The snapshot under `key`, or null: the last durable value (a save still in flight is seen
   * once it resolved). `STORE_CORRUPT` when the stored bytes fail their check.
   */
  async load(key: string): Promise<string | null> {
    const k = encodeKey(key);
    const { rows } = await this.query(
      `SELECT value, digest FROM ${this.t.snapshots} WHERE key = $1`,
      [k],
    );
    const row = rows[0] as { value: Buffer; digest: Buffer } | undefined;
    return row ? this.codec.decodeSnapshot(k, row.value, row.digest) : null;
  }

  /** Replaces the snapshot under `key` atomically; resolves once it is durable. */
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
    // One statement: the head and the records come from the same snapshot of the database.
    const { rows } = await this.query(
      `SELECT h.base, h.head, r.seq, r.value, r.digest FROM ${this.t.heads} h
         LEFT JOIN ${this.t.records} r ON r.key = h.key WHERE h.key = $1 ORDER BY r.seq`,
      [k],
    );
    if (rows.length === 0) return [];
    const base = Number(rows[0].base);
    const head = Number(rows[0].head);
    const present = rows.filter((r) => r.seq !== null);
    if (present.length !== head - base || present.some((r, i) => Number(r.seq) !== base + 1 + i))
      throw new StoreError('STORE_CORRUPT', 'log records do not match the log head');
    return present.map((r) => {
      const seq = Number(r.seq);
      return { seq, data: this.codec.decodeRecord(k, seq, r.value, r.digest) };
    });
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
   * Like every write, refused with `STORE_LOCKED` while another process leases the channel.
   */
  delete(key: string): Promise<void> {
    return this.submit(() => ({ kind: 'delete', key: encodeKey(key) }));
  }

  /**
   * The exclusive right to advance channel `key` across every process using this database,
   * until released or until this process (or the lease's connection) goes away.
   *
   * @throws {@link StoreError} `STORE_LOCKED` when another holder keeps it past `waitMs`.
   */
  async lockChannel(key: string, options?: LockOptions): Promise<ChannelLease> {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    const k = encodeKey(key);
    const waitMs = waitMsOf(options);
    const started = Date.now();
    const local = await this.leases.acquire(key, waitMs);
    const client: Client = new this.pg.Client(this.clientConfig);
    client.on('error', () => undefined);
    const id = advisoryLockId('channel', this.schema, k);
    let pid: number;
    try {
      await client.connect();
      const left = Math.max(0, waitMs - (Date.now() - started));
      if (left === 0) {
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', id);
        if (rows[0].ok !== true)
          throw new StoreError(
            'STORE_LOCKED',
            `channel ${JSON.stringify(key)} is leased elsewhere`,
          );
      } else {
        await client.query(`SET lock_timeout = ${left}`);
        await client.query('SELECT pg_advisory_lock($1, $2)', id);
      }
      pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    } catch (error) {
      await client.end().catch(() => undefined);
      await local.release();
      throw fromPostgresError(error, `locking channel ${JSON.stringify(key)}`);
    }
    const store = this;
    const entry: HeldLease = {
      pid,
      lost: false,
      lease: {
        key,
        get held() {
          return local.held && !entry.lost;
        },
        async release() {
          if (!local.held) return;
          if (store.held.get(key) === entry) store.held.delete(key);
          // Unlock explicitly (the session's end would too, but only once the server notices),
          // so that the next holder need not wait.
          await client.query('SELECT pg_advisory_unlock($1, $2)', id).catch(() => undefined);
          await client.end().catch(() => undefined);
          await local.release();
        },
      },
    };
    client.on('end', () => {
      entry.lost = true;
    });
    this.held.set(key, entry);
    return entry.lease;
  }

  /** Waits for writes in flight, releases leases and closes the pool; later calls fail with `STORE_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.group.drain();
    await Promise.all([...this.held.values()].map((h) => h.lease.release()));
    await this.pool.end();
  }

  private async query(text: string, values: unknown[]) {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    try {
      return await this.pool.query(text, values);
    } catch (error) {
      throw fromPostgresError(error, 'query');
    }
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

  /** One transaction for the batch; if it fails as a whole, each operation alone. */
  private async commit(batch: readonly WriteOperation[]): Promise<BatchOutcome<void>[]> {
    try {
      return await this.onConnection((client) => this.transaction(client, batch));
    } catch (error) {
      if (batch.length === 1) return [{ ok: false, error: fromPostgresError(error, 'write') }];
    }
    const outcomes: BatchOutcome<void>[] = [];
    for (const op of batch) {
      try {
        outcomes.push(...(await this.onConnection((client) => this.transaction(client, [op]))));
      } catch (error) {
        outcomes.push({ ok: false, error: fromPostgresError(error, 'write') });
      }
    }
    return outcomes;
  }

  /** Runs `task` on a pooled connection; after a failure the connection is discarded, not reused. */
  private async onConnection<T>(task: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection killed while checked out emits 'error' on the client (the pool's listener only
    // covers idle ones); the failure reaches us through the query, so the event is only absorbed.
    client.on('error', ignoreConnectionError);
    try {
      const result = await task(client);
      client.off('error', ignoreConnectionError);
      client.release();
      return result;
    } catch (error) {
      client.off('error', ignoreConnectionError);
      client.release(true);
      throw error;
    }
  }

  private async transaction(
    client: PoolClient,
    batch: readonly WriteOperation[],
  ): Promise<BatchOutcome<void>[]> {
    // synchronous_commit = on: COMMIT returns only after the WAL is on disk, whatever the
    // server's default, so an acknowledged write survives a server crash.
    await client.query('BEGIN; SET LOCAL synchronous_commit = on');
    try {
      const refused = await this.refusals(client, batch);
      const outcomes: BatchOutcome<void>[] = [];
      for (const op of batch) {
        const error = keysOf(op)
          .map((k) => refused.get(k.toString('utf8')))
          .find((e) => e !== undefined);
        outcomes.push(error ? { ok: false, error } : await this.applyOperation(client, op));
      }
      await client.query('COMMIT');
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * The keys of `batch` this transaction may not write, each with its refusal: a key may be
   * written when this store holds its lease (and the lease's connection still holds the lock),
   * or when nobody does (the transaction then takes the lock until COMMIT). Two queries per
   * batch, whatever its size.
   */
  private async refusals(
    client: PoolClient,
    batch: readonly WriteOperation[],
  ): Promise<Map<string, StoreError>> {
    const lost = () => new StoreError('STORE_LOCKED', 'the lease on this channel was lost');
    const refused = new Map<string, StoreError>();
    const leased: { key: string; id: [number, number]; pid: number }[] = [];
    const others: { key: string; id: [number, number] }[] = [];
    const seen = new Set<string>();
    for (const k of batch.flatMap(keysOf)) {
      const key = k.toString('utf8');
      if (seen.has(key)) continue;
      seen.add(key);
      const id = advisoryLockId('channel', this.schema, k);
      const mine = this.held.get(key);
      if (!mine) others.push({ key, id });
      else if (mine.lost) refused.set(key, lost());
      else leased.push({ key, id, pid: mine.pid });
    }
    if (leased.length > 0) {
      const { rows } = await client.query(
        `SELECT classid::int8 AS a, objid::int8 AS b, pid FROM pg_locks
           WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND pid = ANY($1::int4[])`,
        [[...new Set(leased.map((l) => l.pid))]],
      );
      const held = new Set(rows.map((r) => `${r.a}:${r.b}:${r.pid}`));
      for (const l of leased)
        if (!held.has(`${l.id[0]}:${l.id[1]}:${l.pid}`)) refused.set(l.key, lost());
    }
    if (others.length > 0) {
      // Try-locks never wait, so the order of keys cannot deadlock two batches.
      const { rows } = await client.query(
        `SELECT t.ord, pg_try_advisory_xact_lock(t.a, t.b) AS ok
           FROM unnest($1::int4[], $2::int4[]) WITH ORDINALITY AS t(a, b, ord) ORDER BY t.ord`,
        [others.map((o) => o.id[0]), others.map((o) => o.id[1])],
      );
      for (const r of rows)
        if (r.ok !== true)
          refused.set(
            others[Number(r.ord) - 1]!.key,
            new StoreError('STORE_LOCKED', 'the channel is leased by another process'),
          );
    }
    return refused;
  }

  /**
   * Carries out one operation in one statement (one round trip): the log head is read under a
   * row lock and the writes happen only when the position checks out, so that a refused append
   * or compaction writes nothing. Data-modifying CTEs share one snapshot; each touches its own
   * table, so their order does not matter.
   */
  private async applyOperation(
    client: PoolClient,
    op: WriteOperation,
  ): Promise<BatchOutcome<void>> {
    if (op.kind !== 'group') return this.apply(client, op);
    // A savepoint: a refused member undoes the members before it, and nothing else.
    await client.query('SAVEPOINT picopayments_group');
    for (const member of op.operations) {
      const outcome = await this.apply(client, member);
      if (!outcome.ok) {
        await client.query('ROLLBACK TO SAVEPOINT picopayments_group');
        return outcome;
      }
    }
    await client.query('RELEASE SAVEPOINT picopayments_group');
    return { ok: true, value: undefined };
  }

  private async apply(client: PoolClient, op: SingleOperation): Promise<BatchOutcome<void>> {
    const ok = { ok: true, value: undefined } as const;
    const { snapshots, records, heads } = this.t;
    if (op.kind === 'save') {
      await client.query(
        `INSERT INTO ${snapshots} (key, value, digest) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, digest = excluded.digest`,
        [op.key, op.stored, op.digest],
      );
      return ok;
    }
    if (op.kind === 'delete') {
      await client.query(
        `WITH s AS (DELETE FROM ${snapshots} WHERE key = $1),
              r AS (DELETE FROM ${records} WHERE key = $1)
         DELETE FROM ${heads} WHERE key = $1`,
        [op.key],
      );
      return ok;
    }
    // The head row, locked; a key without one is at 0.
    const current = `cur AS (
        SELECT coalesce(max(h.base), 0) AS base, coalesce(max(h.head), 0) AS head
        FROM (SELECT base, head FROM ${heads} WHERE key = $1 FOR UPDATE) h)`;
    if (op.kind === 'append') {
      const { rows } = await client.query(
        `WITH ${current},
              ins AS (INSERT INTO ${records} (key, seq, value, digest)
                SELECT $1, $2::bigint, $3, $4 FROM cur WHERE cur.head = $2::bigint - 1),
              up AS (INSERT INTO ${heads} (key, base, head)
                SELECT $1, cur.base, $2::bigint FROM cur WHERE cur.head = $2::bigint - 1
                ON CONFLICT (key) DO UPDATE SET head = excluded.head)
         SELECT head FROM cur`,
        [op.key, op.seq, op.stored, op.digest],
      );
      const head = Number(rows[0].head);
      return head === op.seq - 1 ? ok : { ok: false, error: appendConflict(op.seq, head) };
    }
    const { rows } = await client.query(
      `WITH ${current},
            fits AS (SELECT head FROM cur WHERE $4::bigint BETWEEN cur.base AND cur.head),
            snap AS (INSERT INTO ${snapshots} (key, value, digest) SELECT $1, $2, $3 FROM fits
              ON CONFLICT (key) DO UPDATE SET value = excluded.value, digest = excluded.digest),
            del AS (DELETE FROM ${records}
              WHERE key = $1 AND seq <= $4::bigint AND EXISTS (SELECT 1 FROM fits)),
            up AS (INSERT INTO ${heads} (key, base, head) SELECT $1, $4::bigint, head FROM fits
              ON CONFLICT (key) DO UPDATE SET base = excluded.base, head = excluded.head)
       SELECT base, head FROM cur`,
      [op.key, op.stored, op.digest, op.throughSeq],
    );
    const base = Number(rows[0].base);
    const head = Number(rows[0].head);
    return op.throughSeq >= base && op.throughSeq <= head
      ? ok
      : { ok: false, error: compactConflict(op.throughSeq, base, head) };
  }
}

/** Absorbs a connection's asynchronous 'error' event; the failing query reports it typed. */
function ignoreConnectionError(): void {}
