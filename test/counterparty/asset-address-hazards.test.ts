import { describe, expect, it } from 'vitest';
import type { Outpoint } from '../../src/chain/index.js';
import {
  type AddressHistoryOutput,
  type AddressSpend,
  type RevocationContext,
  CounterpartyError,
  assetRevocationTrusted,
  buildAssetExpireTransaction,
  buildAssetPayoutTransaction,
  buildAssetRevokeTransaction,
  checkAssetDepositAddress,
  simulatedAddressHistory,
} from '../../src/counterparty/index.js';
import { p2shOutputScript } from '../../src/scripts/index.js';
import { completeCommit } from '../../src/transactions/index.js';
import { AssetChannel, TERMS, secret } from './asset-channel-fixture.js';

/**
 * Counterparty balances follow addresses while timelocks follow outputs: whoever spends any
 * output at a channel address first moves the address's whole balance. These tests show the
 * attacks this opens (at the deposit address, and at a commit address before and after the
 * commit confirms) and the checks that close them.
 */
describe('asset channel addresses', () => {
  it('an older output at the deposit address lets a payer expire the asset early; the payee refuses it', async () => {
    const c = new AssetChannel();
    const depositOut = p2shOutputScript(c.depositScript);
    // The payer, knowing the deposit script from the offer, parks BTC there first.
    const early = c.chain.fund(depositOut, 10_000n);
    c.chain.mine(c.expireTime);
    await c.open();
    const depositHeight = c.chain.height;
    expect(await c.balance(c.depositAddress)).toBe(600n);
    // The payee's check sees the older output before accepting any commit.
    const outputs = c.chain.listUnspent(depositOut);
    let code = '';
    try {
      checkAssetDepositAddress(outputs, c.deposit.outpoint, depositHeight);
    } catch (error) {
      code = (error as CounterpartyError).code;
    }
    expect(code).toBe('CHANNEL_ADDRESS_REUSED');
    // What it prevents: the old output's expire is valid at once and takes the deposit's asset.
    const steal = buildAssetExpireTransaction({
      outpoint: early,
      value: 10_000n,
      destinationScript: c.payer.p2pkh,
      feeRate: c.payerFeeRate,
      privateKey: c.payer.privateKey,
      depositScript: c.depositScript,
      quantity: 600n,
      terms: TERMS,
    });
    c.chain.submit(steal.rawTx);
    c.chain.mine();
    expect(await c.status(steal.txid)).toBe('valid');
    expect(await c.balance(c.depositAddress)).toBe(0n);
  });

  it('a younger output at the deposit address passes the check', async () => {
    const c = new AssetChannel();
    await c.open();
    const depositHeight = c.chain.height;
    c.chain.fund(p2shOutputScript(c.depositScript), 10_000n);
    const outputs = c.chain.listUnspent(p2shOutputScript(c.depositScript));
    expect(outputs).toHaveLength(2);
    expect(() =>
      checkAssetDepositAddress(outputs, c.deposit.outpoint, depositHeight),
    ).not.toThrow();
    expect(() => checkAssetDepositAddress(outputs, c.deposit.outpoint, Number.NaN)).toThrow(
      CounterpartyError,
    );
  });

  it('an old output at a commit address lets a payee race the revoke; the payer does not count that give-back', async () => {
    const c = new AssetChannel();
    await c.open();
    const revoke = secret(4);
    const commit = c.signCommit(500n, revoke);
    const commitOut = p2shOutputScript(commit.commitScript);
    // The payee parks BTC at the commit address and lets it age past delay_time.
    const parked = c.chain.fund(commitOut, 10_000n);
    c.chain.mine(c.delayTime);
    // The payee gives the commit back: the payer learns the revoke secret now.
    const context = { height: c.chain.height, delayTime: c.delayTime };
    expect(assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), context)).toBe(
      false,
    );
    // ...and at once publishes the commit and pays out of the parked output.
    const commitTxid = c.chain.submit(
      completeCommit(commit.rawTx, c.depositScript, c.payee.privateKey),
    );
    const payout = buildAssetPayoutTransaction({
      outpoint: parked,
      value: 10_000n,
      destinationScript: c.payee.p2pkh,
      feeRate: c.payeeFeeRate,
      privateKey: c.payee.privateKey,
      commitScript: commit.commitScript,
      spendSecret: c.spendSecret,
      quantity: 500n,
      terms: TERMS,
    });
    c.chain.submit(payout.rawTx);
    // The payer's revoke of the commit output still confirms, but the balance has gone.
    const revokeTx = buildAssetRevokeTransaction({
      outpoint: { txid: commitTxid, vout: 0 },
      value: c.budget.commitValue,
      destinationScript: c.payer.p2pkh,
      feeRate: c.payerFeeRate,
      privateKey: c.payer.privateKey,
      commitScript: commit.commitScript,
      revokeSecret: revoke,
      quantity: 500n,
      terms: TERMS,
    });
    c.chain.submit(revokeTx.rawTx);
    c.chain.mine();
    expect(await c.balance(c.payee.address)).toBe(500n);
    expect(await c.balance(c.payer.address)).toBe(400n);
  });

  it('an output parked after the give-back is swept before it is old enough', async () => {
    const c = new AssetChannel();
    await c.open();
    const revoke = secret(5);
    const commit = c.signCommit(500n, revoke);
    const commitOut = p2shOutputScript(commit.commitScript);
    // Learned with an empty commit address: the give-back counts.
    const context = { height: c.chain.height, delayTime: c.delayTime };
    expect(assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), context)).toBe(true);
    const parked = c.chain.fund(commitOut, 10_000n);
    // Learned now, with the parked output too young to pay out of: still safe, once swept.
    const young = { height: c.chain.height, delayTime: c.delayTime };
    expect(assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), young)).toBe(true);
    // The payer sees it within its watching interval and sweeps it with the revoke path.
    const sweep = buildAssetRevokeTransaction({
      outpoint: parked,
      value: 10_000n,
      destinationScript: c.payer.p2pkh,
      feeRate: 1,
      privateKey: c.payer.privateKey,
      commitScript: commit.commitScript,
      revokeSecret: revoke,
      quantity: 500n,
      terms: TERMS,
    });
    c.chain.submit(sweep.rawTx);
    c.chain.mine();
    // Nothing was at the address, so the sweep moved nothing, and the parked output is gone.
    expect((await c.ledger.getTransaction(sweep.txid))?.status).toMatch(/^invalid/);
    expect(c.chain.listUnspent(commitOut)).toHaveLength(0);
    // A published commit's own output does not make a revocation untrusted while it is young;
    // once it is spent (paid out), or old enough for the payout, it does.
    const commitTxid = c.chain.submit(
      completeCommit(commit.rawTx, c.depositScript, c.payee.privateKey),
    );
    const own = { txid: commitTxid, vout: 0 };
    const at = (height: number) => ({ commitOutput: own, height, delayTime: c.delayTime });
    expect(
      assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), at(c.chain.height)),
    ).toBe(true);
    c.chain.mine();
    const mined = c.chain.height;
    expect(assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), at(mined))).toBe(
      true,
    );
    expect(
      assetRevocationTrusted(
        simulatedAddressHistory(c.chain, commitOut),
        at(mined + c.delayTime - 1),
      ),
    ).toBe(false);
    expect(assetRevocationTrusted([], at(mined))).toBe(false);
  });

  /** The payee's payout of an output at the commit address, paying itself. */
  function payoutOf(c: AssetChannel, commitScript: Uint8Array, outpoint: Outpoint, value: bigint) {
    return buildAssetPayoutTransaction({
      outpoint,
      value,
      destinationScript: c.payee.p2pkh,
      feeRate: c.payeeFeeRate,
      privateKey: c.payee.privateKey,
      commitScript,
      spendSecret: c.spendSecret,
      quantity: 500n,
      terms: TERMS,
    });
  }

  /** The payer's revoke of an output at the commit address, paying itself. */
  function revokeOf(c: AssetChannel, commitScript: Uint8Array, revoke: Uint8Array, at: Outpoint) {
    return buildAssetRevokeTransaction({
      outpoint: at,
      value: c.chain.listUnspent(p2shOutputScript(commitScript)).find((o) => o.txid === at.txid)!
        .value,
      destinationScript: c.payer.p2pkh,
      feeRate: c.payerFeeRate,
      privateKey: c.payer.privateKey,
      commitScript,
      revokeSecret: revoke,
      quantity: 500n,
      terms: TERMS,
    });
  }

  it('BTC parked before the commit confirmed and paid out in the mempool before the give-back: the payer does not count it', async () => {
    const c = new AssetChannel({ delayTime: 4 });
    await c.open();
    const revoke = secret(6);
    const commit = c.signCommit(500n, revoke);
    const commitOut = p2shOutputScript(commit.commitScript);
    // The payee publishes the commit; before it confirms, it parks BTC at the commit address.
    const commitTxid = c.chain.submit(
      completeCommit(commit.rawTx, c.depositScript, c.payee.privateKey),
    );
    const parked = c.chain.fund(commitOut, 10_000n);
    const parkedHeight = c.chain.height;
    c.chain.mine();
    expect(c.chain.blockHeightOf(commitTxid)).toBe(parkedHeight + 1);
    expect(await c.balance(c.commitAddress(commit.commitScript))).toBe(500n);
    // As soon as the parked output is delay_time old in the next block, the payout is sent...
    c.chain.mine(c.delayTime - 2);
    const payout = payoutOf(c, commit.commitScript, parked, 10_000n);
    c.chain.submit(payout.rawTx);
    // ...and only then is the commit given back. The unspent outputs show nothing unsafe: the
    // parked output is spent in the mempool, the commit's own output is young.
    const own = { txid: commitTxid, vout: 0 };
    const context = { commitOutput: own, height: c.chain.height, delayTime: c.delayTime };
    const unspent = c.chain.listUnspent(commitOut);
    expect(unspent.map((o) => `${o.txid}:${o.vout}`)).toEqual([`${commitTxid}:0`]);
    expect(c.chain.height + 1 - unspent[0]!.blockHeight!).toBeLessThan(c.delayTime);
    // The history shows the parked output and its pending payout: the give-back is not counted.
    const history = simulatedAddressHistory(c.chain, commitOut);
    expect(history.find((o) => o.txid === parked.txid)?.spentBy).toEqual({
      txid: payout.txid,
      blockHeight: null,
    });
    expect(assetRevocationTrusted(history, context)).toBe(false);
    // Rightly: the payer's revoke of the commit's own output comes too late.
    const revokeTx = revokeOf(c, commit.commitScript, revoke, own);
    c.chain.submit(revokeTx.rawTx);
    c.chain.mine();
    expect(await c.status(payout.txid)).toBe('valid');
    expect(await c.balance(c.payee.address)).toBe(500n);
    expect(await c.balance(c.payer.address)).toBe(400n);
  });

  it('BTC parked before the commit and paid out right after it in the same block: the payer does not count the give-back', async () => {
    const c = new AssetChannel({ delayTime: 4 });
    await c.open();
    const revoke = secret(7);
    const commit = c.signCommit(500n, revoke);
    const commitOut = p2shOutputScript(commit.commitScript);
    const parked = c.chain.fund(commitOut, 10_000n);
    c.chain.mine(c.delayTime - 1);
    // The commit and a payout of the old parked output are mined together, the commit first.
    const commitTxid = c.chain.submit(
      completeCommit(commit.rawTx, c.depositScript, c.payee.privateKey),
    );
    const payout = payoutOf(c, commit.commitScript, parked, 10_000n);
    c.chain.submit(payout.rawTx);
    c.chain.mine();
    expect(c.chain.blockHeightOf(payout.txid)).toBe(c.chain.blockHeightOf(commitTxid));
    expect(await c.balance(c.payee.address)).toBe(500n);
    // Given back now, only the commit's young output is unspent; its history tells the rest.
    const own = { txid: commitTxid, vout: 0 };
    const context = { commitOutput: own, height: c.chain.height, delayTime: c.delayTime };
    expect(c.chain.listUnspent(commitOut).map((o) => o.txid)).toEqual([commitTxid]);
    expect(assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), context)).toBe(
      false,
    );
  });

  it('BTC parked and paid out before the commit confirmed moved nothing: the give-back still counts', async () => {
    const c = new AssetChannel({ delayTime: 4 });
    await c.open();
    const revoke = secret(8);
    const commit = c.signCommit(500n, revoke);
    const commitOut = p2shOutputScript(commit.commitScript);
    const parked = c.chain.fund(commitOut, 10_000n);
    c.chain.mine(c.delayTime - 1);
    const payout = payoutOf(c, commit.commitScript, parked, 10_000n);
    c.chain.submit(payout.rawTx);
    c.chain.mine();
    const commitTxid = c.chain.submit(
      completeCommit(commit.rawTx, c.depositScript, c.payee.privateKey),
    );
    const own = { txid: commitTxid, vout: 0 };
    const at = (height: number) => ({ commitOutput: own, height, delayTime: c.delayTime });
    // Given back with the commit in the mempool, then once it is confirmed: safe both times.
    expect(
      assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), at(c.chain.height)),
    ).toBe(true);
    c.chain.mine();
    expect(
      assetRevocationTrusted(simulatedAddressHistory(c.chain, commitOut), at(c.chain.height)),
    ).toBe(true);
    // And the payer's revoke does get the asset back.
    const revokeTx = revokeOf(c, commit.commitScript, revoke, own);
    c.chain.submit(revokeTx.rawTx);
    c.chain.mine();
    expect(await c.status(revokeTx.txid)).toBe('valid');
    // The payer holds its 400 and the 500 revoked; the 100 remainder waits at the deposit.
    expect(await c.balance(c.payer.address)).toBe(900n);
    expect(await c.balance(c.commitAddress(commit.commitScript))).toBe(0n);
    expect(await c.balance(c.payee.address)).toBe(0n);
  });

  it('the rule: a spender counts against the give-back unless confirmed below the commit', () => {
    const delayTime = 4;
    const own = { txid: 'c0'.repeat(32), vout: 0 };
    const parked = (spentBy: AddressSpend | null) => ({
      txid: 'aa'.repeat(32),
      vout: 0,
      blockHeight: 100,
      spentBy,
    });
    const ownAt = (blockHeight: number | null, spentBy: AddressSpend | null = null) => ({
      ...own,
      blockHeight,
      spentBy,
    });
    const spend = (blockHeight: number | null) => ({ txid: 'bb'.repeat(32), blockHeight });
    const published = { commitOutput: own, height: 110, delayTime };
    const unpublished = { height: 110, delayTime };
    const cases: [string, AddressHistoryOutput[], RevocationContext, boolean][] = [
      ['spent below the commit', [parked(spend(107)), ownAt(108)], published, true],
      ["spent in the commit's block", [parked(spend(108)), ownAt(108)], published, false],
      ['spent after the commit', [parked(spend(109)), ownAt(108)], published, false],
      ['spent in the mempool', [parked(spend(null)), ownAt(108)], published, false],
      ['commit unconfirmed, spent in a block', [parked(spend(109)), ownAt(null)], published, true],
      [
        'commit unconfirmed, spent in the mempool',
        [parked(spend(null)), ownAt(null)],
        published,
        false,
      ],
      ['unpublished, spent in a block', [parked(spend(109))], unpublished, true],
      ['unpublished, spent in the mempool', [parked(spend(null))], unpublished, false],
      ["the commit's own output spent", [ownAt(109, spend(null))], published, false],
      ["the commit's own output missing", [parked(spend(107))], published, false],
      ['an unspent output payable next block', [parked(null)], unpublished, false],
      ['an empty history', [], unpublished, true],
    ];
    for (const [name, history, context, trusted] of cases) {
      expect(assetRevocationTrusted(history, context), name).toBe(trusted);
    }
  });
});
