import type { Command } from '../command.js';
import { addressCommand, balanceCommand, initCommand, sendCommand } from './wallet-commands.js';

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  addressCommand,
  balanceCommand,
  sendCommand,
];
