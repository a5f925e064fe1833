import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BitcoinCoreChain,
  type Chain,
  CoreRpcClient,
  SimulatedChain,
} from '../../src/chain/index.js';
import { ChannelManager } from '../../src/manager/channel-manager.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { payeeConfig } from '../manager/harness.js';
import { codeOf, spendP2wpkh, testKey } from './helpers.js';

const key = testKey('rbf');
const other = testKey('rbf other');

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; reason?: string }> {
  try {
    await promise;
    return {};
  } catch (error) {
    const e = error as { code?: string; rejectReason?: string };
    return { code: e.code, reason: e.rejectReason };
  }
}

/** A funded coin and spends of it paying `fee` (one P2WPKH output, about 110 vB). */
function funded(chain: SimulatedChain, value = 1_000_000n) {
  const coin = { ...chain.fund(key.p2wpkh, value), value };
  const spend = (fee: bigint, to = other.p2wpkh) =>
    spendP2wpkh(key, [coin], [{ script: to, amount: value - fee }]);
  return { coin, spend };
}

describe('SimulatedChain: replace-by-fee (full RBF, BIP125 fee rules)', () => {
  it('is off by default: any conflict is TX_CONFLICT', () => {
    const chain = new SimulatedChain();
    const { spend } = funded(chain);
    chain.submit(spend(200n));
    expect(codeOf(() => chain.submit(spend(5_000n)))).toBe('TX_CONFLICT');
  });

  it('replaces a mempool spend paying more, evicting its descendants', () => {
    const chain = new SimulatedChain({ replaceByFee: true });
    const { spend } = funded(chain);
    const first = chain.submit(spend(200n, key.p2wpkh));
    const child = chain.submit(
      spendP2wpkh(
        key,
        [{ txid: first, vout: 0, value: 1_000_000n - 200n }],
        [{ script: other.p2wpkh, amount: 1_000_000n - 400n }],
      ),
    );
    // It must pay for what it evicts (400) plus its own relay (about 110).
    const before = JSON.stringify(chain.mempoolTxids());
    expect(codeOf(() => chain.submit(spend(450n)))).toBe('TX_CONFLICT');
    expect(JSON.stringify(chain.mempoolTxids())).toBe(before);
    const replacement = chain.submit(spend(600n));
    expect(chain.mempoolTxids()).toEqual([replacement]);
    expect(chain.confirmations(first)).toBeNull();
    expect(chain.confirmations(child)).toBeNull();
    chain.mine();
    expect(chain.confirmations(replacement)).toBe(1);
  });

  it('needs a higher fee rate than each conflict, and never replaces a confirmed spend', () => {
    const chain = new SimulatedChain({ replaceByFee: true });
    const { coin, spend } = funded(chain);
    chain.submit(spend(1_000n));
    // Two outputs: more fee in total than the conflict, at a lower rate.
    const wider = spendP2wpkh(
      key,
      [coin],
      [
        { script: other.p2wpkh, amount: 500_000n },
        { script: other.p2wpkh, amount: 500_000n - 1_130n },
      ],
    );
    expect(codeOf(() => chain.submit(wider))).toBe('TX_CONFLICT');
    chain.mine();
    expect(codeOf(() => chain.submit(spend(50_000n)))).toBe('TX_CONFLICT');
  });

  it('mines only what pays the mining fee rate, and estimates what it was told', async () => {
    const chain = new SimulatedChain({ minRelayFeeRate: 2 });
    const cheap = chain.submit(funded(chain).spend(300n));
    chain.miningFeeRate = 10;
    chain.mine();
    expect(chain.confirmations(cheap)).toBe(0);
    chain.miningFeeRate = 0;
    chain.mine();
    expect(chain.confirmations(cheap)).toBe(1);
    expect(await chain.estimateFeeRate(6)).toBe(2);
    chain.setFeeEstimate(7.5);
    expect(await chain.estimateFeeRate(6)).toBe(7.5);
    chain.setFeeEstimate(0.5);
    expect(await chain.estimateFeeRate(6)).toBe(2);
    expect(await chain.relayPolicy()).toEqual({ minRelayFeeRate: 2, dustRelayFeeRate: 3 });
    expect(codeOf(() => chain.setFeeEstimate(-1))).toBe('TX_FEE_TOO_LOW');
    expect(
      codeOf(() => {
        chain.miningFeeRate = Number.NaN;
      }),
    ).toBe('TX_FEE_TOO_LOW');
  });
});

async function simnet(chain: SimulatedChain): Promise<{ node: Simnet; core: BitcoinCoreChain }> {
  const node = await startSimnet({ chain });
  cleanup.push(() => node.close());
  const core = new BitcoinCoreChain({
    url: node.url,
    auth: { cookieFile: node.cookieFile },
    pollIntervalMs: 3_600_000,
  });
  cleanup.push(async () => core.close());
  await core.getHeight();
  return { node, core };
}

describe('BitcoinCoreChain over the simnet: relay policy and replacements', () => {
  it('reads the relay policy from getnetworkinfo and getmempoolinfo', async () => {
    const { node, core } = await simnet(
      new SimulatedChain({ minRelayFeeRate: 2.5, replaceByFee: true }),
    );
    expect(await core.relayPolicy()).toEqual({ minRelayFeeRate: 2.5, dustRelayFeeRate: 3 });
    const rpc = new CoreRpcClient({ url: node.url, auth: { cookieFile: node.cookieFile } });
    expect(await rpc.call('getnetworkinfo')).toMatchObject({ relayfee: 0.000025 });
    expect(await rpc.call('getmempoolinfo')).toMatchObject({
      mempoolminfee: 0.000025,
      fullrbf: true,
      size: 0,
    });
  });

  it('broadcasts a replacement; one paying too little is TX_CONFLICT with Core’s reason', async () => {
    const sim = new SimulatedChain({ replaceByFee: true });
    const { core } = await simnet(sim);
    const { spend } = funded(sim);
    const first = await core.broadcast(spend(200n));
    expect(await rejection(core.broadcast(spend(250n)))).toMatchObject({
      code: 'TX_CONFLICT',
      reason: 'insufficient fee',
    });
    const second = await core.broadcast(spend(1_000n));
    expect(sim.mempoolTxids()).toEqual([second]);
    sim.mine();
    await core.sync();
    expect((await core.getTransaction(second))?.blockHeight).toBe(sim.height);
    expect(await core.getTransaction(first)).toBeNull();
  });

  it('a node answering an implausible relay fee → NODE_BAD_RESPONSE', async () => {
    const answers: Record<string, unknown> = {
      getnetworkinfo: { relayfee: 'lots' },
      getmempoolinfo: { mempoolminfee: 0.00001 },
    };
    const server: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        const call = JSON.parse(body) as { id: number; method: string };
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ result: answers[call.method], error: null, id: call.id }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const core = new BitcoinCoreChain({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      auth: { user: 'u', password: 'p' },
      retry: { retries: 0, delayMs: 10 },
    });
    expect(await rejection(core.relayPolicy())).toMatchObject({ code: 'NODE_BAD_RESPONSE' });
    answers.getnetworkinfo = { relayfee: 2 };
    expect(await rejection(core.relayPolicy())).toMatchObject({ code: 'NODE_BAD_RESPONSE' });
    answers.getnetworkinfo = { relayfee: 0.00001 };
    answers.getmempoolinfo = [];
    expect(await rejection(core.relayPolicy())).toMatchObject({ code: 'NODE_BAD_RESPONSE' });
  });
});

describe('ChannelManager: fee-rate floors from the chain', () => {
  it('refuses a channel whose fee rates the node would not relay, leaving no trace', async () => {
    const sim = new SimulatedChain({ minRelayFeeRate: 3 });
    const { core } = await simnet(sim);
    const store = new MemoryStore();
    const manager = await ChannelManager.start({
      chain: core,
      store,
      transport: () => ({ send: async () => undefined }),
    });
    cleanup.push(() => manager.stop());
    // The harness's terms pay 2 sat/vB for the payout; the node relays 3 and more.
    expect(await rejection(manager.openPayee(payeeConfig('floor', sim.height)))).toMatchObject({
      code: 'INVALID_CHANNEL_CONFIG',
    });
    expect(manager.size).toBe(0);
    expect(await store.load(manager.indexKey)).toBeNull();
    const terms = { ...payeeConfig('floor', sim.height), minFeeRate: 3, feeRate: 4 };
    await manager.openPayee(terms);
    expect(manager.channelIds()).toEqual(['floor']);
    // A floor the embedder names wins over the chain's.
    await manager.openPayee({ ...payeeConfig('own', sim.height), relayFeeFloor: 1 });
    expect(manager.size).toBe(2);
  });

  it('a chain that cannot say its policy → RELAY_POLICY_FAILED, nothing recorded', async () => {
    const sim = new SimulatedChain();
    const store = new MemoryStore();
    const failing: Chain = {
      getHeight: () => sim.getHeight(),
      broadcast: (raw) => sim.broadcast(raw),
      getTransaction: (txid) => sim.getTransaction(txid),
      getSpender: (outpoint) => sim.getSpender(outpoint),
      getOutput: (outpoint) => sim.getOutput(outpoint),
      onBlock: (listener) => sim.onBlock(listener),
      relayPolicy: async () => {
        throw new Error('node down');
      },
    };
    const manager = await ChannelManager.start({
      chain: failing,
      store,
      transport: () => ({ send: async () => undefined }),
      syncOnStart: false,
    });
    cleanup.push(() => manager.stop());
    expect(await rejection(manager.openPayee(payeeConfig('x', sim.height)))).toMatchObject({
      code: 'RELAY_POLICY_FAILED',
    });
    expect(manager.size).toBe(0);
    expect(await store.load(manager.indexKey)).toBeNull();
  });
});
