import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BitcoinCoreChain,
  codeOfRejectReason,
  EsploraChain,
  JsonFileCursorStore,
  MemoryCursorStore,
  parseFollowerState,
  SimulatedChain,
} from '../../../src/chain/index.js';
import { type Simnet, startSimnet } from '../../../src/simnet/index.js';
import { spendP2wpkh, testKey } from '../helpers.js';

const alice = testKey('follower alice');
const bob = testKey('follower bob');
const fast = { retry: { retries: 0, delayMs: 10 }, timeoutMs: 2000 };

let nodes: Simnet[] = [];
afterEach(async () => {
  for (const node of nodes) await node.close();
  nodes = [];
});

async function node(sim: SimulatedChain, extra: Parameters<typeof startSimnet>[0] = {}) {
  const started = await startSimnet({ chain: sim, ...extra });
  nodes.push(started);
  return started;
}

function core(
  simnet: Simnet,
  options: Partial<ConstructorParameters<typeof BitcoinCoreChain>[0]> = {},
) {
  return new BitcoinCoreChain({
    url: simnet.url,
    auth: { cookieFile: simnet.cookieFile },
    ...fast,
    ...options,
  });
}

describe('BitcoinCoreChain: cursor, resume, rebroadcast, fees', () => {
  it('resumes from a saved cursor and rolls back a reorganisation that happened while it was down', async () => {
    const sim = new SimulatedChain();
    const coin = { ...sim.fund(alice.p2wpkh, 100_000n), value: 100_000n };
    const simnet = await node(sim);
    const path = join(mkdtempSync(join(tmpdir(), 'cursor-')), 'cursor.json');
    const first = core(simnet, { cursorStore: new JsonFileCursorStore(path) });
    const txid = await first.broadcast(
      spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]),
    );
    sim.mine();
    expect((await first.getTransaction(txid))?.blockHeight).toBe(102);
    const blockHash = (await first.getTransaction(txid))?.blockHash;

    // Down: the block is replaced and the chain grows; a new process resumes from the file.
    sim.reorg(1);
    sim.mine(3);
    const second = core(simnet, { cursorStore: new JsonFileCursorStore(path), lookbackBlocks: 0 });
    const heard: number[] = [];
    second.onBlock((h) => heard.push(h));
    expect(await second.sync()).toBe(104);
    second.close();
    expect(heard).toEqual([102, 103, 104]);
    const again = await second.getTransaction(txid);
    expect(again?.blockHeight).toBe(102);
    expect(again?.blockHash).not.toBe(blockHash);
    expect(again?.blockHash).toBe(sim.block(102)?.hash);
    expect((await second.getSpender(coin))?.txid).toBe(txid);
  });

  it('a corrupt cursor file is CURSOR_CORRUPT; the parser checks every field', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cursor-')), 'cursor.json');
    writeFileSync(path, '{"version":1,"tip":{"height":-1}}');
    await expect(new JsonFileCursorStore(path).load()).rejects.toMatchObject({
      code: 'CURSOR_CORRUPT',
    });
    for (const text of [
      '',
      '[]',
      '{"version":2}',
      '{"version":1,"tip":null,"recent":[],"txids":{},"outpoints":{},"own":{}}',
    ]) {
      expect(() => parseFollowerState(text)).toThrow(/CURSOR_CORRUPT/);
    }
    const store = new MemoryCursorStore();
    expect(await store.load()).toBeNull();
    // Concurrent saves to one file: each lands whole, the last one wins.
    const file = new JsonFileCursorStore(path);
    const states = Array.from({ length: 20 }, (_, height) => ({
      version: 1 as const,
      tip: { height, hash: 'ab'.repeat(32) },
      recent: {},
      txids: {},
      outpoints: {},
      own: {},
    }));
    await Promise.all(states.map((state) => file.save(state)));
    expect((await file.load())?.tip?.height).toBe(19);
  });

  it('rebroadcasts its unconfirmed transactions at the next block when the node lost them', async () => {
    const build = () => {
      const sim = new SimulatedChain();
      return { sim, coin: { ...sim.fund(alice.p2wpkh, 100_000n), value: 100_000n } };
    };
    const before = build();
    const simnet = await node(before.sim);
    const chain = core(simnet);
    const raw = spendP2wpkh(alice, [before.coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
    const txid = await chain.broadcast(raw);
    await simnet.close();
    // The node restarts with the same blocks (deterministic) and an empty mempool.
    const after = build();
    expect(after.coin.txid).toBe(before.coin.txid);
    await node(after.sim, {
      port: simnet.port,
      datadir: simnet.cookieFile.replace(/\/\.cookie$/, ''),
    });
    after.sim.mine();
    expect(after.sim.mempoolTxids()).toEqual([]);
    await chain.sync();
    expect(after.sim.mempoolTxids()).toEqual([txid]);
    after.sim.mine();
    expect((await chain.getTransaction(txid))?.blockHeight).toBe(103);
  });

  it('watch with fromHeight finds a spend that confirmed before it was asked about', async () => {
    const sim = new SimulatedChain();
    const coin = { ...sim.fund(alice.p2wpkh, 100_000n), value: 100_000n };
    const txid = sim.submit(spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]));
    sim.mine(20);
    const chain = core(await node(sim), { lookbackBlocks: 0 });
    expect(await chain.getSpender(coin)).toBeNull();
    await chain.watch({ outpoints: [coin], txids: [txid], fromHeight: 101 });
    expect((await chain.getSpender(coin))?.blockHeight).toBe(102);
    expect((await chain.getTransaction(txid))?.blockHeight).toBe(102);
  });

  it('tells a spend confirmed by someone else (TX_CONFLICT) from an unknown input', async () => {
    const sim = new SimulatedChain();
    const coin = { ...sim.fund(alice.p2wpkh, 100_000n), value: 100_000n };
    const chain = core(await node(sim));
    await chain.getHeight();
    // Spent and confirmed behind the adapter's back: it never saw the coin nor the spend.
    sim.submit(spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]));
    sim.mine();
    const conflict = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 98_000n }]);
    await expect(chain.broadcast(conflict)).rejects.toMatchObject({
      code: 'TX_CONFLICT',
      rejectReason: 'missing-inputs',
    });
    const unknown = spendP2wpkh(
      alice,
      [{ ...coin, txid: '77'.repeat(32) }],
      [{ script: bob.p2wpkh, amount: 98_000n }],
    );
    await expect(chain.broadcast(unknown)).rejects.toMatchObject({
      code: 'TX_MISSING_INPUTS',
      rejectReason: 'missing-inputs',
    });
  });

  it('concurrent queries, polling and reorganisations end with the index equal to the chain', async () => {
    const sim = new SimulatedChain();
    const chain = core(await node(sim), { pollIntervalMs: 5 });
    await chain.getHeight();
    const heard: number[] = [];
    const unsubscribe = chain.onBlock((h) => heard.push(h));
    let coin = { ...sim.fund(alice.p2wpkh, 1_000_000n), value: 1_000_000n };
    const txids: string[] = [coin.txid];
    for (let round = 0; round < 12; round++) {
      const raw = spendP2wpkh(alice, [coin], [{ script: alice.p2wpkh, amount: coin.value - 500n }]);
      const txid = await chain.broadcast(raw);
      txids.push(txid);
      coin = { txid, vout: 0, value: coin.value - 500n };
      const queries = txids.map((t) => chain.getTransaction(t));
      if (round % 3 === 2) sim.reorg(1);
      sim.mine(1 + (round % 2));
      await Promise.all(queries);
    }
    unsubscribe();
    for (const txid of txids) {
      const expected = sim.confirmations(txid) === null ? null : sim.blockHeightOf(txid);
      expect([txid, (await chain.getTransaction(txid))?.blockHeight ?? null]).toEqual([
        txid,
        expected,
      ]);
    }
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.every((h) => h > 100 && h <= sim.height)).toBe(true);
  });

  it('fee estimates: the floor without data, the node estimate above the floor', async () => {
    const sim = new SimulatedChain();
    const simnet = await node(sim);
    const chain = core(simnet, { feeRateFloor: 2 });
    const esplora = new EsploraChain({ baseUrl: simnet.esploraUrl, feeRateFloor: 2, ...fast });
    expect(await chain.estimateFeeRate()).toBe(2);
    expect(await esplora.estimateFeeRate()).toBe(2);
    simnet.setFeeRate(7.5);
    expect(await chain.estimateFeeRate(3)).toBeCloseTo(7.5, 9);
    expect(await esplora.estimateFeeRate(3)).toBe(7.5);
    simnet.setFeeRate(1);
    expect(await chain.estimateFeeRate()).toBe(2);
  });
});

describe('Core reject reasons', () => {
  it('map to the typed codes', () => {
    const table: Record<string, string> = {
      'non-BIP68-final': 'TX_NON_FINAL',
      'non-final': 'TX_NON_FINAL',
      'missing-inputs': 'TX_MISSING_INPUTS',
      'bad-txns-inputs-missingorspent': 'TX_MISSING_INPUTS',
      'txn-mempool-conflict': 'TX_CONFLICT',
      'insufficient fee, rejecting replacement abc': 'TX_CONFLICT',
      'min relay fee not met, 100 < 141': 'TX_FEE_TOO_LOW',
      'mempool min fee not met, 1 < 2': 'TX_FEE_TOO_LOW',
      dust: 'TX_DUST_OUTPUT',
      'txn-already-in-mempool': 'TX_ALREADY_KNOWN',
      'txn-already-known': 'TX_ALREADY_KNOWN',
      'bad-txns-in-belowout, value in (0.001) < value out (0.002)': 'TX_OUTPUTS_EXCEED_INPUTS',
      'mandatory-script-verify-flag-failed (Signature must be zero)': 'TX_SCRIPT_INVALID',
      'tx-size': 'TX_NON_STANDARD',
      scriptpubkey: 'TX_NON_STANDARD',
      'bad-txns-input-script-unknown': 'TX_NON_STANDARD',
      'bad-txns-inputs-duplicate': 'TX_MALFORMED',
      'something new': 'TX_REJECTED',
    };
    for (const [reason, code] of Object.entries(table))
      expect([reason, codeOfRejectReason(reason)]).toEqual([reason, code]);
  });
});
