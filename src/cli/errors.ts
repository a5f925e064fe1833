import { PicopaymentsError } from '../errors.js';

/** Codes of {@link CliError}. */
export type CliErrorCode = 'CLI_USAGE' | 'CLI_BAD_CONFIG' | 'CLI_TIMEOUT';

/** A command line, config file or environment the program cannot run with; nothing was changed. */
export class CliError extends PicopaymentsError<CliErrorCode> {}

/** The hub sent a commit that the client's engine refused (the hub client has no code for it). */
export class HubCommitError extends PicopaymentsError<'HUB_BAD_COMMIT'> {}
