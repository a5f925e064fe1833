import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BitcoinCoreChain } from '../chain/bitcoin-core/bitcoin-core-chain.js';
import { type CoreRpcAuth, CoreRpcClient } from '../chain/bitcoin-core/rpc-client.js';
import type { Chain } from '../chain/chain.js';
import { EsploraChain } from '../chain/esplora/esplora-chain.js';
import { type CoinScanner, CoreRpcCoinScanner } from '../wallet/coin-scanner.js';
import { EsploraCoinScanner } from '../wallet/esplora-coin-scanner.js';
import { readPassphrase } from '../wallet/passphrase.js';
import type { CommandContext } from './command.js';
import type { Settings } from './config.js';
import { CliError } from './errors.js';

/** Where the wallet file lives in the data directory. */
export const walletPath = (settings: Settings): string => join(settings.dataDir, 'wallet.json');
/** Where channel state lives in the data directory. */
export const channelDbPath = (settings: Settings): string =>
  join(settings.dataDir, 'channels.sqlite');

/** Creates the data directory (owner only) if it is missing. */
export function ensureDataDir(settings: Settings): void {
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
}

function rpcAuth(settings: Settings): CoreRpcAuth {
  if (settings.chainCookie) return { cookieFile: settings.chainCookie };
  if (settings.chainUser !== undefined && settings.chainPassword !== undefined)
    return { user: settings.chainUser, password: settings.chainPassword };
  throw new CliError(
    'CLI_BAD_CONFIG',
    'chain RPC credentials missing: set --chain-cookie, or chain user and password',
  );
}

/**
 * The chain backend and coin scanner of the settings: an Esplora API when `esploraUrl` is set,
 * else a Bitcoin Core (or simnet) JSON-RPC node (`CLI_BAD_CONFIG` when neither is configured).
 */
export function chainOf(settings: Settings): { chain: Chain; scanner: CoinScanner } {
  const retry = { retries: 1, delayMs: 100 };
  if (settings.esploraUrl)
    return {
      chain: new EsploraChain({ baseUrl: settings.esploraUrl, retry, pollIntervalMs: 1000 }),
      scanner: new EsploraCoinScanner({ baseUrl: settings.esploraUrl, retry }),
    };
  if (!settings.chainRpc)
    throw new CliError(
      'CLI_BAD_CONFIG',
      'no chain backend: set --chain-rpc (PICOPAYMENTS_CHAIN_RPC) or --esplora-url (PICOPAYMENTS_ESPLORA_URL)',
    );
  const auth = rpcAuth(settings);
  return {
    chain: new BitcoinCoreChain({ url: settings.chainRpc, auth, retry }),
    scanner: new CoreRpcCoinScanner(new CoreRpcClient({ url: settings.chainRpc, auth, retry })),
  };
}

/** The wallet passphrase from `--passphrase-fd`, `PICOPAYMENTS_PASSPHRASE` or a prompt. */
export function passphraseOf(context: CommandContext): Promise<string> {
  const fdText = context.flags['passphrase-fd'];
  let fd: number | undefined;
  if (fdText !== undefined) {
    if (typeof fdText !== 'string' || !/^\d{1,4}$/.test(fdText))
      throw new CliError('CLI_USAGE', '--passphrase-fd needs a file descriptor number');
    fd = Number(fdText);
  }
  return readPassphrase({
    ...(fd === undefined ? {} : { fd }),
    env: context.env,
    interactive: process.stdin.isTTY === true,
  });
}
