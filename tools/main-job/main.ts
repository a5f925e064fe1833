/**
 * The main job: a simnet, a hub and two client wallets as separate processes; both clients
 * connect, pay each other through the hub, close, and the chain settles. Prints a summary in
 * which every balance must add up; exits 1 on any deviation. `--json` for machine output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreRpcClient } from '../../src/chain/bitcoin-core/rpc-client.js';
import { renderTable, toJson } from '../../src/cli/output.js';
import { bundleProgram } from './bundle.js';

const root = resolve(import.meta.dirname, '../..');
const json = process.argv.includes('--json');
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'picopayments-main-job-'));

function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const log = (line: string) => {
  if (!json) process.stderr.write(`${line}\n`);
};

/**
 * The programs, bundled once into the temp dir (as tsup bundles them for dist/): each of the
 * many processes the job starts then skips the TypeScript loader.
 */
const programs = new Map<string, string>();

/** Starts a long-running program and resolves the first stdout line matching `match`. */
function daemon(script: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [programs.get(script)!, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const seen: string[] = [];
  const waiting: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    seen.push(line);
    for (const w of waiting.splice(0)) w();
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const line = (match: (l: string) => boolean) =>
    new Promise<string>((ok, fail) => {
      const look = () => {
        const found = seen.find(match);
        if (found !== undefined) ok(found);
        else waiting.push(look);
      };
      look();
      child.once('exit', (code) => fail(new Error(`${script} exited ${code}: ${stderr}`)));
    });
  return { line };
}

/** A command's `--json` result, read loosely: the job checks the fields it uses. */
// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output is checked field by field below
type Result = any;

/** Runs the CLI for one client and returns its `result` (throws on a non-zero exit). */
function client(dataDir: string, env: Record<string, string>, args: string[]): Promise<Result> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [programs.get('src/cli-main.ts')!, ...args, '--json'], {
      cwd: root,
      env: { ...process.env, ...env, PICOPAYMENTS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code === 0) ok(JSON.parse(out).result);
      else fail(new Error(`picopayments ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

async function main(): Promise<number> {
  const entries = ['src/simnet/main.ts', 'src/hub-main.ts', 'src/cli-main.ts'];
  const built = await Promise.all(entries.map((e) => bundleProgram(e, dir)));
  for (const [i, e] of entries.entries()) programs.set(e, built[i]!);
  log('programs bundled');
  const sim = daemon('src/simnet/main.ts', ['--datadir', join(dir, 'node')]);
  const rpcUrl = (await sim.line((l) => l.startsWith('rpc '))).slice(4);
  const cookie = (await sim.line((l) => l.startsWith('cookie '))).slice(7);
  const rpc = new CoreRpcClient({ url: rpcUrl, auth: { cookieFile: cookie } });
  log(`simnet ${rpcUrl}`);
  const hub = daemon(
    'src/hub-main.ts',
    [
      '--chain-rpc',
      rpcUrl,
      '--chain-cookie',
      cookie,
      '--db',
      join(dir, 'hub.sqlite'),
      '--port',
      '0',
      '--faucet-sats',
      '5000000',
    ],
    { PICOPAYMENTS_HUB_SEED: '11'.repeat(32) },
  );
  const { url: hubUrl } = JSON.parse(await hub.line((l) => l.includes('"listening"'))) as {
    url: string;
  };
  log(`hub ${hubUrl}`);
  const env = {
    PICOPAYMENTS_PASSPHRASE: 'main job',
    PICOPAYMENTS_CHAIN_RPC: rpcUrl,
    PICOPAYMENTS_CHAIN_COOKIE: cookie,
    PICOPAYMENTS_HUB_URL: hubUrl,
  };
  const names = ['alice', 'bob'] as const;
  const dirs = { alice: join(dir, 'alice'), bob: join(dir, 'bob') };
  const run = (who: (typeof names)[number], args: string[]) => client(dirs[who], env, args);
  const FUNDED = 1_000_000n;
  const mineTo = (await Promise.all(names.map((n) => run(n, ['init', '--kdf-log-n', '14']))))[0]
    .firstAddress as string;
  for (const n of names) {
    const { address } = await run(n, ['address']);
    await rpc.call('faucet', [address, Number(FUNDED) / 1e8]);
  }
  log('wallets funded');
  const a = await run('alice', [
    'connect',
    'BTC',
    '200000',
    '--expire-blocks',
    '100',
    '--delay-blocks',
    '4',
  ]);
  const b = await run('bob', [
    'connect',
    'BTC',
    '200000',
    '--expire-blocks',
    '100',
    '--delay-blocks',
    '4',
  ]);
  log(`connected ${a.handle} ${b.handle}`);
  for (let i = 0; i < 3; i++) {
    if (i < 2) await rpc.call('generatetoaddress', [1, mineTo]);
    for (const n of names) await run(n, ['sync']);
  }
  const receipt = await run('alice', ['pay', a.handle, b.handle, '10000', '--memo', 'coffee']);
  await run('bob', ['sync']);
  await run('bob', ['pay', b.handle, a.handle, '3000']);
  await run('bob', ['pay', b.handle, a.handle, '1000']);
  await run('alice', ['sync']);
  log(`paid, receipt ${receipt.token}`);
  const statuses = {
    alice: (await run('alice', ['status']))[0],
    bob: (await run('bob', ['status']))[0],
  };
  for (const n of names) await run(n, ['close', '--all']);
  for (let i = 0; i < 8; i++) {
    await rpc.call('generatetoaddress', [5, mineTo]);
    for (const n of names) await run(n, ['status']);
  }
  log('settled');
  const deviations: string[] = [];
  const rows = [];
  const summary = [];
  for (const n of names) {
    const s = statuses[n];
    const sent = BigInt(s.sent);
    const received = BigInt(s.received);
    const final = BigInt((await run(n, ['balance'])).balance);
    const expected = FUNDED - sent + received;
    const fees = expected - final;
    if (fees < 0n || fees > 20_000n)
      deviations.push(`${n}: ${final} on chain, expected ${expected} less fees (fees ${fees})`);
    summary.push({ client: n, funded: FUNDED, sent, received, final, fees });
    rows.push([
      n,
      FUNDED.toString(),
      sent.toString(),
      received.toString(),
      fees.toString(),
      final.toString(),
    ]);
  }
  if (
    statuses.alice.sent !== statuses.bob.received ||
    statuses.bob.sent !== statuses.alice.received
  )
    deviations.push('payments sent and received through the hub differ');
  if (json)
    process.stdout.write(
      `${toJson({ ok: deviations.length === 0, clients: summary, deviations })}\n`,
    );
  else {
    process.stdout.write(
      `${renderTable({ columns: ['CLIENT', 'FUNDED', 'SENT', 'RECEIVED', 'FEES', 'FINAL'], rows, right: [1, 2, 3, 4, 5] })}\n`,
    );
    process.stdout.write(
      deviations.length === 0
        ? 'every balance adds up\n'
        : `DEVIATIONS:\n${deviations.join('\n')}\n`,
    );
  }
  return deviations.length === 0 ? 0 : 1;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((error: unknown) => {
    cleanup();
    process.stderr.write(
      `error MAIN_JOB: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
