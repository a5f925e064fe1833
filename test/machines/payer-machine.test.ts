import { describe, expect, test } from 'vitest';
import type { OfferMessage, RevokeSecretsMessage } from '../../src/messages/schema.js';
import {
  type Pair,
  broadcastOf,
  depositTransaction,
  expectIgnored,
  expectRefused,
  messageEvent,
  messagesOf,
  openPair,
  pay,
  payeeContext,
  payerContext,
  relay,
  restorePayee,
  startPayee,
  startPayer,
  typesOf,
} from './fixture.js';

function offerOf(): OfferMessage {
  const offer = messagesOf(startPayee().effects)[0];
  if (offer?.type !== 'offer') throw new Error('no offer');
  return offer;
}

function funding() {
  const payer = startPayer();
  const effects = payer.send(messageEvent(offerOf()));
  const fund = effects.find((e) => e.type === 'fund-deposit');
  if (fund?.type !== 'fund-deposit') throw new Error('no funding');
  return { payer, effects, fund };
}

/** The payee closes with its best commit; the payer sees it confirmed at `height`. */
function published(pair: Pair, height: number) {
  const commit = broadcastOf(pair.payee.send({ type: 'CLOSE' }), 'commit');
  const effects = pair.payer.send({
    type: 'OUTPOINT_SPENT',
    outpoint: { txid: pair.deposit.txid, vout: pair.deposit.vout },
    txid: commit.txid,
    rawTx: commit.rawTx,
    blockHeight: height,
  });
  return { commit, effects };
}

describe('payer machine: opening', () => {
  test('awaitingOffer + OFFER → funding: persisted, then the deposit script sent, then funding asked', () => {
    const { payer, effects, fund } = funding();
    expect(payer.value()).toBe('funding');
    expect(typesOf(effects)).toEqual(['persist', 'send:deposit', 'fund-deposit']);
    const ctx = payerContext(payer);
    expect(ctx).toMatchObject({ expireTime: 40, delayTime: 5, depositScript: fund.depositScript });
    expect(fund.amount).toBe('1000000');
  });

  test('awaitingOffer refuses unacceptable offers and unexpected events', () => {
    const payer = startPayer();
    expect(payer.effects).toEqual([]);
    const offer = offerOf();
    expectRefused(payer, { type: 'OFFER', message: { ...offer, channelId: 'x' } }, 'WRONG_CHANNEL');
    expectRefused(
      payer,
      { type: 'OFFER', message: { ...offer, network: 'mainnet' } },
      'OFFER_UNACCEPTABLE',
    );
    expectRefused(
      payer,
      { type: 'OFFER', message: { ...offer, minFeeRate: 3 } },
      'OFFER_UNACCEPTABLE',
    );
    expectRefused(
      payer,
      { type: 'OFFER', message: { ...offer, payeePubkey: payerContext(payer).payerPubkey } },
      'OFFER_UNACCEPTABLE',
    );
    expectRefused(payer, { type: 'PAY', amount: '1000' }, 'DEPOSIT_UNCONFIRMED');
    expectRefused(
      payer,
      { type: 'DEPOSIT_PUBLISHED', txid: '00'.repeat(32), vout: 0, rawTx: '00' },
      'UNEXPECTED_EVENT',
    );
    expectIgnored(payer, {
      type: 'TX_CONFIRMED',
      txid: '00'.repeat(32),
      rawTx: '00',
      blockHeight: 1,
    });
    payer.send({ type: 'CLOSE' });
    expect(payer.value()).toBe('aborted');
    expect(payerContext(payer).outcome).toBe('aborted');
  });

  test('funding + DEPOSIT_PUBLISHED → awaitingConfirmation; wrong deposits refused', () => {
    const { payer, fund } = funding();
    const deposit = depositTransaction(fund.depositScript);
    const short = depositTransaction(fund.depositScript, 999_999n);
    expectRefused(payer, { type: 'DEPOSIT_PUBLISHED', ...short }, 'DEPOSIT_MISMATCH');
    expectRefused(payer, { type: 'DEPOSIT_PUBLISHED', ...deposit, vout: 1 }, 'DEPOSIT_MISMATCH');
    expectRefused(
      payer,
      { type: 'DEPOSIT_PUBLISHED', ...deposit, txid: '00'.repeat(32) },
      'UNRELATED_TRANSACTION',
    );
    expectRefused(payer, { type: 'OFFER', message: offerOf() }, 'UNEXPECTED_EVENT');
    const effects = payer.send({ type: 'DEPOSIT_PUBLISHED', ...deposit });
    expect(payer.value()).toBe('awaitingConfirmation');
    expect(typesOf(effects)).toEqual([
      'persist',
      'send:deposit-funded',
      'watch-transaction',
      'watch-outpoint',
    ]);
    expect(payerContext(payer).deposit).toEqual({
      txid: deposit.txid,
      vout: deposit.vout,
      value: '1000000',
      confirmedHeight: null,
    });
    expect(payerContext(payer).broadcasts.deposit?.txid).toBe(deposit.txid);
    // A second deposit is not expected any more.
    expectRefused(payer, { type: 'DEPOSIT_PUBLISHED', ...deposit }, 'UNEXPECTED_EVENT');
  });

  test('funding + FUNDING_FAILED or CLOSE → aborted', () => {
    for (const event of [
      { type: 'FUNDING_FAILED', code: 'INSUFFICIENT_FUNDS', reason: 'no coins' } as const,
      { type: 'CLOSE' } as const,
    ]) {
      const { payer } = funding();
      expect(typesOf(payer.send(event))).toEqual(['persist', 'finished']);
      expect(payer.value()).toBe('aborted');
    }
  });

  test('awaitingConfirmation: revoke hash stored, deposit and its announcement resent per block, confirmation opens', () => {
    const { payer, fund } = funding();
    const deposit = depositTransaction(fund.depositScript);
    payer.send({ type: 'DEPOSIT_PUBLISHED', ...deposit });
    const perBlock = payer.send({ type: 'BLOCK', height: 101 });
    // A lost deposit broadcast is made good at the next block.
    expect(typesOf(perBlock)).toEqual(['broadcast', 'send:deposit', 'send:deposit-funded']);
    expect(perBlock[0]).toEqual({
      type: 'broadcast',
      label: 'deposit',
      txid: deposit.txid,
      rawTx: deposit.rawTx,
    });
    expectRefused(payer, { type: 'PAY', amount: '1000' }, 'DEPOSIT_UNCONFIRMED');
    expectIgnored(payer, {
      type: 'TX_CONFIRMED',
      txid: '00'.repeat(32),
      rawTx: '00',
      blockHeight: 101,
    });
    const hash = {
      protocol: 'picopayments/1',
      channelId: payerContext(payer).channelId,
      type: 'revoke-hash',
      revokeSecretHash: '12'.repeat(20),
    } as const;
    // Persisted, so that a payer restarted before its next payment still has it.
    expect(payer.send({ type: 'REVOKE_HASH', message: hash })).toEqual([{ type: 'persist' }]);
    expect(payerContext(payer).nextRevokeHash).toBe('12'.repeat(20));
    // The same hash again (the payee repeats it at every block) changes nothing.
    expect(payer.send({ type: 'REVOKE_HASH', message: hash })).toEqual([]);
    expectRefused(
      payer,
      { type: 'REVOKE_HASH', message: { ...hash, channelId: 'x' } },
      'WRONG_CHANNEL',
    );
    const effects = payer.send({
      type: 'TX_CONFIRMED',
      txid: deposit.txid,
      rawTx: deposit.rawTx,
      blockHeight: 101,
    });
    expect(typesOf(effects)).toEqual(['persist']);
    expect(payer.value()).toBe('open');
    expect(payerContext(payer).deposit?.confirmedHeight).toBe(101);
    expect(payerContext(payer).broadcasts.deposit?.confirmedHeight).toBe(101);
  });
});

describe('payer machine: open channel', () => {
  test('PAY: the commit is persisted before it is sent, and the revoke hash is used up', () => {
    const pair = openPair();
    const hash = payerContext(pair.payer).nextRevokeHash;
    const effects = pair.payer.send({ type: 'PAY', amount: '10000' });
    expect(typesOf(effects)).toEqual(['persist', 'send:commit']);
    const ctx = payerContext(pair.payer);
    expect(ctx.nextRevokeHash).toBeNull();
    expect(ctx.commits).toHaveLength(1);
    expect(ctx.commits[0]).toMatchObject({
      amount: '10000',
      revokeSecretHash: hash,
      revokeSecret: null,
    });
    expect(messagesOf(effects)[0]).toMatchObject({
      amount: '10000',
      commitScript: ctx.commits[0]!.commitScript,
    });
    // No revoke hash until the payee answers.
    expectRefused(pair.payer, { type: 'PAY', amount: '10000' }, 'NO_REVOKE_HASH');
    // Per block, the unanswered commit is sent again.
    expect(typesOf(pair.payer.send({ type: 'BLOCK', height: 102 }))).toEqual(['send:commit']);
  });

  test('PAY refusals: zero, malformed, beyond capacity', () => {
    const pair = openPair();
    expectRefused(pair.payer, { type: 'PAY', amount: '0' }, 'AMOUNT_INVALID');
    expectRefused(pair.payer, { type: 'PAY', amount: '-5' }, 'AMOUNT_INVALID');
    expectRefused(pair.payer, { type: 'PAY', amount: '1000000' }, 'AMOUNT_INVALID');
    expectRefused(pair.payer, { type: 'PAY', amount: '100' }, 'AMOUNT_INVALID');
  });

  test('REVOKE_HASH: a hash already used by a commit is refused', () => {
    const pair = openPair();
    const used = messagesOf(pair.payee.effects).filter((m) => m.type === 'revoke-hash')[0]!;
    pay(pair, 1000n);
    expectRefused(pair.payer, messageEvent(used), 'REVOKE_HASH_REUSED');
  });

  test('REVOKE_SECRETS: matching secrets revoke commits (persisted); unknown ones change nothing', () => {
    const pair = openPair();
    pay(pair, 10_000n, 10_000n);
    const unknown: RevokeSecretsMessage = {
      protocol: 'picopayments/1',
      channelId: payerContext(pair.payer).channelId,
      type: 'revoke-secrets',
      secrets: ['99'.repeat(32)],
    };
    expectIgnored(pair.payer, { type: 'REVOKE_SECRETS', message: unknown });
    expectRefused(
      pair.payer,
      { type: 'REVOKE_SECRETS', message: { ...unknown, channelId: 'x' } },
      'WRONG_CHANNEL',
    );
    const secrets = pair.payee.send({ type: 'REVOKE_UNTIL', amount: '10000', surpass: false });
    const effects = relay(pair, secrets, 'payer');
    // Persisted before the acknowledgement goes out.
    expect(typesOf(effects)).toEqual(['persist', 'send:revoke-secrets-ack']);
    const ctx = payerContext(pair.payer);
    expect(ctx.commits.map((c) => c.revokeSecret !== null)).toEqual([false, true]);
    expect(ctx.commits[1]!.revokeSecret).toBe(
      payeeContext(pair.payee).revokedCommits[0]!.revokeSecret,
    );
    // Applying them again changes nothing, but acknowledges them again (the ack may be lost).
    const before = pair.payer.persisted();
    const again = pair.payer.send(messageEvent(messagesOf(secrets)[0]!));
    expect(typesOf(again)).toEqual(['send:revoke-secrets-ack']);
    expect(pair.payer.persisted()).toBe(before);
  });

  test('CLOSE sends a close request and stays open', () => {
    const pair = openPair();
    const effects = pair.payer.send({ type: 'CLOSE' });
    expect(typesOf(effects)).toEqual(['send:close']);
    expect(pair.payer.value()).toBe('open');
  });

  test('open → expiring at the deposit expiry → expired when the expire confirms', () => {
    const pair = openPair();
    // Nothing is outstanding (the first revoke hash arrived), so nothing is resent.
    expect(typesOf(pair.payer.send({ type: 'BLOCK', height: 139 }))).toEqual([]);
    const effects = pair.payer.send({ type: 'BLOCK', height: 140 });
    expect(pair.payer.value()).toBe('expiring');
    expect(typesOf(effects)).toEqual(['persist', 'broadcast']);
    const expire = broadcastOf(effects, 'expire');
    expect(payerContext(pair.payer).broadcasts.expire).toEqual({
      txid: expire.txid,
      rawTx: expire.rawTx,
      confirmedHeight: null,
    });
    expect(broadcastOf(pair.payer.send({ type: 'BLOCK', height: 141 }), 'expire').txid).toBe(
      expire.txid,
    );
    expectRefused(pair.payer, { type: 'PAY', amount: '1000' }, 'UNEXPECTED_EVENT');
    const outpoint = { txid: pair.deposit.txid, vout: pair.deposit.vout };
    expect(
      pair.payer.send({
        type: 'OUTPOINT_SPENT',
        outpoint,
        txid: expire.txid,
        rawTx: expire.rawTx,
        blockHeight: null,
      }),
    ).toEqual([]);
    const done = pair.payer.send({
      type: 'OUTPOINT_SPENT',
      outpoint,
      txid: expire.txid,
      rawTx: expire.rawTx,
      blockHeight: 142,
    });
    expect(done).toEqual([{ type: 'persist' }, { type: 'finished', outcome: 'expired' }]);
    expect(pair.payer.value()).toBe('expired');
  });

  test("expiring → settling when the payee's commit wins the race for the deposit", () => {
    const pair = openPair();
    pay(pair, 10_000n);
    pair.payer.send({ type: 'BLOCK', height: 140 });
    expect(pair.payer.value()).toBe('expiring');
    published(pair, 141);
    expect(pair.payer.value()).toEqual({
      settling: { commitOutput: 'awaitingPayout', remainder: 'waiting' },
    });
  });
});

describe('payer machine: settling', () => {
  test('an unrevoked commit: watch its outputs, learn the spend secret from the payout, take the change', () => {
    const pair = openPair();
    pay(pair, 10_000n);
    const { commit, effects } = published(pair, 110);
    expect(pair.payer.value()).toEqual({
      settling: { commitOutput: 'awaitingPayout', remainder: 'waiting' },
    });
    expect(typesOf(effects)).toEqual(['persist', 'watch-outpoint', 'watch-outpoint']);
    const ctx = payerContext(pair.payer);
    expect(ctx.published).toMatchObject({
      txid: commit.txid,
      amount: '10000',
      confirmedHeight: 110,
      remainder: { vout: 1 },
    });
    expect(ctx.watches.outpoints.map((w) => w.label)).toEqual([
      'deposit',
      'commit-output',
      'remainder',
    ]);
    // The payee's payout.
    pair.payee.send({
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: pair.deposit.txid, vout: pair.deposit.vout },
      txid: commit.txid,
      rawTx: commit.rawTx,
      blockHeight: 110,
    });
    const payout = broadcastOf(pair.payee.send({ type: 'BLOCK', height: 114 }), 'payout');
    const seen = pair.payer.send({
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: commit.txid, vout: 0 },
      txid: payout.txid,
      rawTx: payout.rawTx,
      blockHeight: null,
    });
    expect(typesOf(seen)).toEqual(['persist', 'persist', 'broadcast']);
    expect(payerContext(pair.payer).spendSecret).toBe(payeeContext(pair.payee).spendSecret);
    expect(pair.payer.value()).toEqual({
      settling: { commitOutput: 'done', remainder: 'recovering' },
    });
    const change = broadcastOf(seen, 'change');
    expect(broadcastOf(pair.payer.send({ type: 'BLOCK', height: 115 }), 'change').txid).toBe(
      change.txid,
    );
    const done = pair.payer.send({
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: commit.txid, vout: 1 },
      txid: change.txid,
      rawTx: change.rawTx,
      blockHeight: 116,
    });
    expect(pair.payer.value()).toBe('settled');
    expect(done).toEqual([{ type: 'persist' }, { type: 'finished', outcome: 'settled' }]);
  });

  test('a revoked commit: the revoke is broadcast at once, the remainder expired later', () => {
    const pair = openPair();
    pay(pair, 10_000n, 10_000n);
    // The payee gives back the second commit but (from a stale copy) publishes it anyway.
    const stale = pair.payee.persisted();
    relay(
      pair,
      pair.payee.send({ type: 'REVOKE_UNTIL', amount: '10000', surpass: false }),
      'payer',
    );
    const thief = restorePayee(stale);
    expect(payeeContext(thief).activeCommits.map((c) => c.amount)).toEqual(['10000', '20000']);
    const { commit, effects } = published({ ...pair, payee: thief }, 110);
    expect(payerContext(pair.payer).published?.amount).toBe('20000');
    expect(typesOf(effects)).toEqual([
      'persist',
      'watch-outpoint',
      'watch-outpoint',
      'persist',
      'broadcast',
    ]);
    expect(pair.payer.value()).toEqual({
      settling: { commitOutput: 'revoking', remainder: 'waiting' },
    });
    const revoke = broadcastOf(effects, 'revoke');
    expect(broadcastOf(pair.payer.send({ type: 'BLOCK', height: 111 }), 'revoke').txid).toBe(
      revoke.txid,
    );
    pair.payer.send({
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: commit.txid, vout: 0 },
      txid: revoke.txid,
      rawTx: revoke.rawTx,
      blockHeight: 112,
    });
    expect(pair.payer.value()).toEqual({
      settling: { commitOutput: 'done', remainder: 'waiting' },
    });
    // Remainder confirmed at 110 with expire 40: expirable in block 150 (tip 149).
    expect(typesOf(pair.payer.send({ type: 'BLOCK', height: 148 }))).toEqual([]);
    const expiring = pair.payer.send({ type: 'BLOCK', height: 149 });
    expect(typesOf(expiring)).toEqual(['persist', 'broadcast']);
    const expire = broadcastOf(expiring, 'expire');
    pair.payer.send({
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: commit.txid, vout: 1 },
      txid: expire.txid,
      rawTx: expire.rawTx,
      blockHeight: 150,
    });
    expect(pair.payer.value()).toBe('settled');
  });

  test('a commit without remainder: settled once the commit confirms, payout or not', () => {
    const pair = openPair();
    pay(pair, 999_000n);
    const commit = broadcastOf(pair.payee.send({ type: 'CLOSE' }), 'commit');
    const spent = {
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: pair.deposit.txid, vout: pair.deposit.vout },
      txid: commit.txid,
      rawTx: commit.rawTx,
      blockHeight: null,
    } as const;
    pair.payer.send(spent);
    expect(payerContext(pair.payer).published?.remainder).toBeNull();
    // Seen in the mempool only: it may still be dropped, so the payer keeps watching.
    expect(pair.payer.value()).toEqual({
      settling: { commitOutput: 'awaitingPayout', remainder: 'done' },
    });
    const done = pair.payer.send({ ...spent, blockHeight: 110 });
    expect(pair.payer.value()).toBe('settled');
    expect(done).toEqual([{ type: 'persist' }, { type: 'finished', outcome: 'settled' }]);
  });

  test('settling refuses commands', () => {
    const pair = openPair();
    pay(pair, 10_000n);
    published(pair, 110);
    expectRefused(pair.payer, { type: 'PAY', amount: '1000' }, 'UNEXPECTED_EVENT');
    expectRefused(pair.payer, { type: 'CLOSE' }, 'UNEXPECTED_EVENT');
  });
});
