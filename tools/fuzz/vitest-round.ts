import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROPERTY_REPORT_ENV } from '../../test/support/property-config.js';

/** One vitest run of property suites with a fixed seed. */
export interface RoundRequest {
  /** Repository root: the working directory of vitest. */
  readonly root: string;
  /** Suite files relative to the root. */
  readonly files: readonly string[];
  readonly seed: number;
  /** `FC_RUNS`; null leaves each property at its own CI budget. */
  readonly runs: number | null;
  readonly noShrink: boolean;
  /** File the properties append their records to. */
  readonly reportFile: string;
  /** Extra vitest arguments (e.g. `--config`), also part of every replay command. */
  readonly vitestArgs: readonly string[];
  /** `inherit` shows vitest's output; `capture` keeps it for the caller. */
  readonly output: 'inherit' | 'capture';
  /** Stops the run (the whole process group) when it fires: budget spent or interrupted. */
  readonly signal?: AbortSignal;
}

/** How a round ended. */
export interface RoundResult {
  /** vitest's exit code; null when it was stopped. */
  readonly exitCode: number | null;
  /** True when `signal` stopped the run before it finished. */
  readonly stopped: boolean;
  /** Captured stdout and stderr (last 64 KiB), empty with `inherit`. */
  readonly output: string;
  readonly durationMs: number;
}

/** Most captured output kept per round. */
const OUTPUT_TAIL = 64 * 1024;
/** Grace period between SIGTERM and SIGKILL when a round is stopped. */
const KILL_GRACE_MS = 3000;

/**
 * The arguments of a vitest run without any per-test or hook timeout: long fuzz runs must only
 * end when their budget says so.
 */
export function vitestArguments(files: readonly string[], extra: readonly string[]): string[] {
  return ['run', ...files, '--testTimeout=0', '--hookTimeout=0', ...extra];
}

/** The environment of a round: the parent's, plus the fast-check settings of the round. */
export function roundEnvironment(request: RoundRequest): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FC_SEED: String(request.seed),
    [PROPERTY_REPORT_ENV]: request.reportFile,
  };
  if (request.runs === null) delete env.FC_RUNS;
  else env.FC_RUNS = String(request.runs);
  if (request.noShrink) env.FC_NO_SHRINK = '1';
  else delete env.FC_NO_SHRINK;
  return env;
}

/**
 * Runs vitest (the project's own, through node) on the suites. The child leads its own process
 * group so that stopping a round also stops vitest's workers.
 */
export function runRound(request: RoundRequest): Promise<RoundResult> {
  const started = performance.now();
  const cli = join(request.root, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(
    process.execPath,
    [cli, ...vitestArguments(request.files, request.vitestArgs)],
    {
      cwd: request.root,
      env: roundEnvironment(request),
      stdio: request.output === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  if (request.signal?.aborted) stop();
  request.signal?.addEventListener('abort', stop, { once: true });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killTimer);
      request.signal?.removeEventListener('abort', stop);
      resolve({
        exitCode: stopped ? null : code,
        stopped,
        output,
        durationMs: performance.now() - started,
      });
    });
  });
}
