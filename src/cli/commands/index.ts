import type { Command } from '../command.js';
import {
  backupCommand,
  cancelCommand,
  closeCommand,
  connectCommand,
  cullCommand,
  historyCommand,
  hubStatusCommand,
  payCommand,
  restoreCommand,
  statusCommand,
  syncCommand,
} from './hub-commands.js';
import { addressCommand, balanceCommand, initCommand, sendCommand } from './wallet-commands.js';

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  addressCommand,
  balanceCommand,
  sendCommand,
  hubStatusCommand,
  connectCommand,
  payCommand,
  syncCommand,
  statusCommand,
  historyCommand,
  closeCommand,
  cullCommand,
  cancelCommand,
  backupCommand,
  restoreCommand,
];
