/**
 * The default build never requires an optional backend: bundling the engine's entry points
 * for a browser pulls in @noble/curves and neither tiny-secp256k1 nor the `secp256k1` package.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('lazy loading of optional backends', () => {
  test('a browser bundle of crypto, scripts and transactions holds no optional package', async () => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/crypto/index.ts', 'src/scripts/index.ts', 'src/transactions/index.ts'],
      bundle: true,
      write: false,
      outdir: 'out',
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('@noble/curves'))).toBe(true);
    expect(
      inputs.filter((path) => /node_modules\/(tiny-secp256k1|secp256k1|elliptic)\//.test(path)),
    ).toEqual([]);
    // The loaders are there, behind an import of a specifier held in a variable.
    const text = result.outputFiles.map((f) => f.text).join('\n');
    expect(text).toContain('secp256k1/bindings.js');
    expect(text).not.toMatch(/\brequire\(\s*["']/);
  });
});
