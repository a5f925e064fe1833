import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from './support/programs.js';
import { CliWorld } from './support/world.js';

let w: CliWorld;
beforeAll(async () => {
  w = await CliWorld.create(true);
  await Promise.all([w.wallet('alice', 1_000_000), w.wallet('bob', 1_000_000)]);
}, 120_000);
afterAll(async () => {
  await w?.close();
});

/** The one error line of a failed run: `error CODE: message`, no stack. */
function expectError(run: Run, exit: number, code: string, label: string): void {
  expect(run.code, `${label}: ${run.stderr}`).toBe(exit);
  expect(run.stderr.trim(), label).toMatch(new RegExp(`^error ${code}: [^\\n]+$`));
  expect(run.stderr, label).not.toContain('    at ');
}

/** A human table: header and rows whose columns start at the same offsets. */
function expectAligned(text: string, header: string[]): string[][] {
  const lines = text.trimEnd().split('\n');
  const head = lines.findIndex(
    (l) => header.every((h) => l.includes(h)) && l.startsWith(header[0]!),
  );
  expect(head, text).toBeGreaterThanOrEqual(0);
  const starts = header.map((h) => lines[head]!.indexOf(h));
  const rows: string[][] = [];
  for (const line of lines.slice(head + 1)) {
    if (line === '') break;
    expect(line).not.toMatch(/\s$/);
    // Each column's text sits within its column: left-aligned ones start at the heading.
    if (starts.length > 1)
      expect(line.slice(0, starts[1]).trimEnd().length).toBeLessThan(starts[1]!);
    rows.push(line.split(/ {2,}/));
  }
  expect(text).not.toContain('\u001b');
  return rows;
}

describe('hub commands, human and --json, against a simnet and a hub program', {
  timeout: 300_000,
}, () => {
  let a: string;
  let b: string;

  it('hub-status', async () => {
    // One process at a time per data directory: its channel store is locked while open.
    const human = await w.cli('alice', ['hub-status']);
    const json = await w.json('alice', ['hub-status']);
    expect(human.code, human.stderr).toBe(0);
    const rows = expectAligned(human.stdout, ['ASSET', 'DEPOSIT', 'EXPIRE', 'DELAY', 'FEE']);
    expect(rows[0]).toEqual(['BTC', '50000..10000000', '20..1000', '2..144', '0']);
    expect(human.stdout).toMatch(/^network +regtest$/m);
    expect(json.network).toBe('regtest');
    expect(json.terms.BTC).toMatchObject({
      depositMin: '50000',
      depositMax: '10000000',
      paymentFee: '0',
    });
    expect(json.hubPublicKey).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  // The wait gives up well before the test does, so that a stall fails with the CLI's own error.
  const CONNECT_AND_WAIT = [
    'connect',
    'BTC',
    '200000',
    '--expire-blocks',
    '100',
    '--delay-blocks',
    '4',
    '--wait',
    '--timeout',
    '150',
  ];

  it('connect (one with --wait and progress), sync, pay both ways, status, history', async () => {
    // Blocks come only once alice's client says it waits for them.
    let stop: () => void = () => {};
    let waited: Run;
    let bobJson: Run;
    try {
      [waited, bobJson] = await Promise.all([
        w.cli('alice', CONNECT_AND_WAIT, {}, '', (err) => {
          if (err.includes('waiting for') && stop.name !== 'stopMining') {
            const s = w.mineEvery(300);
            stop = function stopMining() {
              s();
            };
          }
        }),
        w.cli('bob', [...CONNECT_AND_WAIT, '--json']),
      ]);
    } finally {
      stop();
    }
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toMatch(
      /^waiting for the deposits to confirm: height \d+, [0-9a-f]{8} \S+ \(\d+s\)$/m,
    );
    a = /^handle +(\S+)$/m.exec(waited.stdout)![1]!;
    expect(waited.stdout).toMatch(/^hub deposit +200000$/m);
    expect(bobJson.code, bobJson.stderr).toBe(0);
    // Progress is for people: with --json, stderr stays empty.
    expect(bobJson.stderr).toBe('');
    const bobInfo = JSON.parse(bobJson.stdout);
    expect(bobInfo).toMatchObject({
      ok: true,
      command: 'connect',
      result: { asset: 'BTC', deposit: '200000' },
    });
    b = bobInfo.result.handle;

    const receipt = await w.json('alice', ['pay', a, b, '10000', '--memo', 'coffee']);
    expect(receipt).toMatchObject({ from: a, to: b, amount: '10000' });
    expect(receipt.token).toMatch(/\S{8,}/);
    const bobSync = await w.cli('bob', ['sync']);
    expect(bobSync.code, bobSync.stderr).toBe(0);
    const syncRows = expectAligned(bobSync.stdout, ['HANDLE', 'PAYMENTS', 'RECEIVED']);
    expect(syncRows[0]!.slice(0, 3)).toEqual([b, '1', '10000']);
    const back = await w.cli('bob', ['pay', b, a, '3000']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/^amount +3000$/m);
    const aliceSync = await w.json('alice', ['sync']);
    expect(aliceSync[0].received.map((p: { amount: string }) => p.amount)).toEqual(['3000']);

    const status = await w.cli('alice', ['status']);
    const statusJson = await w.json('alice', ['status']);
    const rows = expectAligned(status.stdout, [
      'HANDLE',
      'ASSET',
      'STATE',
      'SENT',
      'RECEIVED',
      'BALANCE',
    ]);
    expect(rows[0]!.slice(0, 2)).toEqual([a, 'BTC']);
    expect(statusJson[0]).toMatchObject({
      handle: a,
      sent: '10000',
      received: '3000',
      balance: '193000',
      closed: false,
    });
    expect(typeof statusJson[0].blocksUntilExpiry).toBe('number');

    const [history, historyJson] = await Promise.all([
      w.cli('alice', ['history']),
      w.json('bob', ['history', b]),
    ]);
    const hrows = expectAligned(history.stdout, [
      'TOKEN',
      'HANDLE',
      'DIRECTION',
      'COUNTERPARTY',
      'AMOUNT',
    ]);
    expect(hrows.map((r) => r[2])).toEqual(['sent', 'received']);
    expect(history.stdout).toContain('coffee');
    expect(
      historyJson.map((p: { direction: string; amount: string }) => `${p.direction} ${p.amount}`),
    ).toEqual(['received 10000', 'sent 3000']);
  });

  it('cancel a queued payment, backup and restore, bad arguments on live connections', async () => {
    const queued = await w.json('bob', ['pay', b, a, '500']);
    const cancelled = await w.cli('bob', ['cancel', queued.token]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(/^cancelled +\S+$/m);
    const history = await w.json('bob', ['history']);
    expect(history.find((p: { token: string }) => p.token === queued.token).state).toBe(
      'cancelled',
    );

    const file = join(w.dir, 'bob.backup');
    const backup = await w.json('bob', ['backup', file]);
    expect(backup.bytes).toBeGreaterThan(100);
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);
    // Another data directory gets the connections back from the backup.
    const mnemonicFree = await w.cli(
      'bob2',
      ['init', '--restore', '--kdf-log-n', '14'],
      {},
      `${'abandon '.repeat(11)}about\n`,
    );
    expect(mnemonicFree.code).toBe(0);
    const restored = await w.cli('bob2', ['restore', file]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^restored +\S+bob\.backup$/m);
    expect((await w.json('bob2', ['status'])).map((c: { handle: string }) => c.handle)).toEqual([
      b,
    ]);

    await writeFile(join(w.dir, 'garbage.backup'), '{"version": 7}');
    const cases: [string[], number, string][] = [
      [['connect', 'BTC', 'abc'], 2, 'CLI_USAGE'],
      [['connect', 'BTC'], 2, 'CLI_USAGE'],
      [['connect', 'BTC', '100000', '--expire-blocks', '0'], 2, 'CLI_USAGE'],
      [['connect', 'BTC', '100000', '--bogus'], 2, 'CLI_USAGE'],
      [['connect', 'BTC', '20000000'], 6, 'HUB_TERMS_VIOLATED'],
      [['connect', 'BTC', '100000', '--expire-blocks', '5000'], 6, 'HUB_TERMS_VIOLATED'],
      [['connect', 'BTC', '900000', '--expire-blocks', '100'], 5, 'WALLET_INSUFFICIENT_FUNDS'],
      [['pay', a, b, '-5'], 2, 'CLI_USAGE'],
      [['pay', a, b, '1', '--memo', 'x'.repeat(300)], 2, 'CLI_USAGE'],
      [['pay', 'nosuch', b, '1'], 2, 'CLI_USAGE'],
      [['pay', a, b, '1', '--max-fee', 'lots'], 2, 'CLI_USAGE'],
      [['sync', 'nosuch'], 2, 'UNKNOWN_HANDLE'],
      [['sync', a, b], 2, 'CLI_USAGE'],
      [['history', 'a', 'b'], 2, 'CLI_USAGE'],
      [['status', 'extra'], 2, 'CLI_USAGE'],
      [['hub-status', 'extra'], 2, 'CLI_USAGE'],
      [['close'], 2, 'CLI_USAGE'],
      [['close', a, '--all'], 2, 'CLI_USAGE'],
      [['close', 'nosuch'], 2, 'CLI_USAGE'],
      [['cancel'], 2, 'CLI_USAGE'],
      [['cancel', 'nosuchtoken'], 2, 'UNKNOWN_HANDLE'],
      [['backup'], 2, 'CLI_USAGE'],
      [['restore', join(w.dir, 'missing.backup')], 2, 'CLI_USAGE'],
      [['restore', join(w.dir, 'garbage.backup')], 2, 'BAD_BACKUP'],
      [['cull', 'extra'], 2, 'CLI_USAGE'],
    ];
    // Each case on its own copy of alice's data, so that they run at once.
    await Promise.all(cases.map((_, i) => w.copyClient('alice', `alice-${i}`)));
    const runs = await Promise.all(cases.map(([args], i) => w.cli(`alice-${i}`, args)));
    for (const [i, [args, exit, code]] of cases.entries())
      expectError(runs[i]!, exit, code, args.join(' '));
    const jsonRuns = await Promise.all(
      cases.slice(0, 6).map(([args], i) => w.cli(`alice-${i}`, [...args, '--json'])),
    );
    for (const [i, [, exit, code]] of cases.slice(0, 6).entries())
      expect(JSON.parse(jsonRuns[i]!.stdout)).toEqual({
        ok: false,
        error: { code, message: expect.any(String), exitCode: exit },
      });
    const debug = await w.cli('alice', ['sync', 'nosuch', '--debug']);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain('    at ');
    const offline = await w.cli('alice', ['hub-status'], {
      PICOPAYMENTS_HUB_URL: 'http://127.0.0.1:1/rpc',
    });
    expectError(offline, 3, 'HUB_UNREACHABLE', 'hub unreachable');
    const unset = await w.cli('alice', ['status'], { PICOPAYMENTS_HUB_URL: '' });
    expectError(unset, 2, 'CLI_BAD_CONFIG', 'no hub url');
    // Nothing above touched the connections.
    expect((await w.json('alice', ['status']))[0]).toMatchObject({
      handle: a,
      sent: '10000',
      closed: false,
    });
  });

  it('close one by handle, the others by state, wait for the chain to settle, cull', async () => {
    const one = await w.cli('alice', ['close', a]);
    expect(one.code, one.stderr).toBe(0);
    expect(expectAligned(one.stdout, ['CLOSED'])).toEqual([[a]]);
    const state = (await w.json('bob', ['status']))[0].state as string;
    const stop = w.mineEvery(300);
    let settled: Run;
    try {
      const byState = await w.json('bob', ['close', '--state', state]);
      expect(byState.closed).toEqual([b]);
      settled = await w.cli('alice', ['close', '--all', '--wait', '--timeout', '100']);
      // --all closes nothing more (alice's one is closed): the wait has nothing to wait for.
      expect(settled.code, settled.stderr).toBe(0);
      const waiting = await w.cli('bob', ['close', '--state', 'none-such', '--wait']);
      expect(waiting.code).toBe(0);
      for (let i = 0; i < 60; i++) {
        const culled = await w.json('alice', ['cull']);
        if (culled.culled.length > 0) {
          expect(culled.culled).toEqual([a]);
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
        if (i === 59) throw new Error('alice never settled');
      }
    } finally {
      stop();
    }
    const cull = await w.cli('alice', ['cull']);
    expect(cull.code).toBe(0);
    expect(cull.stdout.trim()).toBe('CULLED');
    expect(await w.json('alice', ['status'])).toEqual([]);
  });
});
