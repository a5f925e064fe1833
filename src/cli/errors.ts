import { PicopaymentsError } from '../errors.js';

/** Codes of {@link CliError}. */
export type CliErrorCode = 'CLI_USAGE' | 'CLI_BAD_CONFIG';

/** A command line, config file or environment the program cannot run with; nothing was changed. */
export class CliError extends PicopaymentsError<CliErrorCode> {}
