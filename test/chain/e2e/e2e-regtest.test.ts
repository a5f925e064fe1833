import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimnet } from '../../../src/simnet/index.js';
import { bitcoreScriptVerifier } from '../../support/bitcore-verifier.js';

const MAIN = join(import.meta.dirname, '../../../tools/e2e-regtest/main.ts');

function runTool(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('e2e-regtest tool', () => {
  it('passes its three lifecycles against a simnet whose scripts bitcore checks', async () => {
    const node = await startSimnet({ chainOptions: { verifyScript: bitcoreScriptVerifier } });
    try {
      const { code, out, err } = await runTool(['--rpc', node.url, '--cookie', node.cookieFile]);
      expect(err).toBe('');
      expect(out).not.toContain('FAIL');
      expect(out.match(/^ {2}ok /gm)?.length).toBe(19);
      expect(out).toContain('All checks passed.');
      expect(code).toBe(0);
      // Every channel transaction went through the node and got mined.
      expect(node.chain.mempoolTxids()).toEqual([]);
    } finally {
      await node.close();
    }
  });

  it('exits 2 on a bad command line and 1 when the node cannot be reached', async () => {
    expect((await runTool(['--rpc', 'http://127.0.0.1:1/'])).code).toBe(2);
    const down = await runTool([
      '--rpc',
      'http://127.0.0.1:1/',
      '--rpcuser',
      'u',
      '--rpcpassword',
      'p',
    ]);
    expect(down.code).toBe(1);
    expect(down.err).toContain('NODE_UNREACHABLE');
  });
});
