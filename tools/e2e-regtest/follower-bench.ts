/**
 * Follower throughput: blocks per second that {@link BitcoinCoreChain} processes with 10⁴
 * watched channels (a deposit outpoint and a txid each) on the simnet, against fetching the
 * same blocks with `getblockhash` + `getblock` (verbosity 2) alone as the baseline.
 *
 * Run: `npx tsx tools/e2e-regtest/follower-bench.ts [blocks] [transactions-per-block]`.
 */
import { BitcoinCoreChain, CoreRpcClient, SimulatedChain } from '../../src/chain/index.js';
import { startSimnet } from '../../src/simnet/index.js';
import { spendP2wpkh, testKey } from '../../test/chain/helpers.js';

const BLOCKS = Number(process.argv[2] ?? 200);
const PER_BLOCK = Number(process.argv[3] ?? 20);
const WATCHED = 10_000;

const key = testKey('follower bench');
const sim = new SimulatedChain();
const node = await startSimnet({ chain: sim });
const auth = { cookieFile: node.cookieFile };
const chain = new BitcoinCoreChain({ url: node.url, auth });
await chain.getHeight();
const outpoints = Array.from({ length: WATCHED }, (_, i) => ({
  txid: (i + 1).toString(16).padStart(64, '0'),
  vout: 0,
}));
await chain.watch({ outpoints, txids: outpoints.map((o) => o.txid) });
let coins = Array.from({ length: PER_BLOCK }, () => ({
  ...sim.fund(key.p2wpkh, 10_000_000n),
  value: 10_000_000n,
}));
await chain.sync();
const from = sim.height;
for (let b = 0; b < BLOCKS; b++) {
  coins = coins.map((coin) => {
    const value = coin.value - 200n;
    const txid = sim.submit(spendP2wpkh(key, [coin], [{ script: key.p2wpkh, amount: value }]));
    return { txid, vout: 0, value };
  });
  sim.mine();
}
const rpc = new CoreRpcClient({ url: node.url, auth });
const fetchAll = async () => {
  for (let height = from + 1; height <= sim.height; height++) {
    await rpc.call('getblock', [await rpc.call('getblockhash', [height]), 2]);
  }
};
// One pass first: the node runs in this process, and its first pass pays for JIT warm-up.
await fetchAll();
let started = performance.now();
await chain.sync();
const follower = BLOCKS / ((performance.now() - started) / 1000);
started = performance.now();
await fetchAll();
const baseline = BLOCKS / ((performance.now() - started) / 1000);
console.log(
  `${BLOCKS} blocks of ${PER_BLOCK} transactions, ${WATCHED} watched channels: follower ${follower.toFixed(1)} blocks/s, getblock alone ${baseline.toFixed(1)} blocks/s, ratio ${(follower / baseline).toFixed(2)}`,
);
await node.close();
