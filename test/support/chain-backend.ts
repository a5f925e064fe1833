import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { MemoryCursorStore } from '../../src/chain/bitcoin-core/cursor-store.js';
import type { Chain } from '../../src/chain/chain.js';
import type { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';

/**
 * How the parties of a test reach its {@link SimulatedChain}: directly (`simulated`), or each
 * through its own {@link BitcoinCoreChain} client over the simulated node's JSON-RPC on
 * loopback (`bitcoin-core`). The test itself always drives and inspects the simulated chain.
 */
export type ChainBackend = 'simulated' | 'bitcoin-core';

/** Every backend, for suites that run once per backend. */
export const CHAIN_BACKENDS: readonly ChainBackend[] = ['simulated', 'bitcoin-core'];

/** Environment variable that picks the default backend of the harnesses (`simulated` if unset). */
export const CHAIN_BACKEND_ENV = 'PICOPAYMENTS_TEST_CHAIN';

/** A backend name that is not one of {@link CHAIN_BACKENDS}. */
export class UnknownChainBackendError extends Error {
  readonly code = 'UNKNOWN_CHAIN_BACKEND';
  constructor(readonly backend: string) {
    super(`unknown chain backend "${backend}" (expected ${CHAIN_BACKENDS.join(' or ')})`);
    this.name = 'UnknownChainBackendError';
  }
}

/** Checks a backend name given at run time (environment, command line). */
export function parseChainBackend(text: string): ChainBackend {
  if ((CHAIN_BACKENDS as readonly string[]).includes(text)) return text as ChainBackend;
  throw new UnknownChainBackendError(text);
}

/** The backend named by {@link CHAIN_BACKEND_ENV}, else `simulated`. */
export function defaultChainBackend(): ChainBackend {
  const named = process.env[CHAIN_BACKEND_ENV];
  return named === undefined || named === '' ? 'simulated' : parseChainBackend(named);
}

/** How a party's restarted process gets its chain client back (see {@link PartyChains.restart}). */
export type ClientRestart = 'resume' | 'fresh';

/** The chains a payer and a payee talk to, and how to let go of them. */
export interface PartyChains {
  readonly backend: ChainBackend;
  /** The current chain of each party (replaced by {@link PartyChains.restart}). */
  readonly payer: Chain;
  readonly payee: Chain;
  /**
   * A party's process restarted: with `bitcoin-core` its client is closed and replaced by a new
   * one, which either resumes from the old client's persisted cursor and index, or starts fresh
   * at the node's tip and learns the rest from the watches the channel hands it. Nothing to do
   * for `simulated`.
   */
  restart(side: 'payer' | 'payee', how: ClientRestart): Promise<Chain>;
  /** The simulated node serving the chain (`bitcoin-core` only). */
  readonly node: Simnet | null;
  /** Stops the clients' polling and the node (idempotent; nothing to do for `simulated`). */
  close(): Promise<void>;
}

/** Client settings for a node on loopback: short timeouts, one quick retry, no idle polling. */
function coreClient(node: Simnet, cursorStore: MemoryCursorStore): BitcoinCoreChain {
  return new BitcoinCoreChain({
    url: node.url,
    auth: { cookieFile: node.cookieFile },
    cursorStore,
    timeoutMs: 10_000,
    retry: { retries: 1, delayMs: 20 },
    // The channels sync when told to; a subscriber's background poll would only add noise.
    pollIntervalMs: 60_000,
  });
}

/**
 * The parties' chains over `sim` for `backend`. With `bitcoin-core` a simulated node serves `sim`
 * and the payer and payee each get a {@link BitcoinCoreChain} client, already following the tip
 * (so that everything broadcast from now on is scanned when it confirms).
 */
export async function partyChains(
  sim: SimulatedChain,
  backend: ChainBackend,
): Promise<PartyChains> {
  if (backend === 'simulated') {
    return {
      backend,
      payer: sim,
      payee: sim,
      node: null,
      restart: async () => sim,
      close: async () => undefined,
    };
  }
  const node = await startSimnet({ chain: sim });
  const stores = { payer: new MemoryCursorStore(), payee: new MemoryCursorStore() };
  const clients = { payer: coreClient(node, stores.payer), payee: coreClient(node, stores.payee) };
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      clients.payer.close();
      clients.payee.close();
      await node.close();
    })();
    return closed;
  };
  const restart = async (side: 'payer' | 'payee', how: ClientRestart): Promise<Chain> => {
    clients[side].close();
    if (how === 'fresh') stores[side] = new MemoryCursorStore();
    clients[side] = coreClient(node, stores[side]);
    await clients[side].sync();
    return clients[side];
  };
  try {
    await clients.payer.sync();
    await clients.payee.sync();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    backend,
    get payer() {
      return clients.payer;
    },
    get payee() {
      return clients.payee;
    },
    node,
    restart,
    close,
  };
}

/**
 * Where a suite runs, for its title: the simulated suites keep their historical titles (mutation
 * reports and fuzz records refer to them).
 */
export function backendPlace(backend: ChainBackend): string {
  return backend === 'simulated'
    ? 'on the simulated chain'
    : 'through BitcoinCoreChain and the simulated node';
}
