import { assertEvent, enqueueActions, setup } from 'xstate';
import { bytesToHex, hexToBytes } from '../bytes.js';
import {
  checkCommit,
  checkDeposit,
  checkDepositConfirmation,
  checkDepositFunded,
  checkRevokeUntil,
  closeDeadlineReached,
  fundingTimedOut,
  isOwnPayout,
  ownCommitPublished,
  payoutDelayPassed,
} from '../guards/payee-guards.js';
import { checkChannelId, sameOutpoint } from '../guards/channel-guards.js';
import { type Check, fail } from '../guards/check.js';
import { parseAmount } from '../messages/amount.js';
import { MAX_REVOKE_SECRETS, MESSAGE_PROTOCOL } from '../messages/schema.js';
import { hash160 } from '../scripts/hash.js';
import { parseCommitScript } from '../scripts/commit-script.js';
import { completeCommit } from '../transactions/commit-transaction.js';
import { decodeTransaction, rawTransactionId } from '../transactions/raw-transaction.js';
import { canonicalSpendEncoding } from '../transactions/canonical-encoding.js';
import { TransactionError } from '../transactions/errors.js';
import type { SpendTransaction } from '../transactions/spend-transactions.js';
import { assetTermsOf, buildChannelSpend } from './asset-mode.js';
import { depositReadingOf } from './asset-readings.js';

import type { ChannelOutcome, PayeeContext } from './context.js';
import type { Effect } from './effects.js';
import type { PayeeEvent } from './events.js';
import { recordedFinalSpend, spendIsFinal, spendWithdrawn, withoutFinalSpend } from './finality.js';
import { historyOf } from './history.js';
import { popActiveCommits, pushActiveCommit } from './payee-history.js';
import { deriveRevokeSecret } from './revoke-secrets.js';

type Emit = (effect: Effect) => void;

const header = (context: PayeeContext) =>
  ({ protocol: MESSAGE_PROTOCOL, channelId: context.channelId }) as const;

/** The check behind each guarded message or command, used both to decide and to explain a refusal. */
function checkEvent(context: PayeeContext, event: PayeeEvent): Check<unknown> {
  switch (event.type) {
    case 'DEPOSIT':
      return checkDeposit(context, event.message);
    case 'DEPOSIT_FUNDED':
      return checkDepositFunded(context, event.message);
    case 'TX_CONFIRMED':
      return checkDepositConfirmation(
        context,
        event.txid,
        event.rawTx,
        depositReadingOf(event),
        event.blockHeight,
      );
    case 'COMMIT':
      return checkCommit(context, event.message);
    case 'REVOKE_UNTIL':
      return checkRevokeUntil(context, event.amount, event.surpass, historyOf(event));
    case 'REVOKE_SECRETS_ACK':
      return checkChannelId(context.channelId, event.message);
    default:
      return fail('UNEXPECTED_EVENT', `${event.type} is not expected now`);
  }
}

function rejection(context: PayeeContext, event: PayeeEvent, state: string): Effect {
  const check = checkEvent(context, event);
  const { code, reason } = check.ok
    ? { code: 'UNEXPECTED_EVENT', reason: `${event.type} is not expected in ${state}` }
    : check;
  return { type: 'rejected', event: event.type, code, reason };
}

/** The next revoke secret hash: derive, remember (persist first), then send. */
function issueRevokeHash(context: PayeeContext, emit: Emit): Partial<PayeeContext> {
  const { secret, hash } = deriveRevokeSecret(context.revokeSeed, context.revokeCounter);
  emit({ type: 'persist' });
  emit({
    type: 'send',
    message: { ...header(context), type: 'revoke-hash', revokeSecretHash: hash },
  });
  return {
    revokeCounter: context.revokeCounter + 1,
    requestedRevokes: [...context.requestedRevokes, { hash, secret }],
  };
}

/**
 * Follows the commit output of `txid` instead of the one watched so far (a re-encoded copy, or
 * our own bytes again). A payout built for another txid spends nothing, so it is dropped.
 */
function moveCommitWatch(
  context: PayeeContext,
  txid: string,
): { update: Partial<PayeeContext>; watch: Effect } {
  const outpoint = { txid, vout: 0 };
  return {
    update: {
      watches: {
        ...context.watches,
        outpoints: [
          ...context.watches.outpoints.filter((w) => w.label !== 'commit-output'),
          { label: 'commit-output', outpoint },
        ],
      },
      payout: null,
    },
    watch: { type: 'watch-outpoint', label: 'commit-output', outpoint },
  };
}

/** True when the event reports a spend of the deposit output. */
function spendsDeposit(context: PayeeContext, event: PayeeEvent): boolean {
  return (
    event.type === 'OUTPOINT_SPENT' &&
    context.deposit !== null &&
    sameOutpoint(event.outpoint, context.deposit)
  );
}

/** True when the event reports a spend of the published commit's output. */
function spendsCommitOutput(context: PayeeContext, event: PayeeEvent): boolean {
  return (
    event.type === 'OUTPOINT_SPENT' &&
    context.published !== null &&
    sameOutpoint(event.outpoint, { txid: context.published.txid, vout: 0 })
  );
}

const DEPOSIT_FINAL_SPEND = { type: 'recordFinalSpend', params: { label: 'deposit' } } as const;
const COMMIT_OUTPUT_FINAL_SPEND = {
  type: 'recordFinalSpend',
  params: { label: 'commit-output' },
} as const;
const FORGET_DEPOSIT_SPEND = { type: 'forgetFinalSpend', params: { label: 'deposit' } } as const;
const FORGET_COMMIT_OUTPUT_SPEND = {
  type: 'forgetFinalSpend',
  params: { label: 'commit-output' },
} as const;

/**
 * The payee's channel lifecycle (PROTOCOL.md): offer, deposit, open channel with commits and
 * revocations, closing with the best commit no later than `clearance` blocks before expiry, and
 * payout after the delay. Pure: inputs are events, outputs are emitted {@link Effect}s.
 */
export const payeeMachine = setup({
  types: {
    context: {} as PayeeContext,
    events: {} as PayeeEvent,
    input: {} as PayeeContext,
    emitted: {} as Effect,
  },
  guards: {
    /** Not one of XState's own internal events (done, init, ...). */
    isExternalEvent: ({ event }) => !event.type.startsWith('xstate.'),
    /** The deposit script names this payee, its spend secret hash and accepted times. */
    depositAcceptable: ({ context, event }) => checkEvent(context, event).ok,
    /** First funding announcement of this channel. */
    fundingAcceptable: ({ context, event }) => checkEvent(context, event).ok,
    /** The confirmed transaction pays the announced value to the deposit script. */
    depositConfirmedAsAnnounced: ({ context, event }) => checkEvent(context, event).ok,
    /** The commit verifies in full and raises the transferred amount. */
    commitAcceptable: ({ context, event }) => checkEvent(context, event).ok,
    /** Revoke-until names an amount below the transferred amount. */
    revokeUntilAcceptable: ({ context, event }) => checkEvent(context, event).ok,
    /** The settling spend of the watched output `label` has `finalityDepth` confirmations. */
    spendFinal: ({ context }, params: { label: string }) => spendIsFinal(context, params.label),
    /** A reorganisation took the settling spend of output `label` out of the chain. */
    spendWithdrawn: ({ context, event }, params: { label: string }) =>
      spendWithdrawn(context, event, params.label),
    /** An acknowledgement of revoke secrets for this channel. */
    ackForThisChannel: ({ context, event }) => checkEvent(context, event).ok,
    /** `fundingTimeout` blocks passed since the offer and the channel has not opened. */
    fundingTimedOut: ({ context }) => fundingTimedOut(context),
    /** Fewer than `clearance` blocks are left before the payer may expire the deposit. */
    closeDeadlineReached: ({ context }) => closeDeadlineReached(context),
    /** The payer repeats the deposit script already agreed (a resend): nothing to do. */
    repeatsAgreedDeposit: ({ context, event }) =>
      event.type === 'DEPOSIT' &&
      event.message.channelId === context.channelId &&
      event.message.depositScript === context.depositScript &&
      event.message.delayTime === context.delayTime,
    /** The payer repeats the funding already recorded (a resend): nothing to do. */
    repeatsRecordedFunding: ({ context, event }) =>
      event.type === 'DEPOSIT_FUNDED' &&
      event.message.channelId === context.channelId &&
      context.deposit !== null &&
      event.message.outpoint.txid === context.deposit.txid &&
      event.message.outpoint.vout === context.deposit.vout &&
      event.message.value === context.deposit.value,
    /** No commit has been accepted (or all were given back): nothing to publish. */
    noActiveCommit: ({ context }) =>
      context.activeCommits.length === 0 && context.activeDepth === 0 && context.published === null,
    /** One of our commits confirmed: the deposit is spent in a block by a transaction that pays a commit of ours (whatever its txid). */
    ourCommitConfirmed: ({ context, event }) =>
      spendsDeposit(context, event) &&
      event.type === 'OUTPOINT_SPENT' &&
      event.blockHeight !== null &&
      ownCommitPublished(context, event.rawTx, historyOf(event)) !== null,
    /** The deposit was spent in a block by something that pays no commit of ours: the payer's expire. */
    depositTakenByPayer: ({ context, event }) =>
      spendsDeposit(context, event) &&
      event.type === 'OUTPOINT_SPENT' &&
      event.blockHeight !== null &&
      ownCommitPublished(context, event.rawTx, historyOf(event)) === null,
    /** The published commit has `delay_time` confirmations. */
    payoutDelayPassed: ({ context }) => payoutDelayPassed(context),
    /** Our payout confirmed: the commit output is spent in a block by the path that reveals the spend secret. */
    payoutConfirmed: ({ context, event }) =>
      spendsCommitOutput(context, event) &&
      event.type === 'OUTPOINT_SPENT' &&
      event.blockHeight !== null &&
      isOwnPayout(context, event.rawTx),
    /** The payer took the commit output with a revoke secret (any other spend of it). */
    commitOutputTakenByPayer: ({ context, event }) =>
      spendsCommitOutput(context, event) &&
      event.type === 'OUTPOINT_SPENT' &&
      event.blockHeight !== null &&
      !isOwnPayout(context, event.rawTx),
    /** The payout cannot be built: the commit output does not cover fee plus a non-dust output. */
    payoutUneconomic: ({ context }) => context.payout === null,
  },
  actions: {
    /** Remembers the height of the new best block. */
    recordHeight: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'BLOCK') enqueue.assign({ height: event.height });
    }),
    /** Persists, then sends the offer: payee key, spend secret hash, accepted times, fee floor. */
    sendOffer: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'persist' });
      enqueue.emit({
        type: 'send',
        message: {
          ...header(context),
          type: 'offer',
          payeePubkey: context.payeePubkey,
          spendSecretHash: context.spendSecretHash,
          expireTime: context.expireTimeRange,
          delayTime: context.delayTimeRange,
          minFeeRate: context.minFeeRate,
          network: context.network,
          ...(context.asset
            ? { asset: { asset: context.asset.asset, commitValue: context.asset.commitValue } }
            : {}),
        },
      });
    }),
    /** Records the payer's key, the deposit script and the agreed times. */
    recordDeposit: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'DEPOSIT');
      const check = checkDeposit(context, event.message);
      if (!check.ok) return;
      enqueue.assign({ depositScript: event.message.depositScript, ...check.value });
      enqueue.emit({ type: 'persist' });
    }),
    /** Records the announced deposit outpoint and starts watching it and its transaction. */
    recordFunding: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'DEPOSIT_FUNDED');
      const { outpoint, value } = event.message;
      enqueue.assign({
        deposit: { txid: outpoint.txid, vout: outpoint.vout, value, confirmedHeight: null },
        watches: {
          txids: [...context.watches.txids, { label: 'deposit', txid: outpoint.txid }],
          outpoints: [...context.watches.outpoints, { label: 'deposit', outpoint }],
        },
      });
      enqueue.emit({ type: 'persist' });
      enqueue.emit({ type: 'watch-transaction', label: 'deposit', txid: outpoint.txid });
      enqueue.emit({ type: 'watch-outpoint', label: 'deposit', outpoint });
    }),
    /** Records the deposit confirmation and issues the first revoke hash (persisted before it is sent). */
    openChannel: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'TX_CONFIRMED');
      const deposit = { ...context.deposit!, confirmedHeight: event.blockHeight };
      enqueue.assign({ deposit, ...issueRevokeHash({ ...context, deposit }, enqueue.emit) });
    }),
    /** Follows the deposit to another block after a reorg, so that the expiry clock stays right. */
    updateDepositConfirmation: enqueueActions(({ context, event, enqueue }) => {
      // A reorg may move the deposit to another block; keep the expiry clock honest.
      if (event.type === 'TX_CONFIRMED' && context.deposit && event.txid === context.deposit.txid) {
        enqueue.assign({ deposit: { ...context.deposit, confirmedHeight: event.blockHeight } });
      }
    }),
    /** Stores the commit among the active ones, retires its revoke hash and issues the next (persisted before it is sent). */
    acceptCommit: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'COMMIT');
      const { amount, commitScript, commitTx } = event.message;
      const revokeHash = bytesToHex(parseCommitScript(hexToBytes(commitScript)).revokeSecretHash);
      const requested = context.requestedRevokes.find((r) => r.hash === revokeHash)!;
      // An accepted commit raises the transferred amount, so it goes on top of the stack.
      const pushed = pushActiveCommit(context, {
        amount,
        commitScript,
        revokeSecretHash: revokeHash,
        revokeSecret: requested.secret,
        rawTx: commitTx,
      });
      const next = {
        ...context,
        ...pushed.fields,
        requestedRevokes: context.requestedRevokes.filter((r) => r.hash !== revokeHash),
      };
      // The commit leaving the context is written to history before the snapshot forgets it.
      if (pushed.writes.length > 0) enqueue.emit({ type: 'history', writes: pushed.writes });
      enqueue.assign({ ...pushed.fields, ...issueRevokeHash(next, enqueue.emit) });
    }),
    /** Drops the acknowledged revoke secrets from those sent again. */
    recordRevokeSecretsAck: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'REVOKE_SECRETS_ACK');
      const acked = new Set(event.message.revokeSecretHashes);
      const left = context.unackedRevokeSecrets.filter(
        (secret) => !acked.has(bytesToHex(hash160(hexToBytes(secret)))),
      );
      if (left.length === context.unackedRevokeSecrets.length) return;
      enqueue.assign({ unackedRevokeSecrets: left });
      enqueue.emit({ type: 'persist' });
    }),
    /** Sends the revoke secrets the payer has not acknowledged again (the last send may be lost). */
    resendRevokeSecrets: enqueueActions(({ context, enqueue }) => {
      const secrets = context.unackedRevokeSecrets.slice(-MAX_REVOKE_SECRETS);
      if (secrets.length === 0) return;
      enqueue.emit({
        type: 'send',
        message: { ...header(context), type: 'revoke-secrets', secrets },
      });
    }),
    /** Sends the newest outstanding revoke hash again, in case the last one was lost. */
    resendRevokeHash: enqueueActions(({ context, enqueue }) => {
      // Messages may be lost: the newest outstanding hash is sent again at every block.
      const latest = context.requestedRevokes[context.requestedRevokes.length - 1];
      if (latest)
        enqueue.emit({
          type: 'send',
          message: { ...header(context), type: 'revoke-hash', revokeSecretHash: latest.hash },
        });
    }),
    /** Applies revoke-until: moves commits to revoked, forgets their transactions, persists, then sends their secrets. */
    revokeCommits: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'REVOKE_UNTIL');
      const history = historyOf(event);
      const plan = checkRevokeUntil(context, event.amount, event.surpass, history);
      if (!plan.ok) return;
      const { revoke, keep, loaded } = plan.value;
      const popped = popActiveCommits(context, loaded, revoke, keep, history);
      enqueue.assign({
        // The transaction is dropped: a revoked commit must never be published by us.
        ...popped.fields,
        // Sent again at every block until the payer acknowledges them: a give-back is never lost.
        unackedRevokeSecrets: [
          ...context.unackedRevokeSecrets,
          ...revoke.map((c) => c.revokeSecret),
        ],
      });
      enqueue.emit({ type: 'persist' });
      // After the snapshot: a record forgotten too early would break a restart from the one before.
      if (popped.tombstones.length > 0)
        enqueue.emit({ type: 'history', writes: popped.tombstones });
      enqueue.emit({
        type: 'send',
        message: {
          ...header(context),
          type: 'revoke-secrets',
          secrets: revoke.map((c) => c.revokeSecret),
        },
      });
    }),
    /** Completes the highest active commit with the payee signature, persists it, broadcasts it and watches its output. */
    publishBestCommit: enqueueActions(({ context, enqueue }) => {
      const best = context.activeCommits[context.activeCommits.length - 1];
      if (!best || context.published || !context.depositScript) return;
      const rawTx = bytesToHex(
        completeCommit(
          hexToBytes(best.rawTx),
          hexToBytes(context.depositScript),
          hexToBytes(context.payeePrivateKey),
        ),
      );
      const txid = rawTransactionId(hexToBytes(rawTx));
      const outpoint = { txid, vout: 0 };
      enqueue.assign({
        published: {
          txid,
          rawTx,
          confirmedHeight: null,
          commitScript: best.commitScript,
          amount: best.amount,
        },
        watches: {
          ...context.watches,
          outpoints: [...context.watches.outpoints, { label: 'commit-output', outpoint }],
        },
      });
      enqueue.emit({ type: 'persist' });
      enqueue.emit({ type: 'broadcast', label: 'commit', txid, rawTx });
      enqueue.emit({ type: 'watch-outpoint', label: 'commit-output', outpoint });
    }),
    /**
     * Records which of our commits spent the deposit and at what height. A confirmed commit is
     * adopted as the published one even when its txid differs (a malleated copy, or a commit
     * published before a restart from an older snapshot), and its output is watched.
     */
    recordCommitConfirmation: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'OUTPOINT_SPENT' || !spendsDeposit(context, event)) return;
      const published = context.published;
      if (event.blockHeight === null) {
        // Back in the mempool after a reorg: only our own broadcast is tracked there.
        if (published && event.txid === published.txid) {
          enqueue.assign({ published: { ...published, confirmedHeight: null } });
          enqueue.emit({ type: 'persist' });
        }
        return;
      }
      const commit = ownCommitPublished(context, event.rawTx, historyOf(event));
      if (!commit) return;
      enqueue.assign({
        published: {
          txid: event.txid,
          rawTx: event.rawTx,
          confirmedHeight: event.blockHeight,
          commitScript: commit.commitScript,
          amount: commit.amount,
        },
      });
      if (published?.txid !== event.txid) {
        const moved = moveCommitWatch(context, event.txid);
        enqueue.assign(moved.update);
        enqueue.emit({ type: 'persist' });
        enqueue.emit(moved.watch);
        return;
      }
      enqueue.emit({ type: 'persist' });
    }),
    /** Remembers the confirmed settling spend of output `label`, to wait for its finality. */
    recordFinalSpend: enqueueActions(({ context, event, enqueue }, params: { label: string }) => {
      const recorded = recordedFinalSpend(context, event, params.label);
      if (!recorded) return;
      enqueue.assign({ finalSpends: recorded.finalSpends });
      if (recorded.persist) enqueue.emit({ type: 'persist' });
    }),
    /** Forgets a settling spend a reorganisation took out; our payout is offered again. */
    forgetFinalSpend: enqueueActions(({ context, enqueue }, params: { label: string }) => {
      const payout =
        context.payout && params.label === 'commit-output'
          ? { ...context.payout, confirmedHeight: null }
          : context.payout;
      enqueue.assign({ finalSpends: withoutFinalSpend(context, params.label), payout });
      enqueue.emit({ type: 'persist' });
    }),
    /**
     * The published commit left the chain (its spend of the deposit is gone): offer it again, in
     * our own canonical encoding if what had confirmed was a third party's re-encoded copy.
     */
    commitUnconfirmed: enqueueActions(({ context, enqueue }) => {
      const published = context.published;
      if (!published) return;
      const rawTx = canonicalSpendEncoding(published.rawTx);
      const txid = rawTransactionId(hexToBytes(rawTx));
      enqueue.assign({ published: { ...published, txid, rawTx, confirmedHeight: null } });
      if (txid !== published.txid) {
        const moved = moveCommitWatch(context, txid);
        enqueue.assign(moved.update);
        enqueue.emit({ type: 'persist' });
        enqueue.emit(moved.watch);
        return;
      }
      enqueue.emit({ type: 'persist' });
    }),
    /** Records our payout as it was confirmed (its txid may differ from the one we built). */
    recordPayout: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'OUTPOINT_SPENT' || event.blockHeight === null) return;
      // Kept in canonical form (standard): offered again if a reorganisation drops a copy.
      const rawTx = canonicalSpendEncoding(event.rawTx);
      enqueue.assign({
        payout: {
          txid: rawTransactionId(hexToBytes(rawTx)),
          rawTx,
          confirmedHeight: event.blockHeight,
        },
      });
    }),
    /** Builds the payout (revealing the spend secret), persists it and broadcasts it. */
    buildPayout: enqueueActions(({ context, enqueue }) => {
      const published = context.published;
      if (!published || context.payout) return;
      let payout: SpendTransaction;
      try {
        payout = buildChannelSpend(
          assetTermsOf(context),
          parseAmount(published.amount),
          {
            outpoint: { txid: published.txid, vout: 0 },
            value: decodeTransaction(hexToBytes(published.rawTx)).outputs[0]!.value,
            destinationScript: hexToBytes(context.destinationScript),
            feeRate: context.feeRate,
            privateKey: hexToBytes(context.payeePrivateKey),
          },
          {
            kind: 'payout',
            commitScript: hexToBytes(published.commitScript),
            spendSecret: hexToBytes(context.spendSecret),
          },
        );
      } catch (error) {
        // Only a commit output too small to pay the fee plus a non-dust output ends the channel
        // with nothing to claim; any other failure is a fault the runtime reports.
        if (error instanceof TransactionError && error.code === 'TX_INSUFFICIENT_FUNDS') return;
        throw error;
      }
      const rawTx = bytesToHex(payout.rawTx);
      enqueue.assign({ payout: { txid: payout.txid, rawTx, confirmedHeight: null } });
      enqueue.emit({ type: 'persist' });
      enqueue.emit({ type: 'broadcast', label: 'payout', txid: payout.txid, rawTx });
    }),
    /** Offers the unconfirmed commit or payout to the network again. */
    rebroadcast: enqueueActions(({ context, enqueue }) => {
      // Until they confirm, our transactions are offered again at every block (a reorg or a
      // full mempool may have dropped them).
      if (context.published && context.published.confirmedHeight === null) {
        enqueue.emit({
          type: 'broadcast',
          label: 'commit',
          txid: context.published.txid,
          rawTx: context.published.rawTx,
        });
      }
      if (context.payout && context.payout.confirmedHeight === null) {
        enqueue.emit({
          type: 'broadcast',
          label: 'payout',
          txid: context.payout.txid,
          rawTx: context.payout.rawTx,
        });
      }
    }),
    /** Tells the payer that the offer is given up (it may expire a deposit it funded late). */
    sendGiveUp: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({
        type: 'send',
        message: {
          ...header(context),
          type: 'close',
          reason: `no confirmed deposit within ${context.fundingTimeout} blocks of the offer`,
        },
      });
    }),
    /** Records the outcome, persists, and reports that the channel is finished. */
    finish: enqueueActions(({ enqueue }, params: { outcome: ChannelOutcome }) => {
      enqueue.assign({ outcome: params.outcome });
      enqueue.emit({ type: 'persist' });
      enqueue.emit({ type: 'finished', outcome: params.outcome });
    }),
    /** Reports a refused event with its typed code; the state is left unchanged. */
    reject: enqueueActions(({ context, event, enqueue, self }) => {
      enqueue.emit(rejection(context, event, JSON.stringify(self.getSnapshot().value)));
    }),
  },
}).createMachine({
  id: 'payee',
  context: ({ input }) => input,
  initial: 'offering',
  on: {
    BLOCK: { actions: 'recordHeight' },
    TX_CONFIRMED: {},
    OUTPOINT_SPENT: {},
    OUTPOINT_UNSPENT: {},
    CLOSE_NOTICE: {},
    REVOKE_SECRETS_ACK: [
      { guard: 'ackForThisChannel', actions: 'recordRevokeSecretsAck' },
      { actions: 'reject' },
    ],
    DEPOSIT: [{ guard: 'repeatsAgreedDeposit' }, { actions: 'reject' }],
    DEPOSIT_FUNDED: [{ guard: 'repeatsRecordedFunding' }, { actions: 'reject' }],
    '*': { guard: 'isExternalEvent', actions: 'reject' },
  },
  states: {
    offering: {
      description:
        "The offer (payee key, spend secret hash, accepted times, fee floor) is sent; waiting for the payer's deposit script.",
      entry: 'sendOffer',
      always: { guard: 'fundingTimedOut', target: 'timedOut' },
      on: {
        DEPOSIT: [
          { guard: 'depositAcceptable', target: 'awaitingFunding', actions: 'recordDeposit' },
          { actions: 'reject' },
        ],
        CLOSE: { target: 'aborted' },
      },
    },
    awaitingFunding: {
      description:
        'The deposit script is agreed; waiting for the payer to announce the funded outpoint.',
      always: { guard: 'fundingTimedOut', target: 'timedOut' },
      on: {
        DEPOSIT_FUNDED: [
          { guard: 'fundingAcceptable', target: 'awaitingConfirmation', actions: 'recordFunding' },
          { actions: 'reject' },
        ],
        CLOSE: { target: 'aborted' },
      },
    },
    awaitingConfirmation: {
      description: 'Waiting for the deposit transaction to confirm with the announced output.',
      always: { guard: 'fundingTimedOut', target: 'timedOut' },
      on: {
        TX_CONFIRMED: [
          { guard: 'depositConfirmedAsAnnounced', target: 'open', actions: 'openChannel' },
          { actions: 'reject' },
        ],
        CLOSE: { target: 'aborted' },
      },
    },
    open: {
      description:
        'Payments flow: each accepted commit is answered with a fresh revoke hash; the payee may give value back.',
      always: { guard: 'closeDeadlineReached', target: 'closing' },
      on: {
        COMMIT: [{ guard: 'commitAcceptable', actions: 'acceptCommit' }, { actions: 'reject' }],
        REVOKE_UNTIL: [
          { guard: 'revokeUntilAcceptable', actions: 'revokeCommits' },
          { actions: 'reject' },
        ],
        // A payee that missed the clearance window (offline) must still learn that the payer
        // expired the deposit; otherwise it would wait for it forever.
        OUTPOINT_SPENT: [
          // Published before a restart from an older snapshot: follow it to its payout.
          {
            guard: 'ourCommitConfirmed',
            target: 'awaitingDelay',
            actions: 'recordCommitConfirmation',
          },
          {
            guard: 'depositTakenByPayer',
            target: 'expireConfirming',
            actions: DEPOSIT_FINAL_SPEND,
          },
        ],
        TX_CONFIRMED: { actions: 'updateDepositConfirmation' },
        BLOCK: { actions: ['recordHeight', 'resendRevokeHash', 'resendRevokeSecrets'] },
        CLOSE: { target: 'closing' },
      },
    },
    closing: {
      description: 'The best commit is completed and published; waiting for it to confirm.',
      entry: 'publishBestCommit',
      always: { guard: 'noActiveCommit', target: 'nothingToClaim' },
      on: {
        OUTPOINT_SPENT: [
          {
            guard: 'ourCommitConfirmed',
            target: 'awaitingDelay',
            actions: 'recordCommitConfirmation',
          },
          {
            guard: 'depositTakenByPayer',
            target: 'expireConfirming',
            actions: DEPOSIT_FINAL_SPEND,
          },
          { actions: 'recordCommitConfirmation' },
        ],
        TX_CONFIRMED: { actions: 'updateDepositConfirmation' },
        BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
        COMMIT: { actions: 'reject' },
      },
    },
    awaitingDelay: {
      description: 'The commit is confirmed; the payout becomes valid after `delay_time` blocks.',
      always: { guard: 'payoutDelayPassed', target: 'payingOut' },
      on: {
        OUTPOINT_SPENT: [
          // A payout built before a restart from an older snapshot is still ours.
          {
            guard: 'payoutConfirmed',
            target: 'payoutConfirming',
            actions: ['recordPayout', COMMIT_OUTPUT_FINAL_SPEND],
          },
          {
            guard: 'commitOutputTakenByPayer',
            target: 'revokeConfirming',
            actions: COMMIT_OUTPUT_FINAL_SPEND,
          },
          {
            guard: 'depositTakenByPayer',
            target: 'expireConfirming',
            actions: DEPOSIT_FINAL_SPEND,
          },
          { actions: 'recordCommitConfirmation' },
        ],
        // The commit itself left the chain: publish it again.
        OUTPOINT_UNSPENT: {
          guard: { type: 'spendWithdrawn', params: { label: 'deposit' } },
          target: 'closing',
          actions: 'commitUnconfirmed',
        },
        BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
      },
    },
    payingOut: {
      description:
        'The payout (revealing the spend secret) is published; waiting for it to confirm.',
      entry: 'buildPayout',
      always: { guard: 'payoutUneconomic', target: 'nothingToClaim' },
      on: {
        OUTPOINT_SPENT: [
          {
            guard: 'payoutConfirmed',
            target: 'payoutConfirming',
            actions: ['recordPayout', COMMIT_OUTPUT_FINAL_SPEND],
          },
          {
            guard: 'commitOutputTakenByPayer',
            target: 'revokeConfirming',
            actions: COMMIT_OUTPUT_FINAL_SPEND,
          },
          { actions: 'recordCommitConfirmation' },
        ],
        // The commit itself left the chain: publish it again.
        OUTPOINT_UNSPENT: {
          guard: { type: 'spendWithdrawn', params: { label: 'deposit' } },
          target: 'closing',
          actions: 'commitUnconfirmed',
        },
        BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
      },
    },
    payoutConfirming: {
      description:
        'The payout is confirmed; waiting for `finalityDepth` confirmations (a reorganisation sends it back).',
      always: {
        guard: { type: 'spendFinal', params: { label: 'commit-output' } },
        target: 'paidOut',
      },
      on: {
        OUTPOINT_SPENT: [
          { guard: 'payoutConfirmed', actions: ['recordPayout', COMMIT_OUTPUT_FINAL_SPEND] },
          {
            guard: 'commitOutputTakenByPayer',
            target: 'revokeConfirming',
            actions: COMMIT_OUTPUT_FINAL_SPEND,
          },
          {
            guard: { type: 'spendWithdrawn', params: { label: 'commit-output' } },
            target: 'payingOut',
            actions: FORGET_COMMIT_OUTPUT_SPEND,
          },
          { actions: 'recordCommitConfirmation' },
        ],
        OUTPOINT_UNSPENT: [
          {
            guard: { type: 'spendWithdrawn', params: { label: 'commit-output' } },
            target: 'payingOut',
            actions: FORGET_COMMIT_OUTPUT_SPEND,
          },
          {
            guard: { type: 'spendWithdrawn', params: { label: 'deposit' } },
            target: 'closing',
            actions: [FORGET_COMMIT_OUTPUT_SPEND, 'commitUnconfirmed'],
          },
        ],
        BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
      },
    },
    revokeConfirming: {
      description:
        "The payer's revoke of the commit output is confirmed; waiting for `finalityDepth` confirmations.",
      always: {
        guard: { type: 'spendFinal', params: { label: 'commit-output' } },
        target: 'revokedByPayer',
      },
      on: {
        OUTPOINT_SPENT: [
          { guard: 'commitOutputTakenByPayer', actions: COMMIT_OUTPUT_FINAL_SPEND },
          {
            guard: 'payoutConfirmed',
            target: 'payoutConfirming',
            actions: ['recordPayout', COMMIT_OUTPUT_FINAL_SPEND],
          },
          {
            guard: { type: 'spendWithdrawn', params: { label: 'commit-output' } },
            target: 'awaitingDelay',
            actions: FORGET_COMMIT_OUTPUT_SPEND,
          },
          { actions: 'recordCommitConfirmation' },
        ],
        OUTPOINT_UNSPENT: {
          guard: { type: 'spendWithdrawn', params: { label: 'commit-output' } },
          target: 'awaitingDelay',
          actions: FORGET_COMMIT_OUTPUT_SPEND,
        },
        BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
      },
    },
    expireConfirming: {
      description:
        "The payer's expire of the deposit is confirmed; waiting for `finalityDepth` confirmations (a reorganisation lets the payee publish again).",
      always: {
        guard: { type: 'spendFinal', params: { label: 'deposit' } },
        target: 'expiredByPayer',
      },
      on: {
        OUTPOINT_SPENT: [
          { guard: 'depositTakenByPayer', actions: DEPOSIT_FINAL_SPEND },
          {
            guard: 'ourCommitConfirmed',
            target: 'awaitingDelay',
            actions: [FORGET_DEPOSIT_SPEND, 'recordCommitConfirmation'],
          },
          {
            guard: { type: 'spendWithdrawn', params: { label: 'deposit' } },
            target: 'closing',
            actions: FORGET_DEPOSIT_SPEND,
          },
        ],
        OUTPOINT_UNSPENT: {
          guard: { type: 'spendWithdrawn', params: { label: 'deposit' } },
          target: 'closing',
          actions: FORGET_DEPOSIT_SPEND,
        },
      },
    },
    paidOut: {
      type: 'final',
      description: 'The payee took its highest commit.',
      entry: { type: 'finish', params: { outcome: 'paid-out' } },
    },
    nothingToClaim: {
      type: 'final',
      description: 'No commit worth publishing: the payer recovers the deposit.',
      entry: { type: 'finish', params: { outcome: 'nothing-to-claim' } },
    },
    revokedByPayer: {
      type: 'final',
      description: 'The published commit was revoked: the payer took it back.',
      entry: { type: 'finish', params: { outcome: 'revoked-by-payer' } },
    },
    expiredByPayer: {
      type: 'final',
      description: "The payer expired the deposit before the payee's commit confirmed.",
      entry: { type: 'finish', params: { outcome: 'expired-by-payer' } },
    },
    timedOut: {
      type: 'final',
      description:
        'No confirmed deposit arrived within `fundingTimeout` blocks of the offer: the offer is given up and the payer told.',
      entry: ['sendGiveUp', { type: 'finish', params: { outcome: 'timed-out' } }],
    },
    aborted: {
      type: 'final',
      description: 'The channel was given up before it opened.',
      entry: { type: 'finish', params: { outcome: 'aborted' } },
    },
  },
});
