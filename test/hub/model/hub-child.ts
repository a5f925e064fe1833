/**
 * A hub as a child process for tests that kill it (SIGKILL) or run two at once on one database.
 * Configured by the JSON in HUB_CHILD; prints `{"event":"listening","url":…}` when ready.
 */
import { BitcoinCoreChain } from '../../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { Hub, startHubServer } from '../../../src/hub/index.js';
import type { Store } from '../../../src/runtime/store.js';
import { PostgresStore, SqliteStore } from '../../../src/storage/index.js';

/** What the parent passes in HUB_CHILD. */
export interface HubChildConfig {
  readonly rpc: string;
  readonly cookie: string;
  /** SQLite file, or PostgreSQL connection and schema. */
  readonly db?: string;
  readonly pg?: { readonly url: string; readonly schema: string };
  readonly key: string;
  readonly port: number;
  readonly shared?: boolean;
  readonly liquidity?: string;
  readonly chainJobMs?: number;
  /** Coins added to the hub wallet at start (ignored when already known). */
  readonly fund?: readonly { txid: string; vout: number; value: string }[];
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.HUB_CHILD ?? '{}') as HubChildConfig;
  const chain = new BitcoinCoreChain({
    url: config.rpc,
    auth: { cookieFile: config.cookie },
    timeoutMs: 5000,
    retry: { retries: 2, delayMs: 10 },
    pollIntervalMs: 20,
  });
  await chain.getHeight();
  const store: Store & { close(): Promise<void> } = config.pg
    ? await PostgresStore.open({ connectionString: config.pg.url, schema: config.pg.schema })
    : await SqliteStore.open(config.db!);
  const hub = await Hub.start({
    chain,
    store,
    privateKey: Buffer.from(config.key, 'hex'),
    network: 'regtest',
    shared: config.shared ?? false,
    chainJobMs: config.chainJobMs ?? 200,
    ...(config.liquidity ? { liquidity: BigInt(config.liquidity) } : {}),
  });
  for (const c of config.fund ?? [])
    await hub.fundWallet({ txid: c.txid, vout: c.vout }, BigInt(c.value));
  const server = await startHubServer(hub, { port: config.port, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url })}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await server.close();
  await hub.stop();
  await store.close();
  chain.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
