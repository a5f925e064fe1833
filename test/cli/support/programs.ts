import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(import.meta.dirname, '../../..');

export { bundleProgram } from '../../../tools/main-job/bundle.js';

/** What a finished child printed. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How long one command may run before it is killed: a hang then fails the test with what the
 * program printed so far, instead of the test timing out with nothing to read.
 */
const commandDeadlineMs = 240_000;

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
    const deadline = setTimeout(() => {
      stderr += `\n[test] ${args.join(' ')}: timed out after ${commandDeadlineMs} ms, killed\n`;
      child.kill('SIGKILL');
    }, commandDeadlineMs);
    child.on('close', (code) => {
      clearTimeout(deadline);
      ok({ code, stdout, stderr });
    });
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
