import type { ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreRpcClient } from '../../../src/chain/bitcoin-core/rpc-client.js';
import { type Simnet, startSimnet } from '../../../src/simnet/index.js';
import { type Run, bundleProgram, runProgram, startDaemon } from './programs.js';

/** A command's `--json` result, read loosely. */
// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output is checked field by field
type Loose = any;

/** Where blocks mined by tests go (no wallet of the tests owns it). */
export const MINE_TO = 'bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk';

/**
 * A simnet on loopback (in the test process, so a test can mine), and the bundled CLI run as
 * a child process per command; optionally the hub program as a child process too.
 */
export class CliWorld {
  dir!: string;
  node!: Simnet;
  rpc!: CoreRpcClient;
  cliBundle!: string;
  hubUrl = '';
  private hub: ChildProcess | undefined;

  static async create(withHub: boolean): Promise<CliWorld> {
    const w = new CliWorld();
    w.dir = await mkdtemp(join(tmpdir(), 'pp-cli-world-'));
    const [cli, hub] = await Promise.all([
      bundleProgram('src/cli-main.ts'),
      withHub ? bundleProgram('src/hub-main.ts') : Promise.resolve(''),
      startSimnet({ datadir: join(w.dir, 'node') }).then((n) => {
        w.node = n;
      }),
    ]);
    w.cliBundle = cli;
    w.rpc = new CoreRpcClient({ url: w.node.url, auth: { cookieFile: w.node.cookieFile } });
    if (withHub) {
      const daemon = startDaemon(
        hub,
        [
          '--chain-rpc',
          w.node.url,
          '--chain-cookie',
          w.node.cookieFile,
          '--db',
          join(w.dir, 'hub.sqlite'),
          '--port',
          '0',
          '--faucet-sats',
          '20000000',
        ],
        { PICOPAYMENTS_HUB_SEED: '22'.repeat(32) },
      );
      w.hub = daemon.child;
      const line = await daemon.line((l) => l.includes('"listening"'));
      w.hubUrl = (JSON.parse(line) as { url: string }).url;
    }
    return w;
  }

  /** Environment of a client whose data lives in `name`. */
  env(name: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      PICOPAYMENTS_DATA_DIR: join(this.dir, name),
      PICOPAYMENTS_PASSPHRASE: `pass of ${name.split('-')[0]}`,
      PICOPAYMENTS_CHAIN_RPC: this.node.url,
      PICOPAYMENTS_CHAIN_COOKIE: this.node.cookieFile,
      ...(this.hubUrl ? { PICOPAYMENTS_HUB_URL: this.hubUrl } : {}),
      PICOPAYMENTS_POLL_MS: '100',
      ...extra,
    };
  }

  /** Runs `picopayments ARGS` for client `name`. */
  cli(
    name: string,
    args: readonly string[],
    extra: Record<string, string> = {},
    stdin = '',
    onStderr?: (soFar: string) => void,
  ): Promise<Run> {
    return runProgram(this.cliBundle, args, this.env(name, extra), stdin, onStderr);
  }

  /** A copy of client `name`'s data directory as client `copy` (one process per store at a time). */
  async copyClient(name: string, copy: string): Promise<void> {
    await cp(join(this.dir, name), join(this.dir, copy), { recursive: true });
  }

  /** `--json` result of a command that must succeed (read loosely: tests check the fields they use). */
  async json(
    name: string,
    args: readonly string[],
    extra: Record<string, string> = {},
  ): Promise<Loose> {
    const run = await this.cli(name, [...args, '--json'], extra);
    if (run.code !== 0) throw new Error(`${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout).result;
  }

  /** A wallet for `name`, funded with `sats` from the faucet. */
  async wallet(name: string, sats: number): Promise<string> {
    await this.json(name, ['init', '--kdf-log-n', '14']);
    const { address } = await this.json(name, ['address']);
    if (sats > 0) await this.rpc.call('faucet', [address, sats / 1e8]);
    return address as string;
  }

  mine(blocks: number): Promise<unknown> {
    return this.rpc.call('generatetoaddress', [blocks, MINE_TO]);
  }

  /** Mines a block every `ms` until the returned function is called. */
  mineEvery(ms: number): () => void {
    const timer = setInterval(() => void this.mine(1).catch(() => undefined), ms);
    return () => clearInterval(timer);
  }

  async close(): Promise<void> {
    if (this.hub && this.hub.exitCode === null) this.hub.kill('SIGKILL');
    await this.node.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
