/**
 * One client of the hub bench (`bench/hub.ts`), the same whether it runs in the bench's process
 * or in a client process (`bench/hub-client-process.ts`): a funded single-key wallet, a
 * `HubClient` over memory, and one connection to the hub.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Chain } from '../src/chain/chain.js';
import { HubClient } from '../src/hub-client/index.js';
import { MemoryStore } from '../src/runtime/store.js';
import { SingleKeyWallet } from '../src/runtime/wallet.js';

/** A distinct private key per label (the hub's, each wallet's, each channel's). */
export function benchKey(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(`hub bench ${label}`));
}

/** Where a bench client connects from. */
export interface BenchClientEnvironment {
  readonly url: string;
  /** The fetch that counts the bench's requests. */
  readonly fetch: typeof fetch;
  readonly chain: Chain;
  /** Pays `value` to `script` from the simulated chain's faucet. */
  readonly fund: (
    script: Uint8Array,
    value: bigint,
  ) => Promise<{ txid: string; vout: number }> | { txid: string; vout: number };
}

/** Opens bench client `index` and connects it to the hub: 200 000 sat, 500 blocks, delay 4. */
export async function connectBenchClient(
  index: number,
  env: BenchClientEnvironment,
): Promise<{ client: HubClient; handle: string }> {
  const wallet = new SingleKeyWallet(env.chain, benchKey(`wallet ${index}`));
  wallet.addCoin(await env.fund(wallet.outputScript, 500_000n), 500_000n);
  let n = 0;
  const client = await HubClient.open({
    url: env.url,
    fetch: env.fetch,
    chain: env.chain,
    store: new MemoryStore(),
    wallet,
    keys: {
      nextChannelKey: async () => ({
        privateKey: benchKey(`client ${index} channel ${++n}`),
        path: `m/${n}`,
      }),
    },
    payoutScript: async () => wallet.outputScript,
  });
  const { handle } = await client.connect({
    asset: 'BTC',
    quantity: 200_000n,
    expireBlocks: 500,
    delayBlocks: 4,
  });
  return { client, handle };
}
