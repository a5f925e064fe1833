import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { advisoryLockId } from '../../src/storage/advisory-lock.js';
import { POSTGRES_SCHEMA_VERSION } from '../../src/storage/postgres-schema.js';
import { PostgresStore } from '../../src/storage/postgres-store.js';
import { expectStoreError, storeConformance } from './conformance.js';
import { bundleWorker, killCampaign } from './kill-harness.js';
import { describePostgres } from './postgres-gate.js';
import {
  PG_URL,
  freshSchema,
  pgQuery,
  postgresFactory,
  removeDir,
  testEncryption,
} from './stores.js';

const KILLS = Number(process.env.KILL_RUNS ?? 50);
// The sealed variant writes through the same code path with other bytes: fewer kills keep the
// suite's time in bounds, the 50 per store are the plain run.
const SEALED_KILLS = Number(process.env.KILL_RUNS ?? 20);
const schemas: string[] = [];

/** A store in a fresh schema, dropped after the file's tests. */
async function fresh(schema = freshSchema()): Promise<PostgresStore> {
  schemas.push(schema);
  return PostgresStore.open({ connectionString: PG_URL, schema });
}

/** Starts `postgres-holder.ts`; resolves with its first line. */
function holder(schema: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'postgres-holder.ts'), PG_URL, schema],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const firstLine = new Promise<string>((r) =>
    createInterface({ input: child.stdout! }).once('line', r),
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, firstLine, exited };
}

describePostgres('PostgreSQL', () => {
  afterAll(async () => {
    for (const schema of schemas) await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  storeConformance(postgresFactory());
  storeConformance(postgresFactory(testEncryption()));

  describe('PostgresStore', () => {
    test('two processes: a channel leased by one is refused to the other until the holder dies', async () => {
      const schema = freshSchema();
      const store = await fresh(schema);
      const h = holder(schema);
      expect(await h.firstLine).toBe('locked');
      await expectStoreError(store.lockChannel('ch'), 'STORE_LOCKED');
      await expectStoreError(store.lockChannel('ch', { waitMs: 300 }), 'STORE_LOCKED');
      await expectStoreError(store.save('ch', 'intruder'), 'STORE_LOCKED');
      expect(await store.load('ch')).toBe('written by the child under its lease');
      await store.save('other', 'not leased: fine');
      const second = holder(schema);
      expect(await second.firstLine).toBe('STORE_LOCKED');
      h.child.kill('SIGKILL');
      await h.exited;
      const lease = await store.lockChannel('ch', { waitMs: 10_000 });
      await store.save('ch', 'the survivor');
      expect(await store.load('ch')).toBe('the survivor');
      await lease.release();
      await store.close();
    });

    test('two pools: leases and writes exclude each other, in both directions', async () => {
      const schema = freshSchema();
      const a = await fresh(schema);
      const b = await fresh(schema);
      const lease = await a.lockChannel('ch');
      await expectStoreError(b.lockChannel('ch'), 'STORE_LOCKED');
      await expectStoreError(b.save('ch', 'b'), 'STORE_LOCKED');
      await expectStoreError(b.append('ch', 1, 'b'), 'STORE_LOCKED');
      await expectStoreError(b.delete('ch'), 'STORE_LOCKED');
      await a.save('ch', 'a');
      await a.append('ch', 1, 'a1');
      const waiting = b.lockChannel('ch', { waitMs: 10_000 });
      await lease.release();
      const bLease = await waiting;
      await expectStoreError(a.save('ch', 'a again'), 'STORE_LOCKED');
      await b.save('ch', 'b now');
      expect(await a.load('ch')).toBe('b now');
      expect(await a.records('ch')).toEqual([{ seq: 1, data: 'a1' }]);
      await bLease.release();
      await a.close();
      await b.close();
    });

    test('a lease whose connection is killed is lost: writes under it are refused', async () => {
      const schema = freshSchema();
      const store = await fresh(schema);
      const lease = await store.lockChannel('ch');
      await store.save('ch', 'under the lease');
      const [classid, objid] = advisoryLockId('channel', schema, Buffer.from('ch'));
      const { rows } = await pgQuery(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2",
        [classid, objid],
      );
      expect(rows).toEqual([{ ok: true }]);
      await expectStoreError(store.save('ch', 'after the loss'), 'STORE_LOCKED');
      expect(await store.load('ch')).toBe('under the lease');
      for (let i = 0; i < 50 && lease.held; i++) await new Promise((r) => setTimeout(r, 20));
      expect(lease.held).toBe(false);
      await lease.release();
      const again = await store.lockChannel('ch');
      await store.save('ch', 'new lease');
      await again.release();
      await store.close();
    });

    test('connections killed mid-write: every acknowledged save is there, failures are typed, the store recovers', async () => {
      const schema = freshSchema();
      schemas.push(schema);
      const application = `pp_victim_${schema.slice(-8)}`;
      const store = await PostgresStore.open({
        schema,
        connection: { connectionString: PG_URL, application_name: application },
      });
      await store.save('warm', 'connections open');
      const big = 'x'.repeat(50_000);
      const saves = Array.from({ length: 600 }, (_, i) => store.save(`k${i}`, `${i} ${big}`));
      let settled = false;
      const all = Promise.allSettled(saves).finally(() => {
        settled = true;
      });
      // Kill the store's connections again and again while its batches are being written.
      for (let i = 0; i < 8 && !settled; i++) {
        await pgQuery(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [application],
        );
        await new Promise((r) => setTimeout(r, 15));
      }
      const outcomes = await all;
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') expect(await store.load(`k${i}`)).toBe(`${i} ${big}`);
        else expect((outcome.reason as { code: string }).code).toBe('STORE_IO');
      }
      await store.save('after', 'the pool reconnects');
      expect(await store.load('after')).toBe('the pool reconnects');
      await store.close();
    });

    test('group commit: concurrent saves of many channels share few transactions', async () => {
      const store = await fresh();
      await Promise.all(Array.from({ length: 500 }, (_, i) => store.save(`ch${i}`, `state ${i}`)));
      expect(store.commitStats.operations).toBe(500);
      expect(store.commitStats.batches).toBeLessThanOrEqual(3);
      for (let i = 0; i < 500; i += 50) expect(await store.load(`ch${i}`)).toBe(`state ${i}`);
      await store.close();
    });

    test('processes opening a new schema together migrate it once', async () => {
      const schema = freshSchema();
      schemas.push(schema);
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => PostgresStore.open({ connectionString: PG_URL, schema })),
      );
      const { rows } = await pgQuery(
        `SELECT version FROM "${schema}".schema_version ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual(
        Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
      );
      await Promise.all(stores.map((s) => s.close()));
    });

    test('a schema of a newer release is refused with STORE_SCHEMA_TOO_NEW', async () => {
      const schema = freshSchema();
      await (await fresh(schema)).close();
      await pgQuery(`INSERT INTO "${schema}".schema_version (version) VALUES ($1)`, [
        POSTGRES_SCHEMA_VERSION + 1,
      ]);
      await expectStoreError(
        PostgresStore.open({ connectionString: PG_URL, schema }),
        'STORE_SCHEMA_TOO_NEW',
      );
    });

    test('hostile schema names are refused before any SQL runs', async () => {
      for (const schema of [
        'x"; DROP SCHEMA public; --',
        'Upper',
        '',
        '1abc',
        'a'.repeat(64),
        'a b',
      ])
        await expectStoreError(
          PostgresStore.open({ connectionString: PG_URL, schema }),
          'STORE_INVALID_OPTIONS',
        );
    });

    test('an unreachable server is STORE_IO', async () => {
      await expectStoreError(
        PostgresStore.open({
          connectionString: 'postgresql://nobody@127.0.0.1:1/none',
          schema: freshSchema(),
        }),
        'STORE_IO',
      );
    });
  });

  describe('kill -9 during a payment stream', () => {
    let worker: string;
    beforeAll(async () => {
      worker = await bundleWorker();
    });
    afterAll(() => removeDir(join(worker, '..')));

    for (const passphrase of [undefined, 'kill test']) {
      const name = passphrase ? 'PostgresStore (encrypted)' : 'PostgresStore';
      const kills = passphrase ? SEALED_KILLS : KILLS;
      test(`${name}: ${kills} kills, nothing acknowledged is lost, the channel settles`, async () => {
        const schema = freshSchema();
        schemas.push(schema);
        const r = await killCampaign(
          name,
          { backend: 'postgres', url: PG_URL, schema, passphrase },
          worker,
          kills,
        );
        process.stdout.write(
          `[kill] ${name}: ${r.kills} kills (${r.killedBeforeReady} while restoring, ${r.payerAhead} with a payment in flight), ${r.acknowledged / 1000n} payments acknowledged, all there; closed and settled\n`,
        );
        expect(r.kills).toBe(kills);
      }, 180_000);
    }
  });
});
