import { describe, expect, it } from 'vitest';
import type { Outpoint } from '../../src/chain/index.js';
import {
  buildAssetRevokeTransaction,
  simulatedAddressHistory,
} from '../../src/counterparty/index.js';
import { p2shOutputScript } from '../../src/scripts/index.js';
import { AssetChannel, TERMS, secret } from './asset-channel-fixture.js';

describe('simulatedAddressHistory', () => {
  it('lists every output an address received with its spender, confirmed or in the mempool, across a reorganisation', async () => {
    const c = new AssetChannel();
    await c.open();
    const revoke = secret(9);
    const commitScript = c.commitScript(revoke);
    const commitOut = p2shOutputScript(commitScript);
    const sweep = (outpoint: Outpoint) =>
      buildAssetRevokeTransaction({
        outpoint,
        value: 10_000n,
        destinationScript: c.payer.p2pkh,
        feeRate: 1,
        privateKey: c.payer.privateKey,
        commitScript,
        revokeSecret: revoke,
        quantity: 1n,
        terms: TERMS,
      });
    const first = c.chain.fund(commitOut, 10_000n);
    const second = c.chain.fund(commitOut, 10_000n);
    const fundedAt = c.chain.height;
    // Another address's outputs stay out of the history.
    c.chain.fund(p2shOutputScript(c.depositScript), 10_000n);
    const firstSweep = sweep(first);
    c.chain.submit(firstSweep.rawTx);
    c.chain.mine();
    const sweptAt = c.chain.height;
    const secondSweep = sweep(second);
    c.chain.submit(secondSweep.rawTx);
    expect(c.chain.listUnspent(commitOut)).toEqual([]);
    expect(simulatedAddressHistory(c.chain, commitOut)).toEqual([
      {
        ...first,
        blockHeight: fundedAt - 1,
        spentBy: { txid: firstSweep.txid, blockHeight: sweptAt },
      },
      { ...second, blockHeight: fundedAt, spentBy: { txid: secondSweep.txid, blockHeight: null } },
    ]);
    // The block holding the first sweep is disconnected: its spender is back in the mempool.
    c.chain.reorg(1);
    expect(simulatedAddressHistory(c.chain, commitOut)[0]?.spentBy).toEqual({
      txid: firstSweep.txid,
      blockHeight: null,
    });
  });
});
