import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreRpcClient } from '../../src/chain/bitcoin-core/rpc-client.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { bundleProgram, runProgram } from './support/programs.js';

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let bundle: string;
/** The CLI as a child process (bundled once: see support/programs). */
function cli(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return runProgram(bundle, args, env, stdin);
}

let dir: string;
let node: Simnet;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-cli-'));
  bundle = await bundleProgram('src/cli-main.ts');
  node = await startSimnet({ datadir: join(dir, 'node') });
});
afterAll(async () => {
  await node.close();
  await rm(dir, { recursive: true, force: true });
});

describe('picopayments program', () => {
  it('prints help for the program and every command, exit 0', async () => {
    const top = await cli(['--help'], {});
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Exit codes:');
    const names = [...top.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(names).toEqual(expect.arrayContaining(['init', 'address', 'balance']));
    const helps = await Promise.all(
      ['init', 'address', 'balance'].map((n) => cli([n, '--help'], {})),
    );
    for (const h of helps) {
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/^Usage: picopayments /);
    }
  });

  it('rejects bad usage and bad config with exit 2, one error line, nothing written', async () => {
    const data = join(dir, 'bad');
    const env = { PICOPAYMENTS_DATA_DIR: data, PICOPAYMENTS_PASSPHRASE: 'pw' };
    const cases: [string[], Record<string, string>, string][] = [
      [['frobnicate'], {}, 'CLI_USAGE'],
      [['init', '--nope'], {}, 'CLI_USAGE'],
      [['init', 'extra'], {}, 'CLI_USAGE'],
      [['init', '--kdf-log-n', '40'], {}, 'CLI_USAGE'],
      [['init', '--network', 'moonnet'], {}, 'CLI_BAD_CONFIG'],
      [['init', '--config', join(dir, 'missing.json')], {}, 'CLI_BAD_CONFIG'],
      [['init'], { PICOPAYMENTS_HUB_URL: 'ftp://x' }, 'CLI_BAD_CONFIG'],
      [['init'], { PICOPAYMENTS_FEE_RATE: '-3' }, 'CLI_BAD_CONFIG'],
      [['init', '--restore'], {}, 'WALLET_BAD_MNEMONIC'],
    ];
    const runs = await Promise.all(
      cases.map(([args, extra]) => cli(args, { ...env, ...extra }, 'not a mnemonic\n')),
    );
    for (const [i, [args, , code]] of cases.entries()) {
      const run = runs[i]!;
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim()).toMatch(new RegExp(`^error ${code}: [^\\n]+$`));
      expect(run.stderr).not.toContain('    at ');
    }
    const texts = ['{', '[]', '{"network":5}', '{"colour":"blue"}'];
    await Promise.all(texts.map((text, i) => writeFile(join(dir, `c${i}.json`), text)));
    const configRuns = await Promise.all(
      texts.map((_, i) => cli(['init', '--config', join(dir, `c${i}.json`), '--json'], env)),
    );
    for (const run of configRuns) {
      expect(run.code).toBe(2);
      expect(JSON.parse(run.stdout)).toMatchObject({
        ok: false,
        error: { code: 'CLI_BAD_CONFIG', exitCode: 2 },
      });
    }
    expect(await readdir(data).catch(() => [])).toEqual([]);
  });

  it('restores a wallet, finds its coins on the simnet, refuses a wrong passphrase', async () => {
    const data = join(dir, 'w');
    const env = {
      PICOPAYMENTS_DATA_DIR: data,
      PICOPAYMENTS_PASSPHRASE: 'correct horse',
      PICOPAYMENTS_CHAIN_RPC: node.url,
      PICOPAYMENTS_CHAIN_COOKIE: node.cookieFile,
    };
    const init = await cli(
      ['init', '--restore', '--json', '--kdf-log-n', '14'],
      env,
      `${MNEMONIC}\n`,
    );
    expect(init.code).toBe(0);
    const created = JSON.parse(init.stdout);
    expect(created).toMatchObject({
      ok: true,
      command: 'init',
      result: { network: 'regtest', restored: true },
    });
    expect(created.result.mnemonic).toBeUndefined();
    expect(await readFile(join(data, 'wallet.json'), 'utf8')).not.toContain('abandon');
    const again = await cli(['init', '--restore'], env, `${MNEMONIC}\n`);
    expect(again.code).toBe(7);

    const address = JSON.parse((await cli(['address', '--json'], env)).stdout).result
      .address as string;
    expect(address).toBe(created.result.firstAddress);
    await new CoreRpcClient({ url: node.url, auth: { cookieFile: node.cookieFile } }).call(
      'faucet',
      [address, 0.01],
    );
    const balance = await cli(['balance', '--json'], env);
    expect(balance.code).toBe(0);
    const result = JSON.parse(balance.stdout).result;
    expect(result.balance).toBe('1000000');
    expect(result.coins).toHaveLength(1);
    const human = await cli(['balance'], env);
    expect(human.stdout).toMatch(/^OUTPOINT +KEY +SATOSHIS$/m);
    expect(human.stdout).toMatch(/receive\/0 +1000000$/m);

    const other = 'bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk';
    const sent = await cli(['send', other, '250000', '--json'], env);
    expect(sent.code, sent.stderr).toBe(0);
    const paid = JSON.parse(sent.stdout).result;
    expect(paid.amount).toBe('250000');
    const after = JSON.parse((await cli(['balance', '--json'], env)).stdout).result;
    expect(BigInt(after.balance) + BigInt(paid.fee) + 250000n).toBe(1000000n);
    const poor = await cli(['send', other, '99000000'], env);
    expect(poor.code).toBe(5);
    expect((await cli(['send', 'bc1qnotanaddress', '1000'], env)).code).toBe(2);

    const wrong = await cli(['balance'], { ...env, PICOPAYMENTS_PASSPHRASE: 'wrong' });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toBe(
      'error WALLET_WRONG_PASSPHRASE: the passphrase does not open this wallet\n',
    );
    const unreachable = await cli(['balance'], {
      ...env,
      PICOPAYMENTS_CHAIN_RPC: 'http://127.0.0.1:1/',
    });
    expect(unreachable.code).toBe(3);
  });
});
