import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../../..');
const builtins = new Set(builtinModules);

/**
 * Bundles a program of src/ into one ES module in a temp dir, the way tsup bundles it for dist/,
 * so that the many child processes a test starts skip the TypeScript loader. Packages stay
 * external, pointed at by absolute path so that they resolve from outside the project.
 */
export async function bundleProgram(entry: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'pp-bundle-')), 'program.mjs');
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

/** What a finished child printed. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a bundled program to its end with `env` (and little else) and `stdin`. */
export function runProgram(
  bundle: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  stdin = '',
  onStderr?: (soFar: string) => void,
): Promise<Run> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? tmpdir(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    child.stdin.end(stdin);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

/** A long-running child and the first stdout line matching a test. */
export function startDaemon(
  bundle: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): { child: ChildProcess; line(match: (l: string) => boolean): Promise<string> } {
  const child = spawn(process.execPath, [bundle, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen: string[] = [];
  const waiting: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    seen.push(l);
    for (const w of waiting.splice(0)) w();
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return {
    child,
    line: (match) =>
      new Promise((ok, fail) => {
        const look = () => {
          const found = seen.find(match);
          if (found !== undefined) ok(found);
          else waiting.push(look);
        };
        look();
        child.once('exit', (code) => fail(new Error(`${bundle} exited ${code}: ${stderr}`)));
      }),
  };
}
