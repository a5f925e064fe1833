import { execFileSync, spawnSync } from 'node:child_process';

/** True when tmux runs here. */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * Whether the terminal tests must run: CI installs tmux and sets `PICOPAYMENTS_REQUIRE_TMUX=1`,
 * so that a missing tmux fails there instead of skipping.
 */
export const tmuxRequired = process.env.PICOPAYMENTS_REQUIRE_TMUX === '1';

if (!hasTmux)
  console.warn(
    tmuxRequired
      ? 'tmux is required (PICOPAYMENTS_REQUIRE_TMUX=1) but not installed'
      : 'tmux is not installed (apt-get install -y tmux): the terminal checks are skipped',
  );

/** A tmux server of its own (a socket named for this process and `name`), for one test file. */
export class TmuxServer {
  private readonly socket: string;

  constructor(name: string) {
    this.socket = `pp-${name}-${process.pid}`;
  }

  /** Runs a tmux command on this server. */
  run(args: string[], env?: NodeJS.ProcessEnv): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      encoding: 'utf8',
      env: env ?? process.env,
    });
  }

  /** Starts the server with one idle session of `columns` x `rows`. */
  start(columns: number, rows: number, env: NodeJS.ProcessEnv): void {
    this.run(
      ['new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), 'sleep 600'],
      env,
    );
  }

  /**
   * Runs a shell line in a fresh window (a real terminal) and returns the pane's text, escape
   * codes included, once the line has finished.
   */
  async inPane(name: string, line: string, timeoutMs = 60_000): Promise<string> {
    this.run(['new-window', '-d', '-n', name, `${line}; echo DONE-${name}; sleep 60`]);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const text = this.run(['capture-pane', '-p', '-e', '-J', '-S', '-', '-t', name]);
      if (text.includes(`DONE-${name}`)) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} never finished: ${this.run(['capture-pane', '-p', '-t', name])}`);
  }

  /** Stops the server and everything in it. */
  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
