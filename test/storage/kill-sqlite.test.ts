import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CampaignReport, bundleWorker, killCampaign } from './kill-harness.js';
import { removeDir, tempDir } from './stores.js';

const KILLS = Number(process.env.KILL_RUNS ?? 50);
// The sealed variant writes through the same code path with other bytes: fewer kills keep the
// suite's time in bounds, the 50 per store are the plain runs.
const SEALED_KILLS = Number(process.env.KILL_RUNS ?? 20);
let worker: string;
let dir: string;
beforeAll(async () => {
  worker = await bundleWorker();
  dir = tempDir();
});
afterAll(() => {
  removeDir(dir);
  removeDir(join(worker, '..'));
});

function report(name: string, r: CampaignReport): void {
  process.stdout.write(
    `[kill] ${name}: ${r.kills} kills (${r.killedBeforeReady} while restoring, ${r.payerAhead} with a payment in flight), ${r.acknowledged / 1000n} payments acknowledged, all there; closed and settled\n`,
  );
}

describe('kill -9 during a payment stream', () => {
  test('control: a store that acknowledges before writing is caught within 20 kills', async () => {
    const spec = { backend: 'sqlite', path: join(dir, 'flawed.db'), flawed: true } as const;
    await expect(killCampaign('flawed store (control)', spec, worker, 20)).rejects.toThrow(
      /acknowledged/,
    );
  }, 120_000);

  test(`SqliteStore: ${KILLS} kills, nothing acknowledged is lost, the channel settles`, async () => {
    const r = await killCampaign(
      'SqliteStore',
      { backend: 'sqlite', path: join(dir, 'plain.db') },
      worker,
      KILLS,
    );
    report('SqliteStore', r);
    expect(r.kills).toBe(KILLS);
  }, 180_000);

  test(`SqliteStore (encrypted): ${SEALED_KILLS} kills, nothing acknowledged is lost, the channel settles`, async () => {
    const spec = {
      backend: 'sqlite',
      path: join(dir, 'sealed.db'),
      passphrase: 'kill test',
    } as const;
    const r = await killCampaign('SqliteStore (encrypted)', spec, worker, SEALED_KILLS);
    report('SqliteStore (encrypted)', r);
    expect(r.kills).toBe(SEALED_KILLS);
  }, 180_000);
});
