import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { WalletError } from './errors.js';

/** Where a passphrase may come from, in order of preference. */
export interface PassphraseSources {
  /** A file descriptor to read it from (its first line), e.g. `--passphrase-fd 3`. */
  readonly fd?: number;
  /** The environment (`PICOPAYMENTS_PASSPHRASE`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Whether a prompt on the terminal is allowed (stdin is a TTY). */
  readonly interactive?: boolean;
}

/**
 * The passphrase from a file descriptor, the environment, or a terminal prompt.
 *
 * @throws {@link WalletError} `WALLET_NO_PASSPHRASE` when none is available or it is empty.
 */
export async function readPassphrase(
  sources: PassphraseSources,
  prompt = 'passphrase: ',
): Promise<string> {
  let value: string | undefined;
  if (sources.fd !== undefined) {
    value = readFileSync(sources.fd, 'utf8').split(/\r?\n/)[0];
  } else if (sources.env?.PICOPAYMENTS_PASSPHRASE !== undefined) {
    value = sources.env.PICOPAYMENTS_PASSPHRASE;
  } else if (sources.interactive) {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      value = await rl.question(prompt);
    } finally {
      rl.close();
    }
  }
  if (!value)
    throw new WalletError(
      'WALLET_NO_PASSPHRASE',
      'no passphrase: set PICOPAYMENTS_PASSPHRASE, pass --passphrase-fd N, or run in a terminal',
    );
  return value;
}
