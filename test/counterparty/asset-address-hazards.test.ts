import { describe, expect, it } from 'vitest';
import {
  CounterpartyError,
  assetRevocationTrusted,
  buildAssetExpireTransaction,
  buildAssetPayoutTransaction,
  buildAssetRevokeTransaction,
  checkAssetDepositAddress,
} from '../../src/counterparty/index.js';
import { p2shOutputScript } from '../../src/scripts/index.js';
import { completeCommit } from '../../src/transactions/index.js';
import { AssetChannel, TERMS, secret } from './asset-channel-fixture.js';

/**
 * Counterparty balances follow addresses while timelocks follow outputs: whoever spends any
 * output at a channel address first moves the address's whole balance. These tests show the
 * two attacks this opens and the checks that close them.
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
    expect(assetRevocationTrusted(c.chain.listUnspent(commitOut), context)).toBe(false);
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
    expect(assetRevocationTrusted(c.chain.listUnspent(commitOut), context)).toBe(true);
    const parked = c.chain.fund(commitOut, 10_000n);
    // Learned now, with the parked output too young to pay out of: still safe, once swept.
    const young = { height: c.chain.height, delayTime: c.delayTime };
    expect(assetRevocationTrusted(c.chain.listUnspent(commitOut), young)).toBe(true);
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
    expect(assetRevocationTrusted(c.chain.listUnspent(commitOut), at(c.chain.height))).toBe(true);
    c.chain.mine();
    const mined = c.chain.height;
    expect(assetRevocationTrusted(c.chain.listUnspent(commitOut), at(mined))).toBe(true);
    expect(
      assetRevocationTrusted(c.chain.listUnspent(commitOut), at(mined + c.delayTime - 1)),
    ).toBe(false);
    expect(assetRevocationTrusted([], at(mined))).toBe(false);
  });
});
