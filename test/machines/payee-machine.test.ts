import { describe, expect, test } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import { deriveRevokeSecret } from '../../src/machines/revoke-secrets.js';
import type { DepositMessage } from '../../src/messages/schema.js';
import { MESSAGE_PROTOCOL } from '../../src/messages/schema.js';
import { hash160 } from '../../src/scripts/hash.js';
import { decodeTransaction } from '../../src/transactions/raw-transaction.js';
import {
  CHANNEL_ID,
  type Pair,
  broadcastOf,
  expectIgnored,
  expectRefused,
  messageEvent,
  messagesOf,
  openPair,
  pay,
  payeeContext,
  payeeInput,
  relay,
  startPayee,
  startPayer,
  typesOf,
} from './fixture.js';

const header = { protocol: MESSAGE_PROTOCOL, channelId: CHANNEL_ID } as const;

/** A payee in `awaitingFunding` and the deposit message that put it there. */
function agreed() {
  const payee = startPayee();
  const payer = startPayer();
  const answer = relay({ payer, payee }, payee.effects, 'payer');
  const deposit = messagesOf(answer).find((m) => m.type === 'deposit') as DepositMessage;
  relay({ payer, payee }, answer, 'payee');
  return { payee, payer, answer, deposit };
}

/** The payee's commit broadcast after CLOSE, with the event reporting it spent the deposit. */
function closeAndConfirm(pair: Pair, height: number) {
  const closing = pair.payee.send({ type: 'CLOSE' });
  const commit = broadcastOf(closing, 'commit');
  const spent = {
    type: 'OUTPOINT_SPENT',
    outpoint: { txid: pair.deposit.txid, vout: pair.deposit.vout },
    txid: commit.txid,
    rawTx: commit.rawTx,
    blockHeight: height,
  } as const;
  return { closing, commit, spent };
}

describe('payee machine: opening', () => {
  test('start: offering, the offer persisted before it is sent', () => {
    const payee = startPayee();
    expect(payee.value()).toBe('offering');
    expect(typesOf(payee.effects)).toEqual(['persist', 'send:offer']);
    const [offer] = messagesOf(payee.effects);
    expect(offer).toMatchObject({
      type: 'offer',
      channelId: CHANNEL_ID,
      minFeeRate: 1,
      network: 'regtest',
    });
  });

  test('offering + DEPOSIT → awaitingFunding, terms recorded and persisted', () => {
    const { payee, deposit } = agreed();
    expect(payee.value()).toBe('awaitingFunding');
    expect(typesOf(payee.effects.slice(2))).toEqual(['persist']);
    expect(payeeContext(payee)).toMatchObject({
      depositScript: deposit.depositScript,
      payerPubkey: deposit.payerPubkey,
      expireTime: 40,
      delayTime: 5,
    });
  });

  test('offering refuses bad deposits and unexpected events without changing anything', () => {
    const { deposit } = agreed();
    const payee = startPayee();
    expectRefused(
      payee,
      { type: 'DEPOSIT', message: { ...deposit, channelId: 'other' } },
      'WRONG_CHANNEL',
    );
    expectRefused(
      payee,
      { type: 'DEPOSIT', message: { ...deposit, delayTime: 1000 } },
      'DEPOSIT_UNACCEPTABLE',
    );
    expectRefused(
      payee,
      { type: 'DEPOSIT', message: { ...deposit, depositScript: '51' } },
      'SCRIPT_TEMPLATE_MISMATCH',
    );
    expectRefused(
      payee,
      {
        type: 'DEPOSIT_FUNDED',
        message: {
          ...header,
          type: 'deposit-funded',
          outpoint: { txid: '00'.repeat(32), vout: 0 },
          value: '5',
        },
      },
      'UNEXPECTED_EVENT',
    );
    expectRefused(
      payee,
      { type: 'REVOKE_UNTIL', amount: '0', surpass: false },
      'NOTHING_TO_REVOKE',
    );
    expectRefused(
      payee,
      { type: 'DEPOSIT_PUBLISHED', txid: '', vout: 0, rawTx: '' } as never,
      'UNEXPECTED_EVENT',
    );
    expectIgnored(payee, {
      type: 'TX_CONFIRMED',
      txid: '00'.repeat(32),
      rawTx: '00',
      blockHeight: 3,
    });
    expectIgnored(payee, {
      type: 'CLOSE_NOTICE',
      message: { ...header, type: 'close', reason: 'x' },
    });
  });

  test('offering + CLOSE → aborted (final)', () => {
    const payee = startPayee();
    const effects = payee.send({ type: 'CLOSE' });
    expect(payee.value()).toBe('aborted');
    expect(effects).toEqual([{ type: 'persist' }, { type: 'finished', outcome: 'aborted' }]);
    expect(payee.actor.getSnapshot().status).toBe('done');
    expect(payeeContext(payee).outcome).toBe('aborted');
  });

  test('awaitingFunding + DEPOSIT_FUNDED → awaitingConfirmation, watches persisted then requested', () => {
    const { payee, payer, answer } = agreed();
    const fund = answer.find((e) => e.type === 'fund-deposit');
    if (fund?.type !== 'fund-deposit') throw new Error('no funding');
    const pair = openPair();
    const funded = {
      ...header,
      type: 'deposit-funded' as const,
      outpoint: { txid: pair.deposit.txid, vout: 0 },
      value: '1000000',
    };
    expectRefused(
      payee,
      { type: 'DEPOSIT_FUNDED', message: { ...funded, channelId: 'x' } },
      'WRONG_CHANNEL',
    );
    expectRefused(
      payee,
      { type: 'DEPOSIT_FUNDED', message: { ...funded, value: '0' } },
      'DEPOSIT_MISMATCH',
    );
    const effects = payee.send({ type: 'DEPOSIT_FUNDED', message: funded });
    expect(payee.value()).toBe('awaitingConfirmation');
    expect(typesOf(effects)).toEqual(['persist', 'watch-transaction', 'watch-outpoint']);
    expect(payeeContext(payee).deposit).toEqual({
      txid: pair.deposit.txid,
      vout: 0,
      value: '1000000',
      confirmedHeight: null,
    });
    expect(payeeContext(payee).watches.txids).toEqual([
      { label: 'deposit', txid: pair.deposit.txid },
    ]);
    // The same announcement again is a resend; another one is a second deposit.
    expectIgnored(payee, { type: 'DEPOSIT_FUNDED', message: funded });
    expectRefused(
      payee,
      {
        type: 'DEPOSIT_FUNDED',
        message: { ...funded, outpoint: { txid: '22'.repeat(32), vout: 0 } },
      },
      'DEPOSIT_REUSED',
    );
    expect(payer.value()).toBe('funding');
  });

  test('awaitingFunding: a repeated deposit is ignored, a different one refused; CLOSE aborts', () => {
    const { payee, deposit } = agreed();
    expectIgnored(payee, { type: 'DEPOSIT', message: deposit });
    expectRefused(
      payee,
      { type: 'DEPOSIT', message: { ...deposit, delayTime: 6 } },
      'UNEXPECTED_EVENT',
    );
    expectRefused(
      payee,
      { type: 'DEPOSIT', message: { ...deposit, channelId: 'x' } },
      'WRONG_CHANNEL',
    );
    payee.send({ type: 'CLOSE' });
    expect(payee.value()).toBe('aborted');
  });

  test('awaitingConfirmation + TX_CONFIRMED → open: the first revoke secret is persisted before its hash is sent', () => {
    const pair = openPair();
    const ctx = payeeContext(pair.payee);
    expect(pair.payee.value()).toBe('open');
    expect(ctx.deposit?.confirmedHeight).toBe(pair.confirmedHeight);
    const first = deriveRevokeSecret(ctx.revokeSeed, 0);
    expect(ctx.revokeCounter).toBe(1);
    expect(ctx.requestedRevokes).toEqual([first]);
    expect(first.hash).toBe(bytesToHex(hash160(Buffer.from(first.secret, 'hex'))));
    expect(typesOf(pair.payee.effects.slice(-2))).toEqual(['persist', 'send:revoke-hash']);
    expect(messagesOf(pair.payee.effects).at(-1)).toMatchObject({ revokeSecretHash: first.hash });
  });

  test('awaitingConfirmation refuses a confirmation that is not the announced deposit', () => {
    const pair = openPair();
    // Rebuild a payee in awaitingConfirmation from its history.
    const payee = startPayee();
    const payer = startPayer();
    relay({ payer, payee }, relay({ payer, payee }, payee.effects, 'payer'), 'payee');
    payee.send({
      type: 'DEPOSIT_FUNDED',
      message: {
        ...header,
        type: 'deposit-funded',
        outpoint: { txid: pair.deposit.txid, vout: pair.deposit.vout },
        value: '1000000',
      },
    });
    expect(payee.value()).toBe('awaitingConfirmation');
    expectRefused(
      payee,
      { type: 'TX_CONFIRMED', txid: '33'.repeat(32), rawTx: pair.deposit.rawTx, blockHeight: 101 },
      'UNRELATED_TRANSACTION',
    );
    expectRefused(
      payee,
      { type: 'TX_CONFIRMED', txid: pair.deposit.txid, rawTx: '00', blockHeight: 101 },
      'TX_MALFORMED',
    );
    expectRefused(
      payee,
      {
        type: 'COMMIT',
        message: { ...header, type: 'commit', amount: '1000', commitScript: '00', commitTx: '00' },
      },
      'DEPOSIT_UNCONFIRMED',
    );
    payee.send({ type: 'CLOSE' });
    expect(payee.value()).toBe('aborted');
  });
});

describe('payee machine: open channel', () => {
  test('COMMIT accepted: recorded with its revoke secret, the next secret persisted before its hash is sent', () => {
    const pair = openPair();
    const before = payeeContext(pair.payee);
    const sent = pair.payer.send({ type: 'PAY', amount: '10000' });
    const effects = relay(pair, sent, 'payee');
    const after = payeeContext(pair.payee);
    expect(pair.payee.value()).toBe('open');
    expect(typesOf(effects)).toEqual(['persist', 'send:revoke-hash']);
    expect(after.activeCommits.map((c) => c.amount)).toEqual(['10000']);
    expect(after.activeCommits[0]!.revokeSecret).toBe(before.requestedRevokes[0]!.secret);
    const second = deriveRevokeSecret(before.revokeSeed, 1);
    expect(after.requestedRevokes).toEqual([second]);
    expect(after.revokeCounter).toBe(2);
    expect(messagesOf(effects)[0]).toMatchObject({ revokeSecretHash: second.hash });
  });

  test('COMMIT refusals: wrong channel, not increasing, unknown revoke hash, bad signature, malformed', () => {
    const pair = openPair();
    const first = messagesOf(pair.payer.send({ type: 'PAY', amount: '10000' }))[0]!;
    if (first.type !== 'commit') throw new Error('no commit');
    const answer = pair.payee.send(messageEvent(first));
    expectRefused(pair.payee, { type: 'COMMIT', message: first }, 'AMOUNT_NOT_INCREASING');
    expectRefused(
      pair.payee,
      { type: 'COMMIT', message: { ...first, channelId: 'x' } },
      'WRONG_CHANNEL',
    );
    // Signed for a lower cumulative amount than already accepted.
    relay(pair, answer, 'payer');
    const higher = messagesOf(pair.payer.send({ type: 'PAY', amount: '5000' }))[0]!;
    if (higher.type !== 'commit') throw new Error('no commit');
    expect(higher.amount).toBe('15000');
    // The revoke hash of the first commit is no longer outstanding.
    expectRefused(
      pair.payee,
      { type: 'COMMIT', message: { ...higher, commitScript: first.commitScript } },
      'TX_BAD_SCRIPT',
    );
    expectRefused(
      pair.payee,
      { type: 'COMMIT', message: { ...higher, amount: '15001' } },
      'TX_WRONG_OUTPUTS',
    );
    const tampered = higher.commitTx.replace(/3044022/, '3044023');
    expect(tampered).not.toBe(higher.commitTx);
    const sigRefusal = pair.payee.send({
      type: 'COMMIT',
      message: { ...higher, commitTx: tampered },
    });
    expect(sigRefusal).toHaveLength(1);
    expect(sigRefusal[0]).toMatchObject({ type: 'rejected', event: 'COMMIT' });
    expectRefused(
      pair.payee,
      { type: 'COMMIT', message: { ...higher, commitTx: 'abcd' } },
      'TX_MALFORMED',
    );
    // The genuine one is still accepted afterwards.
    pair.payee.send(messageEvent(higher));
    expect(payeeContext(pair.payee).activeCommits.map((c) => c.amount)).toEqual(['10000', '15000']);
  });

  test('REVOKE_UNTIL: commits move to revoked without their transaction; persisted before the secrets are sent', () => {
    const pair = openPair();
    pay(pair, 10_000n, 10_000n, 10_000n);
    const active = payeeContext(pair.payee).activeCommits;
    const effects = pair.payee.send({ type: 'REVOKE_UNTIL', amount: '15000', surpass: false });
    expect(typesOf(effects)).toEqual(['persist', 'send:revoke-secrets']);
    const ctx = payeeContext(pair.payee);
    expect(ctx.activeCommits.map((c) => c.amount)).toEqual(['10000', '20000']);
    expect(ctx.revokedCommits).toEqual([
      {
        amount: '30000',
        commitScript: active[2]!.commitScript,
        revokeSecret: active[2]!.revokeSecret,
      },
    ]);
    expect(messagesOf(effects)[0]).toMatchObject({ secrets: [active[2]!.revokeSecret] });
    expectRefused(
      pair.payee,
      { type: 'REVOKE_UNTIL', amount: '20000', surpass: false },
      'NOTHING_TO_REVOKE',
    );
    expectRefused(
      pair.payee,
      { type: 'REVOKE_UNTIL', amount: 'ten', surpass: false },
      'AMOUNT_INVALID',
    );
    pair.payee.send({ type: 'REVOKE_UNTIL', amount: '15000', surpass: true });
    expect(payeeContext(pair.payee).activeCommits.map((c) => c.amount)).toEqual(['10000']);
  });

  test('BLOCK: height recorded and the outstanding revoke hash sent again (no persist)', () => {
    const pair = openPair();
    const effects = pair.payee.send({ type: 'BLOCK', height: 110 });
    expect(typesOf(effects)).toEqual(['send:revoke-hash']);
    expect(payeeContext(pair.payee).height).toBe(110);
  });

  test('TX_CONFIRMED of the deposit at another height (reorg) moves the expiry clock', () => {
    const pair = openPair();
    pair.payee.send({
      type: 'TX_CONFIRMED',
      txid: pair.deposit.txid,
      rawTx: pair.deposit.rawTx,
      blockHeight: 103,
    });
    expect(payeeContext(pair.payee).deposit?.confirmedHeight).toBe(103);
    expect(pair.payee.value()).toBe('open');
  });

  test('open refuses unexpected events and ignores resends', () => {
    const pair = openPair();
    expectRefused(pair.payee, { type: 'PAY', amount: '1' } as never, 'UNEXPECTED_EVENT');
    expectRefused(
      pair.payee,
      {
        type: 'DEPOSIT_FUNDED',
        message: {
          ...header,
          type: 'deposit-funded',
          outpoint: { txid: '22'.repeat(32), vout: 0 },
          value: '1000000',
        },
      },
      'DEPOSIT_REUSED',
    );
    const resend = messagesOf(pair.payer.send({ type: 'BLOCK', height: 102 }));
    expect(resend.map((m) => m.type)).toEqual([]);
  });

  test('CLOSE with no commit → closing → nothingToClaim', () => {
    const pair = openPair();
    const effects = pair.payee.send({ type: 'CLOSE' });
    expect(pair.payee.value()).toBe('nothingToClaim');
    expect(effects).toEqual([
      { type: 'persist' },
      { type: 'finished', outcome: 'nothing-to-claim' },
    ]);
  });

  test('the close deadline at a BLOCK publishes the best commit without a CLOSE command', () => {
    const pair = openPair();
    pay(pair, 10_000n, 5_000n);
    // Confirmed at 101, expire 40, clearance 6: 136 leaves 5 blocks.
    expect(typesOf(pair.payee.send({ type: 'BLOCK', height: 135 }))).toEqual(['send:revoke-hash']);
    const effects = pair.payee.send({ type: 'BLOCK', height: 136 });
    expect(pair.payee.value()).toBe('closing');
    // The BLOCK's own action (the resend) runs before the eventless move to closing.
    expect(typesOf(effects)).toEqual([
      'send:revoke-hash',
      'persist',
      'broadcast',
      'watch-outpoint',
    ]);
    const commit = broadcastOf(effects, 'commit');
    const ctx = payeeContext(pair.payee);
    expect(ctx.published).toMatchObject({
      txid: commit.txid,
      amount: '15000',
      confirmedHeight: null,
    });
    expect(decodeTransaction(Buffer.from(commit.rawTx, 'hex')).outputs[0]!.value).toBe(15_000n);
  });
});

describe('payee machine: closing, payout and the final states', () => {
  test('closing → awaitingDelay → payingOut → paidOut', () => {
    const pair = openPair();
    pay(pair, 10_000n);
    const { closing, commit, spent } = closeAndConfirm(pair, 110);
    expect(typesOf(closing)).toEqual(['persist', 'broadcast', 'watch-outpoint']);
    expect(closing[2]).toEqual({
      type: 'watch-outpoint',
      label: 'commit-output',
      outpoint: { txid: commit.txid, vout: 0 },
    });
    // Rebroadcast at each block until it confirms; a mempool sighting records no height.
    expect(broadcastOf(pair.payee.send({ type: 'BLOCK', height: 105 }), 'commit').txid).toBe(
      commit.txid,
    );
    expect(typesOf(pair.payee.send({ ...spent, blockHeight: null }))).toEqual(['persist']);
    expect(pair.payee.value()).toBe('closing');
    expectRefused(
      pair.payee,
      {
        type: 'COMMIT',
        message: { ...header, type: 'commit', amount: '1000', commitScript: '00', commitTx: '00' },
      },
      'AMOUNT_NOT_INCREASING',
    );
    expect(typesOf(pair.payee.send(spent))).toEqual(['persist']);
    expect(pair.payee.value()).toBe('awaitingDelay');
    expect(payeeContext(pair.payee).published?.confirmedHeight).toBe(110);
    // delay 5: the payout may be mined in block 115, i.e. at tip 114.
    expect(typesOf(pair.payee.send({ type: 'BLOCK', height: 113 }))).toEqual([]);
    const paying = pair.payee.send({ type: 'BLOCK', height: 114 });
    expect(pair.payee.value()).toBe('payingOut');
    expect(typesOf(paying)).toEqual(['persist', 'broadcast']);
    const payout = broadcastOf(paying, 'payout');
    expect(broadcastOf(pair.payee.send({ type: 'BLOCK', height: 115 }), 'payout').txid).toBe(
      payout.txid,
    );
    const done = pair.payee.send({
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: commit.txid, vout: 0 },
      txid: payout.txid,
      rawTx: payout.rawTx,
      blockHeight: 116,
    });
    expect(pair.payee.value()).toBe('paidOut');
    expect(done).toEqual([{ type: 'persist' }, { type: 'finished', outcome: 'paid-out' }]);
  });

  test('closing: the deposit taken by another transaction → expiredByPayer', () => {
    const pair = openPair();
    pay(pair, 10_000n);
    const { spent } = closeAndConfirm(pair, 142);
    // Something that pays no commit of ours (here: the deposit transaction's bytes).
    pair.payee.send({ ...spent, txid: '44'.repeat(32), rawTx: pair.deposit.rawTx });
    expect(pair.payee.value()).toBe('expiredByPayer');
    expect(payeeContext(pair.payee).outcome).toBe('expired-by-payer');
  });

  test('open: the deposit expired by the payer while the payee was away → expiredByPayer', () => {
    const pair = openPair();
    pay(pair, 10_000n);
    const spent = {
      type: 'OUTPOINT_SPENT',
      outpoint: { txid: pair.deposit.txid, vout: pair.deposit.vout },
      txid: '55'.repeat(32),
      rawTx: '00',
      blockHeight: 150,
    } as const;
    expect(pair.payee.value()).toBe('open');
    pair.payee.send({ ...spent, blockHeight: null });
    expect(pair.payee.value()).toBe('open');
    pair.payee.send(spent);
    expect(pair.payee.value()).toBe('expiredByPayer');
    expect(payeeContext(pair.payee).outcome).toBe('expired-by-payer');
  });

  test('awaitingDelay and payingOut: the commit output taken by the payer → revokedByPayer', () => {
    for (const height of [112, 114]) {
      const pair = openPair();
      pay(pair, 10_000n);
      const { commit, spent } = closeAndConfirm(pair, 110);
      pair.payee.send(spent);
      pair.payee.send({ type: 'BLOCK', height });
      pair.payee.send({
        type: 'OUTPOINT_SPENT',
        outpoint: { txid: commit.txid, vout: 0 },
        txid: '55'.repeat(32),
        rawTx: '00',
        blockHeight: height + 1,
      });
      expect(pair.payee.value()).toBe('revokedByPayer');
    }
  });

  test('payingOut with a payout that cannot pay its fee → nothingToClaim', () => {
    const pair = openPair({ payee: { feeRate: 500 } });
    pay(pair, 600n);
    const { spent } = closeAndConfirm(pair, 110);
    pair.payee.send(spent);
    const effects = pair.payee.send({ type: 'BLOCK', height: 114 });
    expect(pair.payee.value()).toBe('nothingToClaim');
    expect(typesOf(effects)).toEqual(['persist', 'finished']);
  });

  test('final states ignore every further event', () => {
    const payee = startPayee();
    payee.send({ type: 'CLOSE' });
    const before = payee.persisted();
    expect(payee.send({ type: 'BLOCK', height: 500 })).toEqual([]);
    expect(payee.send({ type: 'CLOSE' })).toEqual([]);
    expect(payee.persisted()).toBe(before);
  });

  test('the input context is used as is', () => {
    const input = payeeInput({ height: 7 });
    expect(payeeContext(startPayee(input))).toEqual(input);
  });
});
