import { payerCommitKey } from '../../src/machines/history.js';
import { matchPayerSecrets } from '../../src/machines/payer-history.js';
import { describe, expect, test } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import {
  blocksUntilUnlocked,
  checkChannelId,
  checkReportedTransaction,
  relativeLockPassed,
  sameOutpoint,
} from '../../src/guards/channel-guards.js';
import { type Check, attempt, fail, pass } from '../../src/guards/check.js';
import {
  checkCommit,
  checkDeposit,
  checkDepositConfirmation,
  checkDepositFunded,
  checkRevokeUntil,
  closeDeadlineReached,
  depositBlocksLeft,
  payoutDelayPassed,
} from '../../src/guards/payee-guards.js';
import {
  checkDepositPublished,
  checkOffer,
  checkPay,
  checkRevokeHash,
  checkRevokeSecrets,
  depositExpired,
  identifyPublishedCommit,
  payerTransferred,
  publishedCommitRevoked,
  remainderExpired,
} from '../../src/guards/payer-guards.js';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import type { Effect } from '../../src/machines/effects.js';
import {
  MESSAGE_PROTOCOL,
  type CommitMessage,
  type DepositMessage,
  type OfferMessage,
} from '../../src/messages/schema.js';
import { buildDepositScript } from '../../src/scripts/deposit-script.js';
import { hash160 } from '../../src/scripts/hash.js';
import { ScriptError } from '../../src/scripts/errors.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import {
  CHANNEL_ID,
  PAYEE_KEY,
  PAYER_KEY,
  SPEND_SECRET,
  broadcastOf,
  depositTransaction,
  messagesOf,
  openPair,
  pay,
  payeeContext,
  payeeInput,
  payerContext,
  payerInput,
} from '../machines/fixture.js';

const codeOf = (check: Check<unknown>) => (check.ok ? 'ok' : check.code);
const header = { protocol: MESSAGE_PROTOCOL, channelId: CHANNEL_ID } as const;

function lastCommitMessage(effects: readonly Effect[]): CommitMessage {
  const commit = messagesOf(effects)
    .filter((m) => m.type === 'commit')
    .at(-1);
  if (commit?.type !== 'commit') throw new Error('no commit sent');
  return commit;
}

describe('check helpers', () => {
  test('pass, fail and attempt', () => {
    expect(pass(3)).toEqual({ ok: true, value: 3 });
    expect(fail('WRONG_CHANNEL', 'why')).toEqual({
      ok: false,
      code: 'WRONG_CHANNEL',
      reason: 'why',
    });
    expect(attempt(() => 5)).toEqual({ ok: true, value: 5 });
    expect(
      codeOf(
        attempt(() => {
          throw new ScriptError('SCRIPT_TRUNCATED', 'x');
        }),
      ),
    ).toBe('SCRIPT_TRUNCATED');
    // Only typed errors become refusals; a bug still throws.
    expect(() =>
      attempt(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});

describe('channel guards', () => {
  test('checkChannelId', () => {
    expect(codeOf(checkChannelId('a', { channelId: 'a' }))).toBe('ok');
    expect(codeOf(checkChannelId('a', { channelId: 'b' }))).toBe('WRONG_CHANNEL');
  });

  test('checkReportedTransaction', () => {
    const deposit = depositTransaction(
      bytesToHex(
        buildDepositScript({
          payerPubkey: publicKeyOf(PAYER_KEY),
          payeePubkey: publicKeyOf(PAYEE_KEY),
          spendSecretHash: hash160(SPEND_SECRET),
          expireTime: 40,
        }),
      ),
    );
    const decoded = checkReportedTransaction(deposit.txid, deposit.rawTx);
    expect(decoded.ok && decoded.value.outputs.length).toBe(2);
    expect(codeOf(checkReportedTransaction('00'.repeat(32), deposit.rawTx))).toBe(
      'UNRELATED_TRANSACTION',
    );
    expect(codeOf(checkReportedTransaction(deposit.txid, 'deadbeef'))).toBe('TX_MALFORMED');
    expect(codeOf(checkReportedTransaction(deposit.txid, 'zz'))).not.toBe('ok');
  });

  test('sameOutpoint, blocksUntilUnlocked, relativeLockPassed (BIP68: mineable in block h+lock)', () => {
    expect(sameOutpoint({ txid: 'a', vout: 1 }, { txid: 'a', vout: 1 })).toBe(true);
    expect(sameOutpoint({ txid: 'a', vout: 1 }, { txid: 'a', vout: 0 })).toBe(false);
    expect(blocksUntilUnlocked(100, 5, 100)).toBe(5);
    // Confirmed at 100 with a lock of 5: the spend can go into block 105, i.e. when the tip is 104.
    expect(relativeLockPassed(100, 5, 103)).toBe(false);
    expect(relativeLockPassed(100, 5, 104)).toBe(true);
    expect(relativeLockPassed(null, 0, 1000)).toBe(false);
  });
});

describe('payee guards', () => {
  const pair = openPair();
  const open = payeeContext(pair.payee);
  const depositMessage = (
    overrides: Partial<DepositMessage> = {},
    expireTime = 40,
  ): DepositMessage => ({
    ...header,
    type: 'deposit',
    payerPubkey: bytesToHex(publicKeyOf(PAYER_KEY)),
    depositScript: bytesToHex(
      buildDepositScript({
        payerPubkey: publicKeyOf(PAYER_KEY),
        payeePubkey: publicKeyOf(PAYEE_KEY),
        spendSecretHash: hash160(SPEND_SECRET),
        expireTime,
      }),
    ),
    delayTime: 5,
    ...overrides,
  });

  test('checkDeposit', () => {
    const fresh = payeeInput();
    const ok = checkDeposit(fresh, depositMessage());
    expect(ok).toEqual({
      ok: true,
      value: { payerPubkey: bytesToHex(publicKeyOf(PAYER_KEY)), expireTime: 40, delayTime: 5 },
    });
    expect(codeOf(checkDeposit(fresh, depositMessage({ channelId: 'other' })))).toBe(
      'WRONG_CHANNEL',
    );
    expect(codeOf(checkDeposit(fresh, depositMessage({ depositScript: '00' })))).toMatch(
      /^SCRIPT_/,
    );
    const otherPayee = bytesToHex(
      buildDepositScript({
        payerPubkey: publicKeyOf(PAYER_KEY),
        payeePubkey: publicKeyOf(new Uint8Array(32).fill(3)),
        spendSecretHash: hash160(SPEND_SECRET),
        expireTime: 40,
      }),
    );
    expect(codeOf(checkDeposit(fresh, depositMessage({ depositScript: otherPayee })))).toBe(
      'DEPOSIT_UNACCEPTABLE',
    );
    const otherSecret = bytesToHex(
      buildDepositScript({
        payerPubkey: publicKeyOf(PAYER_KEY),
        payeePubkey: publicKeyOf(PAYEE_KEY),
        spendSecretHash: new Uint8Array(20),
        expireTime: 40,
      }),
    );
    expect(codeOf(checkDeposit(fresh, depositMessage({ depositScript: otherSecret })))).toBe(
      'DEPOSIT_UNACCEPTABLE',
    );
    expect(
      codeOf(
        checkDeposit(
          fresh,
          depositMessage({ payerPubkey: bytesToHex(publicKeyOf(new Uint8Array(32).fill(4))) }),
        ),
      ),
    ).toBe('DEPOSIT_UNACCEPTABLE');
    expect(codeOf(checkDeposit(fresh, depositMessage({}, 9)))).toBe('DEPOSIT_UNACCEPTABLE'); // below range
    expect(codeOf(checkDeposit(fresh, depositMessage({}, 1001)))).toBe('DEPOSIT_UNACCEPTABLE'); // above range
    // Within range but not longer than the clearance.
    expect(
      codeOf(
        checkDeposit({ ...fresh, expireTimeRange: { min: 3, max: 100 } }, depositMessage({}, 6)),
      ),
    ).toBe('DEPOSIT_UNACCEPTABLE');
    expect(
      codeOf(
        checkDeposit({ ...fresh, expireTimeRange: { min: 3, max: 100 } }, depositMessage({}, 7)),
      ),
    ).toBe('ok');
    expect(codeOf(checkDeposit(fresh, depositMessage({ delayTime: 0 })))).toBe(
      'DEPOSIT_UNACCEPTABLE',
    );
    expect(codeOf(checkDeposit(fresh, depositMessage({ delayTime: 101 })))).toBe(
      'DEPOSIT_UNACCEPTABLE',
    );
    expect(codeOf(checkDeposit(fresh, depositMessage({ delayTime: 100 })))).toBe('ok');
  });

  test('checkDepositFunded', () => {
    const agreed: PayeeContext = { ...payeeInput(), deposit: null };
    const funded = {
      ...header,
      type: 'deposit-funded' as const,
      outpoint: { txid: pair.deposit.txid, vout: 0 },
      value: '1000000',
    };
    expect(codeOf(checkDepositFunded(agreed, funded))).toBe('ok');
    expect(codeOf(checkDepositFunded(agreed, { ...funded, channelId: 'x' }))).toBe('WRONG_CHANNEL');
    expect(codeOf(checkDepositFunded(agreed, { ...funded, value: '0' }))).toBe('DEPOSIT_MISMATCH');
    expect(codeOf(checkDepositFunded(open, funded))).toBe('DEPOSIT_REUSED');
  });

  test('checkDepositConfirmation', () => {
    const { txid, rawTx } = pair.deposit;
    expect(codeOf(checkDepositConfirmation(open, txid, rawTx))).toBe('ok');
    expect(codeOf(checkDepositConfirmation(payeeInput(), txid, rawTx))).toBe(
      'UNRELATED_TRANSACTION',
    );
    expect(codeOf(checkDepositConfirmation(open, '11'.repeat(32), rawTx))).toBe(
      'UNRELATED_TRANSACTION',
    );
    const wrongValue = { ...open, deposit: { ...open.deposit!, value: '999999' } };
    expect(codeOf(checkDepositConfirmation(wrongValue, txid, rawTx))).toBe('DEPOSIT_MISMATCH');
    const wrongVout = { ...open, deposit: { ...open.deposit!, vout: 1 } };
    expect(codeOf(checkDepositConfirmation(wrongVout, txid, rawTx))).toBe('DEPOSIT_MISMATCH');
    const noOutput = { ...open, deposit: { ...open.deposit!, vout: 7 } };
    expect(codeOf(checkDepositConfirmation(noOutput, txid, rawTx))).toBe('DEPOSIT_MISMATCH');
  });

  test('checkCommit', () => {
    const p = openPair();
    const commit = lastCommitMessage(p.payer.send({ type: 'PAY', amount: '10000' }));
    const ctx = payeeContext(p.payee);
    const ok = checkCommit(ctx, commit);
    expect(ok.ok && ok.value.amount).toBe(10_000n);
    expect(codeOf(checkCommit(ctx, { ...commit, channelId: 'x' }))).toBe('WRONG_CHANNEL');
    expect(codeOf(checkCommit(payeeInput(), commit))).toBe('DEPOSIT_UNCONFIRMED');
    expect(
      codeOf(checkCommit({ ...ctx, deposit: { ...ctx.deposit!, confirmedHeight: null } }, commit)),
    ).toBe('DEPOSIT_UNCONFIRMED');
    const withCommit: PayeeContext = {
      ...ctx,
      activeCommits: [
        {
          amount: '10000',
          commitScript: commit.commitScript,
          revokeSecretHash: '',
          revokeSecret: '',
          rawTx: commit.commitTx,
        },
      ],
    };
    expect(codeOf(checkCommit(withCommit, commit))).toBe('AMOUNT_NOT_INCREASING');
    expect(codeOf(checkCommit({ ...ctx, requestedRevokes: [] }, commit))).toBe('TX_BAD_SCRIPT');
    expect(codeOf(checkCommit({ ...ctx, minFeeRate: 50 }, commit))).toBe('TX_FEE_TOO_LOW');
    expect(codeOf(checkCommit(ctx, { ...commit, amount: '10001' }))).not.toBe('ok');
    expect(codeOf(checkCommit({ ...ctx, delayTime: 6 }, commit))).toBe('TX_BAD_SCRIPT');
    // A flipped byte in the payer's signature.
    const raw = hexToBytes(commit.commitTx);
    const sigAt = raw.indexOf(0x30, 42);
    raw[sigAt + 10] = (raw[sigAt + 10] ?? 0) ^ 0x01;
    expect(['TX_BAD_SIGNATURE', 'TX_BAD_SIGNATURE_FORMAT']).toContain(
      codeOf(checkCommit(ctx, { ...commit, commitTx: bytesToHex(raw) })),
    );
    expect(codeOf(checkCommit(ctx, { ...commit, commitTx: 'ab' }))).toBe('TX_MALFORMED');
  });

  test('checkRevokeUntil', () => {
    const p = openPair();
    pay(p, 10_000n, 10_000n, 10_000n);
    const ctx = payeeContext(p.payee);
    const ok = checkRevokeUntil(ctx, '15000', false);
    expect(ok.ok && ok.value.revoke.map((c) => c.amount)).toEqual(['30000']);
    expect(codeOf(checkRevokeUntil(ctx, '30000', false))).toBe('NOTHING_TO_REVOKE');
    expect(codeOf(checkRevokeUntil(ctx, '25000', false))).toBe('NOTHING_TO_REVOKE');
    expect(codeOf(checkRevokeUntil(ctx, '25000', true))).toBe('ok');
    expect(codeOf(checkRevokeUntil(open, '0', false))).toBe('NOTHING_TO_REVOKE');
    expect(codeOf(checkRevokeUntil(ctx, '-1', false))).toBe('AMOUNT_INVALID');
    expect(codeOf(checkRevokeUntil(ctx, '1e3', false))).toBe('AMOUNT_INVALID');
    expect(codeOf(checkRevokeUntil(ctx, '', false))).toBe('AMOUNT_INVALID');
  });

  test('deadlines: depositBlocksLeft, closeDeadlineReached, payoutDelayPassed', () => {
    // Confirmed at 101 with expire 40: expirable in block 141. Clearance 6: close when fewer than 6 left.
    expect(depositBlocksLeft(payeeInput())).toBeNull();
    expect(depositBlocksLeft({ ...open, height: 101 })).toBe(40);
    expect(closeDeadlineReached({ ...open, height: 135 })).toBe(false);
    expect(closeDeadlineReached({ ...open, height: 136 })).toBe(true);
    expect(closeDeadlineReached(payeeInput())).toBe(false);
    const published = {
      txid: '00',
      rawTx: '',
      confirmedHeight: 120,
      commitScript: '',
      amount: '1',
    };
    expect(payoutDelayPassed({ ...open, published, height: 123 })).toBe(false);
    expect(payoutDelayPassed({ ...open, published, height: 124 })).toBe(true);
    expect(
      payoutDelayPassed({
        ...open,
        published: { ...published, confirmedHeight: null },
        height: 999,
      }),
    ).toBe(false);
    expect(payoutDelayPassed({ ...open, height: 999 })).toBe(false);
  });
});

describe('payer guards', () => {
  const offer = (overrides: Partial<OfferMessage> = {}): OfferMessage => ({
    ...header,
    type: 'offer',
    payeePubkey: bytesToHex(publicKeyOf(PAYEE_KEY)),
    spendSecretHash: bytesToHex(hash160(SPEND_SECRET)),
    expireTime: { min: 10, max: 30 },
    delayTime: { min: 6, max: 100 },
    minFeeRate: 1,
    network: 'regtest',
    ...overrides,
  });

  test('checkOffer clamps the preferred times into the offered ranges', () => {
    const ctx = payerInput();
    expect(checkOffer(ctx, offer())).toMatchObject({
      ok: true,
      value: { expireTime: 30, delayTime: 6, asset: null },
    });
    expect(codeOf(checkOffer(ctx, offer({ channelId: 'x' })))).toBe('WRONG_CHANNEL');
    expect(codeOf(checkOffer(ctx, offer({ network: 'testnet' })))).toBe('OFFER_UNACCEPTABLE');
    expect(codeOf(checkOffer(ctx, offer({ payeePubkey: ctx.payerPubkey })))).toBe(
      'OFFER_UNACCEPTABLE',
    );
    expect(codeOf(checkOffer(ctx, offer({ minFeeRate: 3 })))).toBe('OFFER_UNACCEPTABLE');
    expect(codeOf(checkOffer(ctx, offer({ minFeeRate: 2 })))).toBe('ok');
  });

  const p = openPair();
  const open = payerContext(p.payer);

  test('checkDepositPublished', () => {
    const { txid, vout, rawTx } = p.deposit;
    expect(codeOf(checkDepositPublished(open, txid, vout, rawTx))).toBe('ok');
    expect(codeOf(checkDepositPublished(payerInput(), txid, vout, rawTx))).toBe('UNEXPECTED_EVENT');
    expect(codeOf(checkDepositPublished(open, '00'.repeat(32), vout, rawTx))).toBe(
      'UNRELATED_TRANSACTION',
    );
    expect(codeOf(checkDepositPublished(open, txid, vout + 1, rawTx))).toBe('DEPOSIT_MISMATCH');
    expect(codeOf(checkDepositPublished(open, txid, 9, rawTx))).toBe('DEPOSIT_MISMATCH');
    expect(codeOf(checkDepositPublished({ ...open, depositAmount: '1' }, txid, vout, rawTx))).toBe(
      'DEPOSIT_MISMATCH',
    );
  });

  test('checkRevokeHash and checkRevokeSecrets', () => {
    const msg = { ...header, type: 'revoke-hash' as const, revokeSecretHash: '12'.repeat(20) };
    expect(codeOf(checkRevokeHash(open, msg))).toBe('ok');
    expect(codeOf(checkRevokeHash(open, { ...msg, channelId: 'x' }))).toBe('WRONG_CHANNEL');
    const q = openPair();
    pay(q, 1000n);
    const used = payerContext(q.payer).commits[0]!.revokeSecretHash;
    expect(codeOf(checkRevokeHash(payerContext(q.payer), { ...msg, revokeSecretHash: used }))).toBe(
      'REVOKE_HASH_REUSED',
    );
    const secrets = { ...header, type: 'revoke-secrets' as const, secrets: ['00'.repeat(32)] };
    expect(codeOf(checkRevokeSecrets(open, secrets))).toBe('ok');
    expect(codeOf(checkRevokeSecrets(open, { ...secrets, channelId: 'x' }))).toBe('WRONG_CHANNEL');
  });

  test('checkPay', () => {
    expect(codeOf(checkPay(payerInput(), '1000'))).toBe('DEPOSIT_UNCONFIRMED');
    expect(
      codeOf(checkPay({ ...open, deposit: { ...open.deposit!, confirmedHeight: null } }, '1000')),
    ).toBe('DEPOSIT_UNCONFIRMED');
    expect(codeOf(checkPay({ ...open, nextRevokeHash: null }, '1000'))).toBe('NO_REVOKE_HASH');
    const ok = checkPay(open, '1000');
    expect(ok.ok && ok.value.cumulative).toBe(1000n);
    expect(codeOf(checkPay(open, '0'))).toBe('AMOUNT_INVALID');
    expect(codeOf(checkPay(open, 'x'))).toBe('AMOUNT_INVALID');
    expect(codeOf(checkPay(open, '1'))).toBe('AMOUNT_INVALID'); // below dust
    expect(codeOf(checkPay(open, '1000000'))).toBe('AMOUNT_INVALID'); // no room for the fee
    expect(codeOf(checkPay(open, '999000'))).toBe('ok');
    // Cumulative: on top of what the payee holds (the highest unrevoked commit).
    expect(codeOf(checkPay({ ...open, transferred: '600000' }, '500000'))).toBe('AMOUNT_INVALID');
    expect(codeOf(checkPay({ ...open, transferred: '0' }, '500000'))).toBe('ok');
    expect(payerTransferred({ ...open, transferred: '600000' })).toBe(600_000n);
  });

  test('matchPayerSecrets matches by HASH160 and ignores unknown or already applied secrets', () => {
    const secret = '42'.repeat(32);
    const hash = bytesToHex(hash160(hexToBytes(secret)));
    const base = { commitScript: 'aa', rawTx: '', revokeSecret: null, below: null };
    const commits = [
      { ...base, amount: '1', revokeSecretHash: hash },
      { ...base, amount: '2', commitScript: 'bb', revokeSecretHash: '00'.repeat(20) },
    ];
    const open = payerContext(openPair().payer);
    expect([...matchPayerSecrets({ ...open, commits }, {}, [secret, '43'.repeat(32)])]).toEqual([
      [hash, secret],
    ]);
    const applied = [{ ...commits[0]!, revokeSecret: secret }];
    expect(matchPayerSecrets({ ...open, commits: applied }, {}, [secret]).size).toBe(0);
    // A commit in history is found through the loaded record.
    const record = { kind: 'payer-commit' as const, ...commits[0]!, rawTx: undefined };
    const history = { [payerCommitKey(hash)]: record };
    expect([
      ...matchPayerSecrets({ ...open, commits: [], historyCommits: 1 }, history, [secret]),
    ]).toEqual([[hash, secret]]);
  });

  test('identifyPublishedCommit, publishedCommitRevoked, expiry checks', () => {
    const q = openPair();
    pay(q, 10_000n);
    q.payee.send({ type: 'CLOSE' });
    const commit = broadcastOf(q.payee.effects, 'commit');
    const ctx = payerContext(q.payer);
    const found = identifyPublishedCommit(ctx, commit.txid, commit.rawTx, 150);
    expect(found.ok && found.value).toMatchObject({
      txid: commit.txid,
      amount: '10000',
      confirmedHeight: 150,
      remainder: { vout: 1 },
    });
    expect(codeOf(identifyPublishedCommit(payerInput(), commit.txid, commit.rawTx, 150))).toBe(
      'UNRELATED_TRANSACTION',
    );
    expect(
      codeOf(identifyPublishedCommit({ ...ctx, commits: [] }, commit.txid, commit.rawTx, 150)),
    ).toBe('UNRELATED_TRANSACTION');
    expect(codeOf(identifyPublishedCommit(ctx, q.deposit.txid, q.deposit.rawTx, 150))).toBe(
      'UNRELATED_TRANSACTION',
    );
    const published = found.ok ? found.value : null;
    const withPublished: PayerContext = { ...ctx, published };
    expect(publishedCommitRevoked(withPublished)).toBe(false);
    expect(
      publishedCommitRevoked({
        ...withPublished,
        published: published && { ...published, revokeSecret: 'aa' },
      }),
    ).toBe(true);
    expect(publishedCommitRevoked(ctx)).toBe(false);
    // Deposit confirmed at 101, expire 40: expirable in block 141 (tip 140).
    expect(depositExpired({ ...ctx, height: 139 })).toBe(false);
    expect(depositExpired({ ...ctx, height: 140 })).toBe(true);
    expect(depositExpired({ ...payerInput(), height: 10_000 })).toBe(false);
    expect(remainderExpired({ ...withPublished, height: 188 })).toBe(false);
    expect(remainderExpired({ ...withPublished, height: 189 })).toBe(true);
    expect(remainderExpired({ ...ctx, height: 10_000 })).toBe(false);
  });
});
