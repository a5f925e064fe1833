import { describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { codeOf, csvRedeemScript, p2shOf, spendP2shPush, spendP2wpkh, testKey } from './helpers.js';

const alice = testKey('alice');
const bob = testKey('bob');

function chainWithCoin(value = 100_000n) {
  const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  const outpoint = chain.fund(alice.p2wpkh, value);
  return { chain, coin: { ...outpoint, value } };
}

describe('SimulatedChain: mining', () => {
  it('mines parent and child of the mempool in one block, in dependency order', () => {
    const { chain, coin } = chainWithCoin();
    const parent = chain.submit(
      spendP2wpkh(alice, [coin], [{ script: alice.p2wpkh, amount: 99_000n }]),
    );
    const child = chain.submit(
      spendP2wpkh(
        alice,
        [{ txid: parent, vout: 0, value: 99_000n }],
        [{ script: bob.p2wpkh, amount: 98_000n }],
      ),
    );
    expect(chain.mine()).toBe(102);
    expect(chain.block(102)?.txids).toEqual([parent, child]);
    expect(chain.mempoolTxids()).toEqual([]);
    expect(chain.confirmations(parent)).toBe(1);
    chain.mine(4);
    expect(chain.confirmations(child)).toBe(5);
    expect(chain.confirmations('11'.repeat(32))).toBeNull();
  });

  it('fires onBlock once per block and stops after unsubscribe', () => {
    const chain = new SimulatedChain();
    const heard: number[] = [];
    const unsubscribe = chain.onBlock((h) => heard.push(h));
    chain.mine(3);
    chain.fund(alice.p2wpkh, 1000n);
    unsubscribe();
    chain.mine();
    expect(heard).toEqual([101, 102, 103, 104]);
  });

  it('getOutput is null once spent by a confirmed transaction; getSpender finds it', async () => {
    const { chain, coin } = chainWithCoin();
    const txid = chain.submit(
      spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]),
    );
    expect((await chain.getOutput(coin))?.blockHeight).toBe(101);
    chain.mine();
    expect(await chain.getOutput(coin)).toBeNull();
    expect(await chain.getSpender(coin)).toMatchObject({ txid, blockHeight: 102 });
    expect(chain.transactionsSpending(coin)).toMatchObject([
      { txid, status: 'confirmed', blockHeight: 102 },
    ]);
    expect(codeOf(() => chain.transactionsSpending({ txid: '22'.repeat(32), vout: 0 }))).toBe(
      'UNKNOWN_OUTPOINT',
    );
    expect(chain.transactionsSpending({ txid, vout: 0 })).toEqual([]);
  });

  it('listUnspent and balanceOf follow spends, mempool outputs included', () => {
    const { chain, coin } = chainWithCoin();
    chain.fund(bob.p2wpkh, 5_000n);
    expect(chain.balanceOf(alice.p2wpkh)).toBe(100_000n);
    const txid = chain.submit(
      spendP2wpkh(
        alice,
        [coin],
        [
          { script: bob.p2wpkh, amount: 30_000n },
          { script: alice.p2wpkh, amount: 69_000n },
        ],
      ),
    );
    expect(chain.listUnspent(alice.p2wpkh)).toEqual([
      { txid, vout: 1, value: 69_000n, script: alice.p2wpkh, blockHeight: null },
    ]);
    expect(chain.balanceOf(bob.p2wpkh)).toBe(35_000n);
    chain.mine();
    expect(chain.listUnspent(alice.p2wpkh)[0]?.blockHeight).toBe(103);
    expect(chain.totalFeesPaid()).toBe(1_000n);
    expect(
      chain.balanceOf(alice.p2wpkh) + chain.balanceOf(bob.p2wpkh) + chain.totalFeesPaid(),
    ).toBe(105_000n);
  });
});

describe('SimulatedChain: reorg', () => {
  it('returns disconnected transactions to the mempool, then mines them again', () => {
    const { chain, coin } = chainWithCoin();
    const txid = chain.submit(
      spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]),
    );
    chain.mine(2);
    const heard: number[] = [];
    chain.onBlock((h) => heard.push(h));
    expect(chain.reorg(2)).toEqual({ disconnected: 2, mempool: [txid], dropped: [] });
    expect(chain.height).toBe(101);
    expect(chain.confirmations(txid)).toBe(0);
    expect(chain.mempoolTxids()).toEqual([txid]);
    expect(chain.block(102)).toBeNull();
    chain.mine();
    expect(chain.confirmations(txid)).toBe(1);
    expect(heard).toEqual([101, 102]);
  });

  it('drops faucet transactions and their spenders with their block', () => {
    const { chain } = chainWithCoin();
    const coin = { ...chain.fund(alice.p2wpkh, 50_000n), value: 50_000n }; // block 102
    const spend = chain.submit(
      spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 49_000n }]),
    );
    chain.mine();
    expect(chain.reorg(2)).toEqual({ disconnected: 2, mempool: [], dropped: [spend] });
    expect(chain.confirmations(coin.txid)).toBeNull();
    expect(chain.transactionsSpending(coin)).toMatchObject([{ txid: spend, status: 'dropped' }]);
    expect(chain.balanceOf(alice.p2wpkh)).toBe(100_000n);
    expect(chain.totalFeesPaid()).toBe(0n);
  });

  it('a CSV spend becomes non-final again after a reorg', () => {
    const csv = csvRedeemScript(3);
    const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
    const coin = { ...chain.fund(p2shOf(csv), 10_000n), value: 10_000n }; // 101
    chain.mine(2); // 103
    const raw = spendP2shPush(
      [{ coin, redeemScript: csv, sequence: 3 }],
      [{ script: bob.p2wpkh, amount: 9_000n }],
    );
    const txid = chain.submit(raw);
    chain.mine(); // in block 104, 3 deep
    expect(chain.reorg(1)).toEqual({ disconnected: 1, mempool: [txid], dropped: [] }); // still final for 104
    expect(chain.reorg(1)).toEqual({ disconnected: 1, mempool: [], dropped: [txid] }); // next block 103
    expect(chain.transactionsSpending(coin)).toMatchObject([{ txid, status: 'dropped' }]);
    expect(codeOf(() => chain.submit(raw))).toBe('TX_NON_FINAL');
    chain.mine();
    expect(chain.submit(raw)).toBe(txid);
    expect(chain.transactionsSpending(coin)).toMatchObject([{ txid, status: 'mempool' }]);
  });

  it('REORG_TOO_DEEP past the start height, state unchanged', () => {
    const chain = new SimulatedChain({ startHeight: 10 });
    chain.mine(3);
    expect(codeOf(() => chain.reorg(4))).toBe('REORG_TOO_DEEP');
    expect(codeOf(() => chain.reorg(-1))).toBe('REORG_TOO_DEEP');
    expect(chain.height).toBe(13);
    chain.reorg(3);
    expect(chain.height).toBe(10);
    expect(codeOf(() => chain.reorg(1))).toBe('REORG_TOO_DEEP');
  });

  it('the new branch gets different block hashes when its content differs', () => {
    const { chain, coin } = chainWithCoin();
    chain.mine();
    const emptyHash = chain.block(102)?.hash;
    chain.reorg(1);
    chain.submit(spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]));
    chain.mine();
    expect(chain.block(102)?.hash).not.toBe(emptyHash);
  });
});
