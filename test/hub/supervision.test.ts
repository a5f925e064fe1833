import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/hub/supervisor.js';
import { HubWorld } from './harness.js';

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('supervised jobs', () => {
  it('a job that throws is logged and retried, and shows as unhealthy; it recovers when it stops throwing', async () => {
    const logged: Record<string, unknown>[] = [];
    const s = new Supervisor((e) => logged.push(e));
    let failing = true;
    let runs = 0;
    s.add(
      'flaky',
      async () => {
        runs++;
        if (failing) throw new Error('boom');
      },
      { intervalMs: 1, backoffMs: 1, maxBackoffMs: 2 },
    );
    await until(() => runs >= 4);
    const [h] = s.health();
    expect(h!.healthy).toBe(false);
    expect(h!.failures).toBeGreaterThanOrEqual(3);
    expect(h!.lastError).toBe('boom');
    expect(logged[0]).toMatchObject({ event: 'job-failed', job: 'flaky' });
    failing = false;
    await until(() => s.health()[0]!.healthy);
    s.stop();
  });
});

describe('/health and /metrics over HTTP', () => {
  let w: HubWorld;
  beforeAll(async () => {
    w = await HubWorld.create();
  }, 20_000);
  afterAll(async () => w.close());

  it('serves health and Prometheus metrics, and a failing hub job turns health to 503', async () => {
    const base = w.server.url.replace(/\/rpc$/, '');
    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('picopayments_hub_payments_routed_total 0');
    expect(metrics).toContain('picopayments_hub_job_failures_total{job="chain"} 0');
    w.hub.supervisor.add(
      'broken',
      async () => {
        throw new Error('node down');
      },
      { intervalMs: 1, backoffMs: 1, maxBackoffMs: 2 },
    );
    await until(() => w.hub.supervisor.health().some((j) => j.name === 'broken' && j.failures > 2));
    const bad = await fetch(`${base}/health`);
    expect(bad.status).toBe(503);
    const body = (await bad.json()) as { jobs: { name: string; lastError: string }[] };
    expect(body.jobs.find((j) => j.name === 'broken')!.lastError).toBe('node down');
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /job_failures_total\{job="broken"\} [1-9]/,
    );
  });
});
