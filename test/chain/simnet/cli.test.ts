import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCli } from '../../../src/simnet/cli-options.js';

const MAIN = join(import.meta.dirname, '../../../src/simnet/main.ts');

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function collect(stream: NodeJS.ReadableStream | null): { text: () => string } {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { text: () => text };
}

describe('picopayments-simnet command line', () => {
  it('parses the chain flags together and refuses bad fee rates', () => {
    expect(parseCli(['--start-height', '7', '--fullrbf', '--minrelaytxfee', '1.5'])).toEqual({
      help: false,
      options: { chainOptions: { startHeight: 7, replaceByFee: true, minRelayFeeRate: 1.5 } },
    });
    for (const bad of [
      ['--minrelaytxfee', 'x'],
      ['--minrelaytxfee', '-1'],
      ['--feerate', ''],
    ])
      expect(() => parseCli(bad)).toThrow(CliUsageError);
  });
});

describe('picopayments-simnet command', () => {
  it('prints its flags with --help and exits 0; refuses an unknown flag with 2', async () => {
    const help = run(['--help']);
    const out = collect(help.stdout);
    expect(await exit(help)).toBe(0);
    for (const flag of ['--port', '--datadir', '--help']) expect(out.text()).toContain(flag);
    const bad = run(['--bogus']);
    const err = collect(bad.stderr);
    expect(await exit(bad)).toBe(2);
    expect(err.text()).toContain('unknown option --bogus');
  });

  it('serves RPC at the printed URL with the cookie in --datadir, and exits 0 on SIGTERM', async () => {
    const datadir = mkdtempSync(join(tmpdir(), 'simnet-cli-'));
    const child = run([
      '--port',
      '0',
      '--datadir',
      datadir,
      '--feerate',
      '3',
      '--fullrbf',
      '--minrelaytxfee',
      '2',
    ]);
    const exited = exit(child);
    const out = collect(child.stdout);
    const started = Date.now();
    while (!out.text().includes('cookie ')) {
      if (Date.now() - started > 20_000) throw new Error(`no startup line: ${out.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /^rpc (\S+)$/m.exec(out.text())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const cookieFile = join(datadir, '.cookie');
    const cookie = await readFile(cookieFile, 'utf8');
    const response = await fetch(url!, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(cookie).toString('base64')}` },
      body: JSON.stringify({ id: 1, method: 'estimatesmartfee', params: [2] }),
    });
    expect(await response.json()).toEqual({
      result: { feerate: 0.00003, blocks: 2 },
      error: null,
      id: 1,
    });
    const mempool = await fetch(url!, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(cookie).toString('base64')}` },
      body: JSON.stringify({ id: 2, method: 'getmempoolinfo', params: [] }),
    });
    expect(((await mempool.json()) as { result: unknown }).result).toMatchObject({
      mempoolminfee: 0.00002,
      fullrbf: true,
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(cookieFile)).toBe(false);
  });
});
