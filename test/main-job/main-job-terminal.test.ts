import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TmuxServer, hasTmux, tmuxRequired } from '../support/tmux.js';

const root = resolve(import.meta.dirname, '../..');
const tmux = new TmuxServer('main-job');
afterAll(() => tmux.kill());

describe.skipIf(!hasTmux && !tmuxRequired)('the main job in a real terminal (tmux)', () => {
  it('prints its steps and an aligned summary table in which every balance adds up, with no escape codes', {
    timeout: 300_000,
  }, async () => {
    tmux.start(120, 60, { ...process.env, TERM: 'xterm-256color' });
    const text = await tmux.inPane(
      'main',
      `cd ${root} && ${process.execPath} --import tsx tools/main-job/main.ts; echo "exit $?"`,
      280_000,
    );
    expect(text).not.toContain('\u001b');
    expect(text).toMatch(/^exit 0$/m);
    for (const step of [
      'programs bundled',
      'wallets funded',
      'connected ',
      'paid, receipt ',
      'settled',
    ])
      expect(text).toContain(step);
    const lines = text.split('\n');
    const head = lines.findIndex((l) => /^CLIENT +FUNDED +SENT +RECEIVED +FEES +FINAL$/.test(l));
    expect(head, text).toBeGreaterThanOrEqual(0);
    const header = lines[head]!;
    const rows = lines.slice(head + 1, head + 3);
    expect(rows.map((r) => r.split(/ +/)[0])).toEqual(['alice', 'bob']);
    // Numbers are right-aligned: each ends where its heading ends.
    const ends = ['FUNDED', 'SENT', 'RECEIVED', 'FEES', 'FINAL'].map(
      (h) => header.indexOf(h) + h.length,
    );
    for (const row of rows) {
      expect(row.length).toBe(header.length);
      const cells = row.trim().split(/ +/).slice(1).map(BigInt);
      const [funded, sent, received, fees, final] = cells as [
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
      ];
      expect(final).toBe(funded - sent - fees + received);
      for (const end of ends) expect(row[end - 1]).toMatch(/\d/);
    }
    expect(lines[head + 3]).toBe('every balance adds up');
  });
});
