import { describe, expect, it } from 'vitest';
import { ChainError } from '../../src/chain/index.js';
import {
  buildAssetChangeTransaction,
  buildAssetExpireTransaction,
  buildAssetPayoutTransaction,
  buildAssetRevokeTransaction,
  decodeCounterpartyTransaction,
} from '../../src/counterparty/index.js';
import { extractSpendSecret } from '../../src/scripts/index.js';
import { completeCommit, decodeTransaction } from '../../src/transactions/index.js';
import { AssetChannel, TERMS, secret } from './asset-channel-fixture.js';

/** BTC value of every output of a confirmed transaction. */
function outputsOf(channel: AssetChannel, txid: string) {
  return decodeTransaction(channel.chain.rawTransaction(txid)!).outputs;
}

/**
 * Asset channels end to end (issue: asset mode): each of the six transactions is a classic send
 * from the address the first input spends, judged by the simulated Counterparty ledger after it
 * confirms, while the BTC that pays the next step stays at the channel's P2SH addresses.
 */
describe('asset channel lifecycle on the simulated chain and ledger', () => {
  it('deposit, commits, payout by the payee, change by the payer', async () => {
    const c = new AssetChannel();
    const depositTxid = await c.open();
    expect(await c.status(depositTxid)).toBe('valid');
    expect(await c.balance(c.payer.address)).toBe(400n);
    expect(await c.balance(c.depositAddress)).toBe(600n);
    // The deposit output carries the BTC of every later step.
    expect(outputsOf(c, depositTxid)[0]!.value).toBe(c.budget.depositValue);

    // Three payments: cumulative commits, each verified by the payee.
    const revokes = [secret(1), secret(2), secret(3)];
    const commits = [100n, 250n, 400n].map((amount, i) => {
      const commit = c.signCommit(amount, revokes[i]!);
      const verified = c.verify(commit.rawTx, commit.commitScript, amount, revokes);
      expect(verified.amount).toBe(amount);
      expect(verified.commitValue).toBe(c.budget.commitValue);
      // Counterparty reads it as a send from the deposit address to the commit address.
      const read = decodeCounterpartyTransaction(commit.rawTx, { network: 'regtest' });
      expect(read.destination).toBe(c.commitAddress(commit.commitScript));
      expect(read.message).toMatchObject({ type: 'classic', asset: TERMS.asset, quantity: amount });
      return commit;
    });
    // Nothing moved while the commits are off chain.
    expect(await c.balance(c.depositAddress)).toBe(600n);

    // The payee closes with the best commit.
    const best = commits[2]!;
    const complete = completeCommit(best.rawTx, c.depositScript, c.payee.privateKey);
    const commitTxid = c.chain.submit(complete);
    c.chain.mine();
    expect(await c.status(commitTxid)).toBe('valid');
    const commitAddress = c.commitAddress(best.commitScript);
    expect(await c.balance(commitAddress)).toBe(400n);
    expect(await c.balance(c.depositAddress)).toBe(200n);
    const [commitOut, , remainderOut] = outputsOf(c, commitTxid);
    expect(commitOut!.value).toBe(c.budget.commitValue);
    expect(remainderOut!.value).toBe(best.remainder);
    expect(remainderOut!.value).toBeGreaterThanOrEqual(c.budget.remainder);

    // The payout is refused by the chain before delay_time, accepted after.
    const payout = buildAssetPayoutTransaction({
      outpoint: { txid: commitTxid, vout: 0 },
      value: commitOut!.value,
      destinationScript: c.payee.p2pkh,
      feeRate: c.payeeFeeRate,
      privateKey: c.payee.privateKey,
      commitScript: best.commitScript,
      spendSecret: c.spendSecret,
      quantity: 400n,
      terms: TERMS,
    });
    expect(() => c.chain.submit(payout.rawTx)).toThrow(ChainError);
    c.chain.mine(c.delayTime - 1);
    c.chain.submit(payout.rawTx);
    c.chain.mine();
    expect(await c.status(payout.txid)).toBe('valid');
    expect(await c.balance(c.payee.address)).toBe(400n);
    expect(await c.balance(commitAddress)).toBe(0n);

    // The payer reads the spend secret from the payout and takes the rest back at once.
    const revealed = extractSpendSecret(payout.rawTx, best.commitScript);
    expect(revealed).toEqual(c.spendSecret);
    const change = buildAssetChangeTransaction({
      outpoint: { txid: commitTxid, vout: 2 },
      value: remainderOut!.value,
      destinationScript: c.payer.p2pkh,
      feeRate: c.payerFeeRate,
      privateKey: c.payer.privateKey,
      depositScript: c.depositScript,
      spendSecret: revealed!,
      quantity: await c.balance(c.depositAddress),
      terms: TERMS,
    });
    c.chain.submit(change.rawTx);
    c.chain.mine();
    expect(await c.status(change.txid)).toBe('valid');
    expect(await c.balance(c.payer.address)).toBe(600n);
    expect(await c.balance(c.depositAddress)).toBe(0n);

    // Conservation in asset units, and the BTC carried alongside fully accounted.
    expect((await c.balance(c.payer.address)) + (await c.balance(c.payee.address))).toBe(1_000n);
    const fees = c.chain.feeOf(commitTxid)! + payout.fee + change.fee;
    expect(c.chain.feeOf(payout.txid)).toBe(payout.fee);
    expect(payout.outputValue + change.outputValue + fees).toBe(c.deposit.value);
  });

  it('a revoked commit the payee publishes goes back to the payer; the rest expires', async () => {
    const c = new AssetChannel();
    await c.open();
    const revokes = [secret(7), secret(8)];
    const low = c.signCommit(150n, revokes[0]!);
    const high = c.signCommit(500n, revokes[1]!);
    c.verify(high.rawTx, high.commitScript, 500n, revokes);
    // The payee gives the 500 back (reveals its revoke secret), then cheats by publishing it.
    const complete = completeCommit(high.rawTx, c.depositScript, c.payee.privateKey);
    const commitTxid = c.chain.submit(complete);
    c.chain.mine();
    const commitAddress = c.commitAddress(high.commitScript);
    expect(await c.balance(commitAddress)).toBe(500n);
    const revoke = buildAssetRevokeTransaction({
      outpoint: { txid: commitTxid, vout: 0 },
      value: c.budget.commitValue,
      destinationScript: c.payer.p2pkh,
      feeRate: c.payerFeeRate,
      privateKey: c.payer.privateKey,
      commitScript: high.commitScript,
      revokeSecret: revokes[1]!,
      quantity: 500n,
      terms: TERMS,
    });
    // No relative lock: the revoke confirms before the payout could.
    c.chain.submit(revoke.rawTx);
    c.chain.mine();
    expect(await c.status(revoke.txid)).toBe('valid');
    expect(await c.balance(commitAddress)).toBe(0n);
    expect(await c.balance(c.payer.address)).toBe(400n + 500n);
    // The published commit spent the deposit: the low commit can no longer confirm.
    const lowComplete = completeCommit(low.rawTx, c.depositScript, c.payee.privateKey);
    expect(() => c.chain.submit(lowComplete)).toThrow(ChainError);

    // The remainder at the deposit address expires back to the payer after expire_time.
    const remainder = outputsOf(c, commitTxid)[2]!;
    const expire = buildAssetExpireTransaction({
      outpoint: { txid: commitTxid, vout: 2 },
      value: remainder.value,
      destinationScript: c.payer.p2pkh,
      feeRate: c.payerFeeRate,
      privateKey: c.payer.privateKey,
      depositScript: c.depositScript,
      quantity: 100n,
      terms: TERMS,
    });
    expect(() => c.chain.submit(expire.rawTx)).toThrow(ChainError);
    c.chain.mine(c.expireTime - 2);
    c.chain.submit(expire.rawTx);
    c.chain.mine();
    expect(await c.status(expire.txid)).toBe('valid');
    expect(await c.balance(c.payer.address)).toBe(1_000n);
    expect(await c.balance(c.payee.address)).toBe(0n);
    expect(await c.balance(c.depositAddress)).toBe(0n);
  });

  it('an unused deposit expires whole, asset and BTC', async () => {
    const c = new AssetChannel({ quantity: 1_000n, extraBtc: 5_000n });
    const depositTxid = await c.open();
    expect(await c.balance(c.payer.address)).toBe(0n);
    const expire = buildAssetExpireTransaction({
      outpoint: c.deposit.outpoint,
      value: c.deposit.value,
      destinationScript: c.payer.p2pkh,
      feeRate: c.payerFeeRate,
      privateKey: c.payer.privateKey,
      depositScript: c.depositScript,
      quantity: 1_000n,
      terms: TERMS,
    });
    c.chain.mine(c.expireTime - 1);
    c.chain.submit(expire.rawTx);
    c.chain.mine();
    expect(await c.status(expire.txid)).toBe('valid');
    expect(await c.balance(c.payer.address)).toBe(1_000n);
    expect(expire.outputValue + expire.fee).toBe(outputsOf(c, depositTxid)[0]!.value);
  });

  it('follows a reorganisation that drops the commit', async () => {
    const c = new AssetChannel();
    await c.open();
    const commit = c.signCommit(300n, secret(9));
    const complete = completeCommit(commit.rawTx, c.depositScript, c.payee.privateKey);
    c.chain.submit(complete);
    c.chain.mine();
    expect(await c.balance(c.depositAddress)).toBe(300n);
    const { mempool } = c.chain.reorg(1);
    expect(mempool).toHaveLength(1);
    // Back in the mempool: the ledger counts confirmed blocks only.
    expect(await c.balance(c.depositAddress)).toBe(600n);
    c.chain.mine();
    expect(await c.balance(c.commitAddress(commit.commitScript))).toBe(300n);
  });
});
