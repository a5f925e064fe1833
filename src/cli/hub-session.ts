import { HubClient } from '../hub-client/index.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import type { HdWallet } from '../wallet/hd-wallet.js';
import { openWallet } from '../wallet/wallet-store.js';
import type { CommandContext } from './command.js';
import { channelDbPath, chainOf, ensureDataDir, passphraseOf, walletPath } from './environment.js';
import { CliError } from './errors.js';

/** An open hub client with the wallet and channel store behind it. */
export interface HubSession {
  readonly client: HubClient;
  readonly wallet: HdWallet;
  /** Stops the client and closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the wallet, the channel store (SQLite in the data directory, encrypted under the
 * wallet's passphrase) and a {@link HubClient}. `fund`: scan the chain for coins first.
 */
export async function openHubSession(context: CommandContext, fund = false): Promise<HubSession> {
  const url = context.settings.hubUrl;
  if (!url)
    throw new CliError('CLI_BAD_CONFIG', 'no hub URL: set --hub-url or PICOPAYMENTS_HUB_URL');
  const { chain, scanner } = chainOf(context.settings);
  const passphrase = await passphraseOf(context);
  const wallet = await openWallet({ path: walletPath(context.settings), passphrase, chain });
  if (fund) {
    context.progress('scanning the chain for wallet coins');
    await wallet.refresh(scanner, chain);
  }
  ensureDataDir(context.settings);
  const store = await SqliteStore.open(channelDbPath(context.settings), {
    encryption: { passphrase, kdf: { N: 2 ** 14, r: 8, p: 1 } },
  });
  try {
    const client = await HubClient.open({
      url,
      chain,
      store,
      wallet,
      keys: wallet,
      payoutScript: () => wallet.payoutScript(),
    });
    return {
      client,
      wallet,
      async close() {
        await client.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Runs `body` with an open session and always closes it. */
export async function withHub<T>(
  context: CommandContext,
  fund: boolean,
  body: (s: HubSession) => Promise<T>,
): Promise<T> {
  const session = await openHubSession(context, fund);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
