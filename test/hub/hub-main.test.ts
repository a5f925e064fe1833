import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { HubClient } from '../../src/hub-client/index.js';
import { hubStoreEncryption } from '../../src/hub/hub-store.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { PostgresStore, SqliteStore } from '../../src/storage/index.js';
import { describePostgres } from '../storage/postgres-gate.js';
import { PG_URL, freshSchema, pgQuery } from '../storage/stores.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { testPrivateKey } from '../support/channel-harness.js';

const root = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(script: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  // Every line is kept, so a line printed before anyone waits for it is still found.
  const seen: string[] = [];
  const waiting: (() => void)[] = [];
  lines.on('line', (line) => {
    seen.push(line);
    for (const w of waiting.splice(0)) w();
  });
  const next = (match: (line: string) => boolean) =>
    new Promise<string>((ok, fail) => {
      const look = () => {
        const found = seen.find(match);
        if (found !== undefined) ok(found);
        else waiting.push(look);
      };
      look();
      child.once('exit', (code) => fail(new Error(`${script} exited ${code}: ${stderr}`)));
    });
  return { child, next };
}

describe('picopayments-hub program', () => {
  it('prints its listening line and serves a client over a simnet child process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-main-'));
    dirs.push(dir);
    const sim = start('src/simnet/main.ts', ['--datadir', dir]);
    const rpc = (await sim.next((l) => l.startsWith('rpc '))).slice(4);
    const cookie = (await sim.next((l) => l.startsWith('cookie '))).slice(7);
    const hubSeed = Buffer.from(testPrivateKey(7)).toString('hex');
    const hub = start(
      'src/hub-main.ts',
      [
        '--chain-rpc',
        rpc,
        '--chain-cookie',
        cookie,
        '--db',
        join(dir, 'hub.sqlite'),
        '--port',
        '0',
        '--faucet-sats',
        '5000000',
      ],
      { PICOPAYMENTS_HUB_SEED: hubSeed },
    );
    const listening = JSON.parse(await hub.next((l) => l.includes('"listening"'))) as {
      url: string;
      hubPublicKey: string;
    };
    expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rpc$/);
    const chain = new BitcoinCoreChain({
      url: rpc,
      auth: { cookieFile: cookie },
      pollIntervalMs: 20,
    });
    try {
      const client = await HubClient.open({
        url: listening.url,
        chain,
        store: new MemoryStore(),
        wallet: new SingleKeyWallet(chain, testPrivateKey(8)),
        keys: { nextChannelKey: async () => ({ privateKey: testPrivateKey(9), path: 'm/0' }) },
        payoutScript: async () => new Uint8Array(22),
        hubPublicKey: Buffer.from(listening.hubPublicKey, 'hex'),
      });
      const status = await client.status();
      expect(status.hubPublicKey).toBe(listening.hubPublicKey);
      expect(status.network).toBe('regtest');
      await client.stop();
    } finally {
      chain.close();
    }
    hub.child.kill('SIGTERM');
    const code = await new Promise((ok) => hub.child.once('exit', ok));
    expect(code).toBe(0);
    // Encrypted at rest under a key derived from the hub key: unreadable without it, and no
    // record's text is on disk.
    const db = join(dir, 'hub.sqlite');
    const onDisk = readFileSync(db);
    await expect(SqliteStore.open(db)).rejects.toMatchObject({ code: 'STORE_ENCRYPTED' });
    const reopened = await SqliteStore.open(db, {
      encryption: hubStoreEncryption(testPrivateKey(7)),
    });
    const journal = (await reopened.load('hub:journal'))!;
    expect(journal).toContain('"writes"');
    await reopened.close();
    for (const file of [db, `${db}-wal`].filter(existsSync))
      expect(readFileSync(file).includes(journal.slice(0, 48))).toBe(false);
    // Another hub key cannot open it: a clear error, exit 1, nothing written.
    const other = start(
      'src/hub-main.ts',
      ['--chain-rpc', rpc, '--chain-cookie', cookie, '--db', db, '--port', '0'],
      { PICOPAYMENTS_HUB_SEED: Buffer.from(testPrivateKey(8)).toString('hex') },
    );
    const failed = await new Promise<number | null>((ok) => other.child.once('exit', ok));
    expect(failed).toBe(1);
    expect(readFileSync(db).equals(onDisk)).toBe(true);
  }, 30_000);
});

describe('picopayments-hub arguments', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(root, 'src/hub-main.ts'), ...args],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += String(d);
      });
      child.stderr.on('data', (d) => {
        stderr += String(d);
      });
      child.on('close', (code) => done({ code, stdout, stderr }));
    });

  it('prints its usage with --help and exits 0; refuses an unknown flag with a typed error and 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: picopayments-hub');
    const bad = await run(['--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('HUB_USAGE');
  }, 60_000);
});

describePostgres('picopayments-hub on PostgreSQL', () => {
  it('takes a postgresql:// URL: serves, stops cleanly, and refuses the database under another hub key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-main-pg-'));
    dirs.push(dir);
    const sim = start('src/simnet/main.ts', ['--datadir', dir]);
    const rpc = (await sim.next((l) => l.startsWith('rpc '))).slice(4);
    const cookie = (await sim.next((l) => l.startsWith('cookie '))).slice(7);
    const schema = freshSchema();
    const args = ['--chain-rpc', rpc, '--chain-cookie', cookie, '--db', PG_URL];
    const hub = start(
      'src/hub-main.ts',
      [...args, '--db-schema', schema, '--faucet-sats', '1000000'],
      {
        PICOPAYMENTS_HUB_SEED: Buffer.from(testPrivateKey(7)).toString('hex'),
      },
    );
    const listening = JSON.parse(await hub.next((l) => l.includes('"listening"'))) as {
      url: string;
    };
    const status = await fetch(listening.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hub_status', params: {} }),
    }).then((r) => r.json() as Promise<{ result: { network: string } }>);
    expect(status.result.network).toBe('regtest');
    hub.child.kill('SIGTERM');
    expect(await new Promise((ok) => hub.child.once('exit', ok))).toBe(0);
    // Its rows are sealed: the same schema opened without the hub's key is refused.
    const bare = PostgresStore.open({ connectionString: PG_URL, schema });
    await expect(bare).rejects.toMatchObject({ code: 'STORE_ENCRYPTED' });
    const other = start('src/hub-main.ts', [...args, '--db-schema', schema], {
      PICOPAYMENTS_HUB_SEED: Buffer.from(testPrivateKey(8)).toString('hex'),
    });
    expect(await new Promise((ok) => other.child.once('exit', ok))).toBe(1);
    await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }, 60_000);
});

describe('picopayments-hub database passphrase', () => {
  it('encrypts under PICOPAYMENTS_HUB_DB_PASSPHRASE when given; the hub-key key does not open it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-main-pass-'));
    dirs.push(dir);
    const sim = start('src/simnet/main.ts', ['--datadir', dir]);
    const rpc = (await sim.next((l) => l.startsWith('rpc '))).slice(4);
    const cookie = (await sim.next((l) => l.startsWith('cookie '))).slice(7);
    const db = join(dir, 'hub.sqlite');
    const env = {
      PICOPAYMENTS_HUB_SEED: Buffer.from(testPrivateKey(7)).toString('hex'),
      PICOPAYMENTS_HUB_DB_PASSPHRASE: 'correct horse battery staple',
    };
    const args = ['--chain-rpc', rpc, '--chain-cookie', cookie, '--db', db, '--port', '0'];
    const hub = start('src/hub-main.ts', [...args, '--faucet-sats', '1000000'], env);
    await hub.next((l) => l.includes('"listening"'));
    hub.child.kill('SIGTERM');
    expect(await new Promise((ok) => hub.child.once('exit', ok))).toBe(0);
    const opened = await SqliteStore.open(db, {
      encryption: { passphrase: 'correct horse battery staple' },
    });
    expect(await opened.load('hub:journal')).toContain('"writes"');
    await opened.close();
    await expect(
      SqliteStore.open(db, { encryption: hubStoreEncryption(testPrivateKey(7)) }),
    ).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    // Without the passphrase the same hub key cannot open it: exit 1.
    const without = start('src/hub-main.ts', args, {
      PICOPAYMENTS_HUB_SEED: env.PICOPAYMENTS_HUB_SEED,
    });
    expect(await new Promise((ok) => without.child.once('exit', ok))).toBe(1);
  }, 60_000);
});
