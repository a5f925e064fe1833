export { runCli, type CliIo, GLOBAL_OPTIONS } from './main.js';
export { EXIT, type ExitCode, classify } from './exit-codes.js';
export { CliError, type CliErrorCode } from './errors.js';
export { resolveSettings, type Settings, CONFIG_KEYS } from './config.js';
export { renderTable, toJson, type Table } from './output.js';
export type { Command, CommandContext, CommandResult } from './command.js';
