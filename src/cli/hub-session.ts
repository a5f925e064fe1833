import type { Chain } from '../chain/chain.js';
import { HubClient, HubClientError } from '../hub-client/index.js';
import type { PayeeChannel, PayerChannel } from '../runtime/channels.js';
import { IncrementalStore } from '../runtime/incremental-store.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import { WalletError } from '../wallet/errors.js';
import type { HdWallet } from '../wallet/hd-wallet.js';
import { openWallet } from '../wallet/wallet-store.js';
import { parseBlocks } from './arguments.js';
import type { CommandContext } from './command.js';
import { channelDbPath, chainOf, ensureDataDir, passphraseOf, walletPath } from './environment.js';
import { CliError, HubCommitError } from './errors.js';
import { type ClientLimits, type ConnectionExpectation, DEFAULT_LIMITS } from './hub-checks.js';
import { HubGuard } from './hub-guard.js';
import { scanWithProgress } from './scan-progress.js';

/** An open hub client with the wallet and channel store behind it. */
export interface HubSession {
  readonly client: HubClient;
  readonly wallet: HdWallet;
  readonly chain: Chain;
  /** Stops the client and closes the store. */
  close(): Promise<void>;
}

/** Commit refusals that a retried or early message explains; anything else is the hub's fault. */
const BENIGN_COMMIT_CODES = new Set([
  'AMOUNT_NOT_INCREASING',
  'DEPOSIT_UNCONFIRMED',
  'UNEXPECTED_EVENT',
]);

/** The hub's misbehaviour behind a refusal of one of its channel messages, if any. */
function misbehaviour(event: string, code: string, reason: string): Error | null {
  // The wallet funds a deposit inside the engine: its failure comes back as a refused event.
  if (event === 'FUNDING_FAILED')
    return new WalletError(
      code === 'WALLET_INSUFFICIENT_FUNDS' ? code : 'WALLET_NO_CHAIN',
      `the deposit could not be funded: ${reason}`,
    );
  if (
    (event === 'DEPOSIT' && code === 'DEPOSIT_UNACCEPTABLE') ||
    (event === 'DEPOSIT_FUNDED' && code === 'DEPOSIT_MISMATCH')
  )
    return new HubClientError(
      'HUB_BAD_DEPOSIT_SCRIPT',
      `the client refused the hub's deposit: ${reason}`,
    );
  if (event === 'COMMIT' && !BENIGN_COMMIT_CODES.has(code))
    return new HubCommitError(
      'HUB_BAD_COMMIT',
      `the client refused a hub commit (${code}): ${reason}`,
    );
  return null;
}

/** The client's own limits from the command's flags. */
function limitsOf(context: CommandContext): ClientLimits {
  const max = parseBlocks('--max-expire-blocks', context.flags['max-expire-blocks'], 1, 65_535);
  return max === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, maxExpireBlocks: max };
}

/**
 * Opens the wallet, the channel store (SQLite in the data directory, encrypted under the
 * wallet's passphrase) and a {@link HubClient} whose every answer passes a {@link HubGuard}.
 * The hub's status is read first: its key is pinned and its terms checked before anything else.
 * `fund`: scan the chain for coins first.
 */
export async function openHubSession(
  context: CommandContext,
  fund = false,
): Promise<HubSession & { guard: HubGuard; refusals: Error[] }> {
  const url = context.settings.hubUrl;
  if (!url)
    throw new CliError('CLI_BAD_CONFIG', 'no hub URL: set --hub-url or PICOPAYMENTS_HUB_URL');
  const { chain, scanner } = chainOf(context.settings);
  const passphrase = await passphraseOf(context);
  const wallet = await openWallet({ path: walletPath(context.settings), passphrase, chain });
  if (fund) await scanWithProgress(context, wallet, scanner, chain);
  ensureDataDir(context.settings);
  const store = await SqliteStore.open(channelDbPath(context.settings), {
    encryption: { passphrase, kdf: { N: 2 ** 14, r: 8, p: 1 } },
  });
  let client: HubClient | undefined;
  const saved = (handle: string): ConnectionExpectation | undefined => {
    const payer = client?.channels.channel(`${handle}-c2h`) as PayerChannel | undefined;
    const payee = client?.channels.channel(`${handle}-h2c`) as PayeeChannel | undefined;
    if (!payer) return undefined;
    // One key per connection: the client's payer and payee ends share it.
    return {
      handle,
      clientPublicKey: payee?.context.payeePubkey ?? payer.context.payerPubkey,
      expireBlocks: payer.context.preferredExpireTime,
      delayBlocks: payer.context.preferredDelayTime,
      hubDeposit: hubDeposits.get(handle) ?? -1n,
    };
  };
  const hubDeposits = new Map<string, bigint>();
  const guard = new HubGuard({
    network: context.settings.network,
    limits: limitsOf(context),
    saved,
  });
  const refusals: Error[] = [];
  try {
    client = await HubClient.open({
      url,
      chain,
      // Each step appends a delta instead of rewriting the channel's snapshot.
      store: new IncrementalStore(store),
      wallet,
      keys: wallet,
      payoutScript: () => wallet.payoutScript(),
      fetch: guard.fetch,
    });
    for (const c of await client.connections()) hubDeposits.set(c.handle, c.hubDeposit);
    client.channels.onEvent((e) => {
      if (e.type !== 'rejection') return;
      const bad = misbehaviour(e.event, e.code, e.reason);
      if (bad) refusals.push(bad);
    });
    const opened = client;
    await guarded({ guard, refusals }, () => opened.status());
  } catch (error) {
    await client?.stop().catch(() => undefined);
    await store.close();
    throw error;
  }
  const opened = client;
  return {
    client: opened,
    wallet,
    chain,
    guard,
    refusals,
    async close() {
      await opened.stop();
      await store.close();
    },
  };
}

/** Runs `body`; a refusal by the guard or of a hub message is reported over what the client threw. */
async function guarded<T>(
  s: { guard: HubGuard; refusals: Error[] },
  body: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (error) {
    throw s.guard.violation ?? s.refusals[0] ?? error;
  }
  const bad = s.guard.violation ?? s.refusals[0];
  if (bad) throw bad;
  return result;
}

/** Runs `body` with an open session and always closes it. */
export async function withHub<T>(
  context: CommandContext,
  fund: boolean,
  body: (s: HubSession) => Promise<T>,
): Promise<T> {
  const session = await openHubSession(context, fund);
  try {
    return await guarded(session, () => body(session));
  } finally {
    await session.close();
  }
}
