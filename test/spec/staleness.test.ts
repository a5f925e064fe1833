import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { generateSpecFiles } from '../../tools/spec/spec-files.js';
import { compareWithDirectory, isFresh } from '../../tools/spec/staleness.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spec-check-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('generated specification', () => {
  let files: Map<string, string>;
  beforeAll(async () => {
    files = await generateSpecFiles();
  });

  test('generation is deterministic', async () => {
    expect(await generateSpecFiles()).toEqual(files);
    expect([...files.keys()]).toContain('sequence.md');
    for (const content of files.values()) {
      expect(content.endsWith('\n')).toBe(true);
      expect(content).not.toContain('\r');
    }
  });

  test('the staleness check reports stale, missing and extra files', () => {
    const dir = tempDir();
    for (const [name, content] of files) writeFileSync(join(dir, name), content);
    expect(isFresh(compareWithDirectory(files, dir))).toBe(true);

    writeFileSync(join(dir, 'scripts.md'), `${files.get('scripts.md')}edited by hand\n`);
    rmSync(join(dir, 'spec.json'));
    writeFileSync(join(dir, 'old-page.md'), 'no longer generated\n');
    expect(compareWithDirectory(files, dir)).toEqual({
      stale: ['scripts.md'],
      missing: ['spec.json'],
      extra: ['old-page.md'],
    });
  });

  test('the machine-readable spec holds nested states and the five spend paths', () => {
    const spec = JSON.parse(files.get('spec.json')!) as {
      machines: Record<string, { states: { path: string }[] }>;
      scripts: { spendPaths: { kind: string }[] };
    };
    expect(spec.machines.payer!.states.map((s) => s.path)).toContain('settling.remainder.waiting');
    expect(spec.machines.payee!.states.map((s) => s.path)).toContain('paidOut');
    expect(spec.scripts.spendPaths.map((p) => p.kind)).toEqual([
      'commit',
      'payout',
      'revoke',
      'change',
      'expire',
    ]);
  });
});
