import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
// The section as the README shows it (kept in sync with using-the-engine.md by a test below).
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const markdown = readme.slice(
  readme.indexOf('## Using the engine'),
  readme.indexOf('\n## ', readme.indexOf('## Using the engine') + 1),
);
const workdir = mkdtempSync(join(tmpdir(), 'readme-example-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** The one ```ts block of the section, exactly as the README shows it. */
function exampleCode(): string {
  const blocks = [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  if (blocks.length !== 1) throw new Error(`expected one ts block, found ${blocks.length}`);
  return blocks[0]!;
}

/** Runs the example verbatim, with `picopayments` resolved to this checkout's sources. */
async function runExample(): Promise<string> {
  const code = exampleCode();
  const importLine = /from 'picopayments';/g;
  if ((code.match(importLine) ?? []).length !== 1)
    throw new Error('the example must import picopayments once');
  // The package entry point plus the manager, whichever of them already re-exports it.
  const entry = join(workdir, 'picopayments.mts');
  writeFileSync(
    entry,
    `export * from ${JSON.stringify(join(root, 'src/index.js'))};\nexport * from ${JSON.stringify(join(root, 'src/manager/index.js'))};\n`,
  );
  const script = join(workdir, 'example.mts');
  writeFileSync(script, code.replace(importLine, `from ${JSON.stringify(entry)};`));
  const tsx = join(root, 'node_modules/.bin/tsx');
  const { stdout } = await run(tsx, [script], { cwd: root, timeout: 60_000 });
  return stdout;
}

function printed(stdout: string, label: string): bigint {
  const match = stdout.match(new RegExp(`^${label} (\\d+)$`, 'm'));
  if (!match) throw new Error(`no "${label}" line in:\n${stdout}`);
  return BigInt(match[1]!);
}

describe('README: Using the engine', () => {
  it('is the section kept in test/readme/using-the-engine.md', () => {
    const kept = readFileSync(join(import.meta.dirname, 'using-the-engine.md'), 'utf8');
    expect(markdown.startsWith(kept.trimEnd())).toBe(true);
  });

  it('runs verbatim and ends with the balances the text promises', async () => {
    const stdout = await runExample();
    const payee = printed(stdout, 'payee balance');
    const payer = printed(stdout, 'payer balance');
    const fees = printed(stdout, 'fees');
    expect(stdout).toContain('received 10000 (total 10000)\nreceived 5000 (total 15000)\n');
    expect(stdout).toContain('payee paid-out');
    expect(stdout).toContain('payer settled');
    // The payee keeps its 10,000 commit minus the payout fee (2 sat/vB on a small transaction).
    expect(payee).toBeLessThan(10_000n);
    expect(payee).toBeGreaterThan(10_000n - 2n * 600n);
    // Nothing is lost: what the payer's wallet held is now the two balances plus the fees.
    expect(payer + payee + fees).toBe(1_000_000n);
    expect(payer).toBeLessThan(990_000n);
    expect(payer).toBeGreaterThan(990_000n - 4n * 2n * 600n);
  }, 90_000);

  it('finds the one ts block and refuses output without the balance lines', () => {
    expect(exampleCode()).toContain("from 'picopayments';");
    expect(() => printed('payee balance 12\n', 'payer balance')).toThrow();
  });
});
