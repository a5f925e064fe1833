import { createInterface } from 'node:readline';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Command, CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CONFIG_HELP, resolveSettings } from './config.js';
import { CliError } from './errors.js';
import { EXIT, EXIT_CODES_HELP, type ExitCode, classify } from './exit-codes.js';
import { toJson } from './output.js';

/** Where the program writes, and what it reads; the real process in `cli-main.ts`. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  network: { type: 'string' },
  'hub-url': { type: 'string' },
  'chain-rpc': { type: 'string' },
  'chain-cookie': { type: 'string' },
  'esplora-url': { type: 'string' },
  'fee-rate': { type: 'string' },
  'passphrase-fd': { type: 'string' },
};

const GLOBAL_HELP = `Global options:
  --json            machine output: one JSON document on stdout (amounts as decimal strings)
  --debug           print stack traces of errors
  --passphrase-fd N read the wallet passphrase from file descriptor N
                    (else PICOPAYMENTS_PASSPHRASE, else a prompt on the terminal)
  -h, --help        help`;

function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `picopayments: a client of a picopayments hub, with its own BIP32 wallet.

Usage: picopayments COMMAND [ARGS] [OPTIONS]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "picopayments COMMAND --help" for a command's help.

${GLOBAL_HELP}

${CONFIG_HELP}

${EXIT_CODES_HELP}
`;
}

function commandHelp(command: Command): string {
  return `Usage: picopayments ${command.usage} [OPTIONS]

${command.help}

${GLOBAL_HELP}

${EXIT_CODES_HELP}
`;
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stream });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!done) resolve('');
    });
  });
}

/** Finds the command name: the first positional of a lenient parse. */
function findCommand(args: readonly string[]): Command | undefined {
  const all: Options = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(all, c.options);
  const { positionals } = parseArgs({
    args: [...args],
    options: all,
    strict: false,
    allowPositionals: true,
  });
  return COMMANDS.find((c) => c.name === positionals[0]);
}

/**
 * Runs the program on `args` (after the program name) and returns its exit code. Output goes
 * through `io`; errors become one `error CODE: message` line on stderr (a stack only with
 * `--debug`), or a JSON error document on stdout with `--json`.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const json = args.includes('--json');
  const debug = args.includes('--debug');
  try {
    const command = findCommand(args);
    if (!command) {
      if (args.includes('--help') || args.includes('-h') || args.length === 0) {
        io.stdout(programHelp());
        return args.length === 0 ? EXIT.USAGE : EXIT.OK;
      }
      const name = args.find((a) => !a.startsWith('-'));
      throw new CliError(
        'CLI_USAGE',
        name ? `unknown command ${JSON.stringify(name)}` : 'no command given',
      );
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: [...args],
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new CliError(
        'CLI_USAGE',
        `${(error as Error).message.split('\n')[0]} (see picopayments ${command.name} --help)`,
      );
    }
    const flags = parsed.values as Record<string, string | boolean | undefined>;
    if (flags.help) {
      io.stdout(commandHelp(command));
      return EXIT.OK;
    }
    const positionals = parsed.positionals.slice(1);
    const [min, max] = command.positionals;
    if (positionals.length < min || positionals.length > max)
      throw new CliError('CLI_USAGE', `usage: picopayments ${command.usage}`);
    const context: CommandContext = {
      settings: resolveSettings(flags, io.env),
      flags,
      positionals,
      env: io.env,
      // Human mode only: with --json, stderr carries nothing but the error line.
      progress: json ? () => undefined : (line) => io.stderr(`${line}\n`),
      readStdinLine: () => firstLine(io.stdin),
    };
    const result = await command.run(context);
    io.stdout(
      json
        ? `${toJson({ ok: true, command: command.name, result: result.json })}\n`
        : `${result.human}\n`,
    );
    return EXIT.OK;
  } catch (error) {
    const { exit, code, message } = classify(error);
    if (json) io.stdout(`${toJson({ ok: false, error: { code, message, exitCode: exit } })}\n`);
    io.stderr(`error ${code}: ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return exit;
  }
}
