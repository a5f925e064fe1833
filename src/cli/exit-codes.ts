import { PicopaymentsError } from '../errors.js';

/** Exit codes of the `picopayments` program. Stable: scripts branch on them. */
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** A runtime failure: the chain refused a transaction, a store or file failed, a bug. */
  RUNTIME: 1,
  /** Bad arguments, options, config file or environment; nothing was changed. */
  USAGE: 2,
  /** The hub or the chain node could not be reached. */
  UNREACHABLE: 3,
  /** Authentication failed: wrong passphrase, a hub signature or identity that does not verify. */
  AUTH: 4,
  /** The wallet cannot pay: not enough coins. */
  INSUFFICIENT_FUNDS: 5,
  /** The hub broke the protocol: bad deposit script, terms or commits. */
  HUB_MISBEHAVED: 6,
  /** The wallet file is missing or already exists (init twice, or no init yet). */
  WALLET_STATE: 7,
  /** A wait (`--wait`) ran out of time: the chain did not confirm or settle within `--timeout`. */
  TIMEOUT: 8,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The `--help` section listing exit codes. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  runtime error (chain refused a transaction, storage failure)
  2  usage error (bad arguments, config file or environment; nothing changed)
  3  hub or chain node unreachable
  4  authentication failure (wrong passphrase, hub signature or identity)
  5  insufficient funds
  6  the hub broke the protocol (deposit script, terms, commits, malformed answers)
  7  wallet missing (run init) or already initialised
  8  a --wait ran out of time (--timeout)`;

const BY_CODE: Readonly<Record<string, ExitCode>> = {
  CLI_USAGE: EXIT.USAGE,
  CLI_BAD_CONFIG: EXIT.USAGE,
  CLI_TIMEOUT: EXIT.TIMEOUT,
  UNKNOWN_HANDLE: EXIT.USAGE,
  BAD_BACKUP: EXIT.USAGE,
  WALLET_BAD_MNEMONIC: EXIT.USAGE,
  WALLET_BAD_ADDRESS: EXIT.USAGE,
  WALLET_NO_PASSPHRASE: EXIT.USAGE,
  UNKNOWN_NETWORK: EXIT.USAGE,
  NODE_UNREACHABLE: EXIT.UNREACHABLE,
  HUB_UNREACHABLE: EXIT.UNREACHABLE,
  WALLET_WRONG_PASSPHRASE: EXIT.AUTH,
  WRONG_PASSPHRASE: EXIT.AUTH,
  HUB_BAD_SIGNATURE: EXIT.AUTH,
  HUB_IDENTITY_CHANGED: EXIT.AUTH,
  WALLET_INSUFFICIENT_FUNDS: EXIT.INSUFFICIENT_FUNDS,
  HUB_TERMS_VIOLATED: EXIT.HUB_MISBEHAVED,
  HUB_BAD_DEPOSIT_SCRIPT: EXIT.HUB_MISBEHAVED,
  HUB_BAD_COMMIT: EXIT.HUB_MISBEHAVED,
  HUB_BAD_RESPONSE: EXIT.HUB_MISBEHAVED,
  WALLET_NOT_FOUND: EXIT.WALLET_STATE,
  WALLET_EXISTS: EXIT.WALLET_STATE,
};

/** The exit code of a failure, and the code printed in its `error CODE: message` line. */
export function classify(error: unknown): { exit: ExitCode; code: string; message: string } {
  if (error instanceof PicopaymentsError) {
    const prefix = `${error.code}: `;
    const message = error.message.startsWith(prefix)
      ? error.message.slice(prefix.length)
      : error.message;
    return { exit: BY_CODE[error.code] ?? EXIT.RUNTIME, code: error.code, message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exit: EXIT.RUNTIME, code: 'INTERNAL', message };
}
