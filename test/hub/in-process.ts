import type { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { HubClient } from '../../src/hub-client/index.js';
import type { HubServer } from '../../src/hub/index.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { testPrivateKey } from '../support/channel-harness.js';

/**
 * A client of a hub that runs in this process on the simulated chain: a wallet of its own
 * holding 500 000 sat, one channel key (`keySeed`), and `store` (a fresh one by default);
 * `fetcher` carries its requests (the global fetch by default).
 */
export async function inProcessClient(
  sim: SimulatedChain,
  server: HubServer,
  seeds: { wallet: number; key: number },
  store: MemoryStore = new MemoryStore(),
  fetcher?: typeof fetch,
): Promise<HubClient> {
  const wallet = new SingleKeyWallet(sim, testPrivateKey(seeds.wallet));
  wallet.addCoin(sim.fund(wallet.outputScript, 500_000n), 500_000n);
  const key = testPrivateKey(seeds.key);
  return HubClient.open({
    url: server.url,
    chain: sim,
    store,
    wallet,
    keys: { nextChannelKey: async () => ({ privateKey: key, path: 'm/0' }) },
    payoutScript: async () => wallet.outputScript,
    ...(fetcher ? { fetch: fetcher } : {}),
  });
}
