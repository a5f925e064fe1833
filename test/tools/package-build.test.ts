import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
// Inside the checkout, so that the built files find the package's dependencies.
const cache = join(ROOT, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const out = mkdtempSync(join(cache, 'package-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * `npm i picopayments` ships what `npm run build` makes: every entry of the package's exports and
 * bins must build as ESM, CommonJS and declarations, and the bins must run.
 */
describe('the package build', () => {
  test('builds every export and bin (ESM, CJS, declarations), and the bins answer --help', async () => {
    await run('npx', ['tsup', '--out-dir', out], { cwd: ROOT, timeout: 240_000 });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      exports: Record<
        string,
        { import: { types: string; default: string }; require: { types: string; default: string } }
      >;
    };
    for (const [name, entry] of Object.entries(pkg.exports))
      for (const file of [
        entry.import.types,
        entry.import.default,
        entry.require.types,
        entry.require.default,
      ])
        expect(existsSync(join(out, file.replace('./dist/', ''))), `${name}: ${file}`).toBe(true);
    for (const [name, file] of Object.entries(pkg.bin)) {
      const built = join(out, file.replace('./dist/', ''));
      expect(readFileSync(built, 'utf8').startsWith('#!/usr/bin/env node'), name).toBe(true);
      const help = await run('node', [built, '--help'], { timeout: 30_000 });
      // Exit 0 (execFile rejects otherwise), and the first line names the program.
      expect((help.stdout + help.stderr).split('\n')[0], name).toContain(name);
    }
  }, 300_000);
});
