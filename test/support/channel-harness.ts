import type { ScriptVerifier } from '../../src/chain/chain.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { outputScriptAddress } from '../../src/counterparty/addresses.js';
import { SimulatedCounterpartyLedger } from '../../src/counterparty/simulated-ledger.js';
import { type AssetView, SimulatedAssetView } from '../../src/runtime/asset-view.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { IncrementalStore } from '../../src/runtime/incremental-store.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { bitcoreScriptVerifier } from './bitcore-verifier.js';
import { type ChainBackend, defaultChainBackend, partyChains } from './chain-backend.js';

/** Options of {@link openTestChannel}. */
export interface TestChannelOptions {
  readonly depositAmount?: bigint;
  readonly expireTime?: number;
  readonly delayTime?: number;
  readonly clearance?: number;
  readonly feeRate?: number;
  readonly channelId?: string;
  readonly verify?: boolean;
  /** Confirmations after which settling spends are final (1 unless a test is about finality). */
  readonly finalityDepth?: number;
  /** The script verifier of the chain (bitcore with the standard flags unless `verify` is false). */
  readonly verifier?: ScriptVerifier;
  /**
   * Persist through an `IncrementalStore` (deltas, compacted every 8) over the memory stores,
   * instead of whole snapshots; `payerStore` and `payeeStore` are then the logs.
   */
  readonly incremental?: boolean;
  /**
   * How the payer, the payee and the wallet reach the chain: the simulated chain itself, or each
   * party through its own `BitcoinCoreChain` client over a simulated node on loopback (closed
   * when the test ends). The test drives and inspects the simulated chain either way. Default:
   * the `PICOPAYMENTS_TEST_CHAIN` environment variable, else `simulated`.
   */
  readonly chain?: ChainBackend;
  /** The simulated chain replaces mempool transactions by fee (full RBF, Core 28's default). */
  readonly replaceByFee?: boolean;
  /**
   * Asset mode: the channel carries this Counterparty asset, `depositAmount` counts its units,
   * and a simulated Counterparty ledger over the chain gives the wallet's address `allocation`
   * units (default 10x the deposit) before the first block.
   */
  readonly asset?: { readonly asset: string; readonly allocation?: bigint };
  /**
   * Asset mode: how both parties read the ledger and the channel addresses (default: a
   * `SimulatedAssetView` over the chain and its ledger).
   */
  readonly assetView?: (
    chain: SimulatedChain,
    ledger: SimulatedCounterpartyLedger,
  ) => Promise<AssetView> | AssetView;
}

/** Deterministic test key from a small number. */
export function testPrivateKey(n: number): Uint8Array {
  const key = new Uint8Array(32);
  key[31] = n;
  key[0] = 0x11;
  return key;
}

/**
 * A payer and a payee on one simulated chain (every transaction checked by bitcore's
 * interpreter), joined by an in-memory link, with the deposit broadcast once the offer is
 * delivered. `chain` is the simulated chain; the parties use `payerChain` and `payeeChain`.
 */
export async function openTestChannel(options: TestChannelOptions = {}) {
  const chain = new SimulatedChain({
    ...(options.verify === false
      ? {}
      : { verifyScript: options.verifier ?? bitcoreScriptVerifier }),
    replaceByFee: options.replaceByFee ?? false,
  });
  const backend = options.chain ?? defaultChainBackend();
  const chains = await partyChains(chain, backend);
  if (chains.node !== null) {
    // Only a test can own a node: it is closed (clients and server) when the test ends. Vitest
    // is loaded only here, so that the benchmarks can use the harness outside a test runner.
    const { onTestFinished } = await import('vitest');
    onTestFinished(() => chains.close());
  }
  const link = new MemoryLink();
  const payerStore = new MemoryStore({ keepVersions: true });
  const payeeStore = new MemoryStore({ keepVersions: true });
  // With `incremental`, the stores above are the logs under the channels' incremental stores.
  const through = (log: MemoryStore) =>
    options.incremental ? new IncrementalStore(log, { compactEvery: 8 }) : log;
  const payerKey = testPrivateKey(1);
  const payeeKey = testPrivateKey(2);
  const wallet = new SingleKeyWallet(chains.payer, payerKey);
  const funding = 10_000_000n;
  wallet.addCoin(chain.fund(wallet.outputScript, funding), funding);
  const depositAmount = options.depositAmount ?? 1_000_000n;
  const asset = options.asset;
  const ledger = asset
    ? new SimulatedCounterpartyLedger({
        chain,
        allocations: [
          {
            address: outputScriptAddress(wallet.outputScript, 'regtest')!,
            asset: asset.asset,
            quantity: asset.allocation ?? depositAmount * 10n,
          },
        ],
      })
    : null;
  const view =
    ledger &&
    (options.assetView
      ? await options.assetView(chain, ledger)
      : new SimulatedAssetView(chain, ledger));
  const assets = view ? { assets: view } : {};
  const channelId = options.channelId ?? 'test-channel';
  const expireTime = options.expireTime ?? 40;
  const delayTime = options.delayTime ?? 5;
  const feeRate = options.feeRate ?? 2;
  const payeeEnv = {
    chain: chains.payee,
    transport: link.endpoint('payee'),
    store: through(payeeStore),
    storeKey: channelId,
    ...assets,
  };
  const payerEnv = {
    chain: chains.payer,
    transport: link.endpoint('payer'),
    store: through(payerStore),
    storeKey: channelId,
    wallet,
    ...assets,
  };
  const payer = await PayerChannel.create(
    {
      channelId,
      network: 'regtest',
      depositAmount,
      ...(asset ? { asset: { asset: asset.asset } } : {}),
      feeRate,
      expireTime,
      delayTime,
      privateKey: payerKey,
      destinationScript: destinationOf(payerKey),
      finalityDepth: options.finalityDepth ?? 1,
      height: chain.height,
    },
    payerEnv,
  );
  const payee = await PayeeChannel.open(
    {
      channelId,
      network: 'regtest',
      expireTimeRange: { min: 10, max: 1000 },
      delayTimeRange: { min: 1, max: 100 },
      minFeeRate: 1,
      feeRate,
      clearance: options.clearance ?? 6,
      privateKey: payeeKey,
      destinationScript: destinationOf(payeeKey),
      finalityDepth: options.finalityDepth ?? 1,
      height: chain.height,
      ...(asset ? { asset: { asset: asset.asset } } : {}),
    },
    payeeEnv,
  );
  link.attach('payer', (text) => payer.receive(text).then(() => undefined));
  link.attach('payee', (text) => payee.receive(text).then(() => undefined));
  const parties = {
    chain,
    backend,
    payerChain: chains.payer,
    payeeChain: chains.payee,
    /** Lets go of the backend's node and clients now (also done when the test ends). */
    close: chains.close,
    /** A party's process restarted: its chain client (`bitcoin-core`) is replaced. */
    restartChain: chains.restart,
    link,
    payer,
    payee,
    wallet,
    payerStore,
    payeeStore,
    payerEnv,
    payeeEnv,
    funding,
    /** Asset mode: the simulated Counterparty ledger over `chain`. */
    ledger,
  };
  return parties;
}

/** Everything of a test channel. */
export type TestChannel = Awaited<ReturnType<typeof openTestChannel>>;

/** Delivers messages and lets both parties catch up with the chain, until quiet. */
export async function settle(t: {
  link: MemoryLink;
  payer: PayerChannel;
  payee: PayeeChannel;
}): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await t.payer.sync();
    await t.payee.sync();
    const delivered = await t.link.deliver();
    if (delivered === 0) return;
  }
}

/** Mines `count` blocks one at a time, letting both parties react after each. */
export async function mine(t: TestChannel, count = 1): Promise<void> {
  for (let i = 0; i < count; i++) {
    t.chain.mine(1);
    await settle(t);
  }
}

/** The P2WPKH script a party's recoveries pay to by default. */
export function destinationOf(privateKey: Uint8Array): Uint8Array {
  return p2wpkhOutputScript(publicKeyOf(privateKey));
}
