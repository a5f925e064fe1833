#!/usr/bin/env node
/**
 * `picopayments-hub`: runs a {@link Hub} over a Bitcoin Core (or simnet) node, with SQLite
 * storage (or PostgreSQL, given a URL), encrypted at rest, served as JSON-RPC over HTTP. Prints one `{"event":"listening",...}` JSON line on
 * stdout when ready. Settings come from flags, `PICOPAYMENTS_HUB_*` variables and a JSON
 * config file (docs/hub.md). On SIGTERM or SIGINT it stops taking connections, lets the
 * requests in flight (syncs included) finish and answer within `shutdownGraceMs`, stops its
 * background jobs and exits 0; a second signal exits at once with 1.
 */
import { readFileSync } from 'node:fs';
import { p2wpkh } from '@scure/btc-signer';
import { pino } from 'pino';
import { hexToBytes } from './bytes.js';
import { BitcoinCoreChain } from './chain/bitcoin-core/bitcoin-core-chain.js';
import { EsploraAddressIndex } from './chain/esplora/esplora-address-index.js';
import { CounterpartyCoreLedger } from './counterparty/core-rest-ledger.js';
import { LedgerAssetView } from './runtime/asset-view.js';
import { CoreRpcClient } from './chain/bitcoin-core/rpc-client.js';
import { HUB_USAGE, type HubCliOptions, HubUsageError, parseHubCli } from './hub/cli-options.js';
import { HubConfigError } from './hub/config.js';
import { Hub } from './hub/hub.js';
import { openHubStore } from './hub/hub-store.js';
import { startHubServer } from './hub/server.js';
import { networkParams } from './scripts/networks.js';
import { publicKeyOf } from './transactions/keys.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HUB_USAGE);
    return 0;
  }
  let options: ReturnType<typeof parseHubCli>;
  try {
    options = parseHubCli(args, process.env);
  } catch (error: unknown) {
    if (!(error instanceof HubUsageError) && !(error instanceof HubConfigError)) throw error;
    process.stderr.write(`${error.message}\n\n${HUB_USAGE}`);
    return 2;
  }
  const seedHex = options.seedFile
    ? readFileSync(options.seedFile, 'utf8').trim()
    : process.env.PICOPAYMENTS_HUB_SEED;
  if (!seedHex || !/^[0-9a-fA-F]{64}$/.test(seedHex)) {
    process.stderr.write(
      `the hub key is 64 hex digits in --seed-file or PICOPAYMENTS_HUB_SEED\n\n${HUB_USAGE}`,
    );
    return 2;
  }
  const privateKey = hexToBytes(seedHex.toLowerCase());
  // Structured logs (pino, one JSON object per line on stderr), written synchronously so that
  // the last lines before an exit are not lost; silent unless --json-logs.
  const logger = pino(
    {
      level: options.jsonLogs ? 'info' : 'silent',
      base: { service: 'picopayments-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  const log = (event: Record<string, unknown>) => {
    const failed = typeof event.event === 'string' && /fail|error/.test(event.event);
    if (failed) logger.warn(event);
    else logger.info(event);
  };
  const chain = new BitcoinCoreChain({
    url: options.chainRpc,
    auth: options.chainAuth,
    pollIntervalMs: 200,
  });
  await chain.getHeight();
  const passphrase = options.dbPassphraseFile
    ? readFileSync(options.dbPassphraseFile, 'utf8').replace(/\r?\n$/, '')
    : process.env.PICOPAYMENTS_HUB_DB_PASSPHRASE;
  const { store, shared } = await openHubStore(
    options.db,
    privateKey,
    options.dbSchema ?? undefined,
    passphrase || undefined,
  );
  const hub = await Hub.start({
    chain,
    store,
    shared,
    privateKey,
    network: options.network,
    terms: options.terms,
    ...assetOptions(options),
    ...(options.liquidity !== null ? { liquidity: options.liquidity } : {}),
    chainJobMs: options.chainJobMs,
    log,
  });
  if (options.faucetSats !== null) {
    // Regtest only (checked by the parser): the simnet's faucet pays the hub's address at once.
    // The coin goes to the hub's own stored wallet, whose change survives restarts.
    const params = networkParams(options.network);
    const address = p2wpkh(publicKeyOf(privateKey), {
      bech32: params.bech32,
      pubKeyHash: 0x6f,
      scriptHash: 0xc4,
      wif: 0xef,
    }).address!;
    const rpc = new CoreRpcClient({ url: options.chainRpc, auth: options.chainAuth });
    const btc = (Number(options.faucetSats) / 1e8).toFixed(8);
    const funded = (await rpc.call('faucet', [address, btc])) as { txid: string; vout: number };
    await chain.sync();
    await hub.fundWallet({ txid: funded.txid, vout: funded.vout }, options.faucetSats);
    log({ event: 'funded', sats: options.faucetSats.toString(), address });
  }
  const server = await startHubServer(hub, {
    host: options.host,
    port: options.port,
    maxBodyBytes: options.maxBodyBytes,
    maxBatch: options.maxBatch,
    ratePerMinute: options.ratePerMinute,
    heartbeatMs: options.heartbeatMs,
  });
  // The signal handlers are in place before the listening line: whoever reads it may stop
  // the hub at once.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        // A second signal: the operator does not want to wait.
        log({ event: 'forced-exit', signal });
        process.exit(1);
      }
      stopping = true;
      log({ event: 'stopping', signal, inFlight: server.inFlight });
      resolve();
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  });
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', url: server.url, hubPublicKey: hub.id })}\n`,
  );
  await stopped;
  await server.close(options.shutdownGraceMs);
  await hub.stop();
  await store.close();
  chain.close();
  log({ event: 'stopped' });
  return 0;
}

/** The hub's asset terms and how it reads the ledger and channel addresses for them. */
function assetOptions(options: HubCliOptions) {
  const sources = options.assetSources;
  if (!sources) return {};
  const assets = new LedgerAssetView(
    new CounterpartyCoreLedger({ baseUrl: sources.counterpartyUrl }),
    new EsploraAddressIndex({ baseUrl: sources.esploraUrl }),
    options.network,
  );
  return { assetTerms: options.assetTerms, assets };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
