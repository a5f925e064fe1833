import type { ParseArgsConfig } from 'node:util';
import type { Settings } from './config.js';

/** What a command returns: the `--json` value and the human text (tables). */
export interface CommandResult {
  readonly json: unknown;
  readonly human: string;
}

/** What a command runs with. */
export interface CommandContext {
  readonly settings: Settings;
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Progress lines for long waits; go to stderr, so `--json` output stays one document. */
  progress(line: string): void;
  /** First line of standard input (for a restored mnemonic). */
  readStdinLine(): Promise<string>;
}

/** One subcommand of the `picopayments` program. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Usage line after the program name, e.g. `send ADDRESS QTY`. */
  readonly usage: string;
  /** Longer help: what it does, its options. */
  readonly help: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Bounds on the number of positional arguments. */
  readonly positionals: readonly [min: number, max: number];
  run(context: CommandContext): Promise<CommandResult>;
}
