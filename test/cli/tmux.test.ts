import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxServer, hasTmux, tmuxRequired } from '../support/tmux.js';
import { CliWorld } from './support/world.js';

const tmux = new TmuxServer('cli-test');
const skip = !hasTmux && !tmuxRequired;

let w: CliWorld;
beforeAll(async () => {
  if (skip) return;
  w = await CliWorld.create(false);
  const address = await w.wallet('tty', 0);
  await w.rpc.call('faucet', [address, 0.5]);
  await w.rpc.call('faucet', [address, 0.00012345]);
}, 120_000);
afterAll(async () => {
  if (skip) return;
  tmux.kill();
  await w?.close();
});

describe.skipIf(skip)('human output in a real terminal (tmux)', () => {
  it('prints aligned tables, the same on a terminal and through a pipe, with no escape codes', {
    timeout: 120_000,
  }, async () => {
    const env = { ...process.env, ...w.env('tty'), TERM: 'xterm-256color' };
    tmux.start(160, 50, env);
    const cli = `${process.execPath} ${w.cliBundle}`;
    const [onTty, piped] = [
      await tmux.inPane('tty', `${cli} balance`),
      await tmux.inPane('piped', `${cli} balance 2>&1 | cat`),
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
    const failed = await tmux.inPane('error', `${cli} send nowhere 5; echo "exit $?"`);
    expect(failed).toMatch(/^error WALLET_BAD_ADDRESS: not a regtest address: nowhere\nexit 2$/m);
  });
});
