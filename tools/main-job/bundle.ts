import { mkdtempSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');
const builtins = new Set(builtinModules);

/**
 * Bundles a program of src/ into one ES module in a temp dir, the way tsup bundles it for dist/,
 * so that the many child processes a test starts skip the TypeScript loader. Packages stay
 * external, pointed at by absolute path so that they resolve from outside the project.
 */
export async function bundleProgram(entry: string, outDir?: string): Promise<string> {
  const name = entry.replace(/[^A-Za-z0-9]+/g, '-');
  const outfile = join(outDir ?? mkdtempSync(join(tmpdir(), 'pp-bundle-')), `${name}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    plugins: [
      {
        name: 'absolute-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            const name = args.path.replace(/^node:/, '');
            if (builtins.has(name) || builtins.has(name.split('/')[0]!))
              return { path: args.path, external: true };
            return { path: fileURLToPath(import.meta.resolve(args.path)), external: true };
          });
        },
      },
    ],
  });
  return outfile;
}
