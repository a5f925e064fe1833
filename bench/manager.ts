/**
 * The channel manager's chain follower: blocks per second with 10⁴ channels, on the simulated
 * chain in process and through {@link BitcoinCoreChain} against the simnet on loopback, where
 * fetching the same blocks with `getblockhash` + `getblock` (verbosity 2) alone is the ratio
 * baseline.
 *
 * Run alone: `npx tsx bench/manager.ts [channels] [blocks]`.
 */
import { pathToFileURL } from 'node:url';
import { BitcoinCoreChain, CoreRpcClient } from '../src/chain/index.js';
import type { Chain } from '../src/chain/chain.js';
import { SimulatedChain } from '../src/chain/simulated-chain.js';
import { ChannelManager } from '../src/manager/channel-manager.js';
import { MemoryStore } from '../src/runtime/store.js';
import type { Transport } from '../src/runtime/transport.js';
import { startSimnet } from '../src/simnet/index.js';
import { payeeConfig } from '../test/manager/harness.js';
import { section } from './report.js';

/** Offers nobody answers: the manager's channels wait for a deposit and follow every block. */
const sink: Transport = { send: async () => undefined };

async function offeredChannels(chain: Chain, height: number, count: number) {
  const manager = await ChannelManager.start({
    chain,
    store: new MemoryStore(),
    transport: () => sink,
  });
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) => `bench-${i + j}`);
    await Promise.all(batch.map((id) => manager.openPayee(payeeConfig(id, height))));
  }
  return manager;
}

/** Blocks per second of `step` (mine a block, wait for the follower), over `blocks` blocks. */
async function blocksPerSecond(blocks: number, step: () => Promise<void>): Promise<number> {
  await step(); // warm-up
  const started = performance.now();
  for (let b = 0; b < blocks; b++) await step();
  return blocks / ((performance.now() - started) / 1000);
}

/** Measures and prints the follower's throughput. */
export async function runManagerBenchmarks(channels = 10_000, blocks = 10): Promise<void> {
  const lines: string[] = [];

  const sim = new SimulatedChain();
  const simulated = await offeredChannels(sim, sim.height, channels);
  const simRate = await blocksPerSecond(blocks, async () => {
    sim.mine(1);
    await simulated.idle();
  });
  await simulated.stop();
  lines.push(
    `simulated chain, ${channels} channels: ${simRate.toFixed(2)} blocks/s (${((1000 / simRate / channels) * 1000).toFixed(1)} us per channel and block)`,
  );

  const served = new SimulatedChain();
  const node = await startSimnet({ chain: served });
  const auth = { cookieFile: node.cookieFile };
  const core = new BitcoinCoreChain({ url: node.url, auth, pollIntervalMs: 3_600_000 });
  await core.getHeight();
  const followed = await offeredChannels(core, served.height, channels);
  // Driven by explicit rounds (the same work an `onBlock` poll triggers), so no timer adds latency.
  const coreRate = await blocksPerSecond(blocks, async () => {
    served.mine(1);
    await followed.syncAll();
  });
  await followed.stop();
  core.close();
  const rpc = new CoreRpcClient({ url: node.url, auth });
  const fetchRate = await blocksPerSecond(blocks, async () => {
    const height = served.mine(1);
    await rpc.call('getblock', [await rpc.call('getblockhash', [height]), 2]);
  });
  await node.close();
  lines.push(
    `BitcoinCoreChain on the simnet, ${channels} channels: ${coreRate.toFixed(2)} blocks/s; getblock alone ${fetchRate.toFixed(1)} blocks/s; ratio ${(coreRate / fetchRate).toFixed(4)}`,
  );
  console.log(section(`Channel manager: follower with ${channels} channels`, lines));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runManagerBenchmarks(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 10));
}
