import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliWorld } from './support/world.js';

const tmux = spawnSync('tmux', ['-V']).status === 0;
if (!tmux)
  console.warn('tmux is not installed (apt-get install -y tmux): the terminal check is skipped');

const socket = `pp-cli-test-${process.pid}`;
const run = (args: string[], env?: NodeJS.ProcessEnv) =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: env ?? process.env });

let w: CliWorld;
beforeAll(async () => {
  if (!tmux) return;
  w = await CliWorld.create(false);
  const address = await w.wallet('tty', 0);
  await w.rpc.call('faucet', [address, 0.5]);
  await w.rpc.call('faucet', [address, 0.00012345]);
}, 120_000);
afterAll(async () => {
  if (!tmux) return;
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  await w?.close();
});

/** Runs a shell line in a fresh tmux window and returns the pane's text once `marker` shows. */
async function inPane(name: string, line: string): Promise<string> {
  run(['new-window', '-d', '-n', name, `${line}; echo DONE-${name}; sleep 60`]);
  for (let i = 0; i < 600; i++) {
    const text = run(['capture-pane', '-p', '-e', '-J', '-t', name]);
    if (text.includes(`DONE-${name}`)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} never finished: ${run(['capture-pane', '-p', '-t', name])}`);
}

describe.skipIf(!tmux)('human output in a real terminal (tmux)', () => {
  it('prints aligned tables, the same on a terminal and through a pipe, with no escape codes', {
    timeout: 120_000,
  }, async () => {
    const env = { ...process.env, ...w.env('tty'), TERM: 'xterm-256color' };
    run(['new-session', '-d', '-s', 'main', '-x', '160', '-y', '50', 'sleep 600'], env);
    const cli = `${process.execPath} ${w.cliBundle}`;
    const [onTty, piped] = [
      await inPane('tty', `${cli} balance`),
      await inPane('piped', `${cli} balance 2>&1 | cat`),
    ];
    for (const text of [onTty, piped]) {
      expect(text).not.toContain('\u001b');
      const lines = text.split('\n');
      const head = lines.findIndex((l) => /^OUTPOINT +KEY +SATOSHIS$/.test(l));
      expect(head, text).toBeGreaterThanOrEqual(0);
      const keyAt = lines[head]!.indexOf('KEY');
      const end = lines[head]!.length;
      const rows = lines.slice(head + 1, head + 3);
      for (const row of rows) {
        expect(row.indexOf('receive/')).toBe(keyAt);
        // Amounts are right-aligned under SATOSHIS.
        expect(row.length).toBe(end);
      }
      expect(rows.map((r) => r.trim().split(/ +/)[2])).toEqual(['50000000', '12345']);
      expect(text).toMatch(/^balance +50012345 sat$/m);
    }
    const table = (text: string) => text.slice(text.indexOf('OUTPOINT'), text.indexOf('DONE-'));
    expect(table(piped)).toBe(table(onTty));
    const failed = await inPane('error', `${cli} send nowhere 5; echo "exit $?"`);
    expect(failed).toMatch(/^error WALLET_BAD_ADDRESS: not a regtest address: nowhere\nexit 2$/m);
  });
});
