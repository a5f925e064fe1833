import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';

/** Runs the main job as the README's first command does, with machine output. */
function runMainJob(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/main-job/main.ts', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the main job', () => {
  test('simnet, hub and two clients as separate processes: payments both ways, close, every balance adds up', async () => {
    const { code, stdout, stderr } = await runMainJob();
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      ok: boolean;
      deviations: unknown[];
      clients: {
        client: string;
        funded: string;
        sent: string;
        received: string;
        final: string;
        fees: string;
      }[];
    };
    expect(summary.ok).toBe(true);
    expect(summary.deviations).toEqual([]);
    expect(summary.clients.map((c) => c.client)).toEqual(['alice', 'bob']);
    for (const c of summary.clients) {
      // What a client ends with is what it was funded with, less what it sent and paid in fees,
      // plus what it received.
      expect(BigInt(c.final)).toBe(
        BigInt(c.funded) - BigInt(c.sent) - BigInt(c.fees) + BigInt(c.received),
      );
      expect(BigInt(c.sent)).toBeGreaterThan(0n);
      expect(BigInt(c.received)).toBeGreaterThan(0n);
    }
  }, 300_000);
});
