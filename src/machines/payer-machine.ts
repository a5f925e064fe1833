import { assertEvent, enqueueActions, setup } from 'xstate';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { sameOutpoint } from '../guards/channel-guards.js';
import { type Check, fail } from '../guards/check.js';
import {
  checkDepositPublished,
  checkOffer,
  checkPay,
  checkRevokeHash,
  checkRevokeSecrets,
  depositExpired,
  identifyPublishedCommit,
  publishedCommitRevoked,
  remainderExpired,
} from '../guards/payer-guards.js';
import { formatAmount, parseAmount } from '../messages/amount.js';
import { type DepositMessage, MESSAGE_PROTOCOL } from '../messages/schema.js';
import { extractSpendSecret } from '../scripts/secret-extraction.js';
import { parseUnlockingScript } from '../scripts/unlocking-scripts.js';
import { canonicalSpendEncoding } from '../transactions/canonical-encoding.js';
import { decodeTransaction, rawTransactionId } from '../transactions/raw-transaction.js';
import { createAssetCommit } from '../transactions/asset-commit.js';
import { createCommit } from '../transactions/commit-transaction.js';
import type { SpendTransaction } from '../transactions/spend-transactions.js';
import { assetTermsOf, buildChannelSpend, depositQuantity } from './asset-mode.js';
import { commitReadingsOf } from './asset-readings.js';
import type {
  BroadcastRecord,
  ChannelOutcome,
  PayerCommitRecord,
  PayerContext,
} from './context.js';
import type { Effect, OutpointRef, TransactionLabel } from './effects.js';
import type { PayerEvent } from './events.js';
import { recordedFinalSpend, spendIsFinal, spendWithdrawn, withoutFinalSpend } from './finality.js';
import { historyOf } from './history.js';
import { findPayerCommit, payerCommitWrite, spillPayerCommits } from './payer-history.js';
import {
  type ConflictingSpend,
  conflictingSpendOf,
  feeOfSpend,
  replacementFee,
} from './replacement-fee.js';

type Emit = (effect: Effect) => void;

const header = (context: PayerContext) =>
  ({ protocol: MESSAGE_PROTOCOL, channelId: context.channelId }) as const;

function checkEvent(context: PayerContext, event: PayerEvent): Check<unknown> {
  switch (event.type) {
    case 'OFFER':
      return checkOffer(context, event.message);
    case 'DEPOSIT_PUBLISHED':
      return checkDepositPublished(context, event.txid, event.vout, event.rawTx);
    case 'REVOKE_HASH':
      return checkRevokeHash(context, event.message, historyOf(event));
    case 'PAY':
      return checkPay(context, event.amount);
    case 'REVOKE_SECRETS':
      return checkRevokeSecrets(context, event.message, historyOf(event), commitReadingsOf(event));
    default:
      return fail('UNEXPECTED_EVENT', `${event.type} is not expected now`);
  }
}

/** The `deposit` message of the accepted terms (asset mode: with the asset terms). */
function depositMessage(
  context: Pick<
    PayerContext,
    'channelId' | 'payerPubkey' | 'depositScript' | 'delayTime' | 'asset'
  >,
): DepositMessage {
  const { asset } = context;
  return {
    protocol: MESSAGE_PROTOCOL,
    channelId: context.channelId,
    type: 'deposit',
    payerPubkey: context.payerPubkey,
    depositScript: context.depositScript!,
    delayTime: context.delayTime!,
    ...(asset
      ? {
          asset: {
            asset: asset.asset,
            quantity: asset.quantity,
            commitValue: asset.commitValue,
          },
        }
      : {}),
  };
}

const isOutpoint = (a: OutpointRef, b: OutpointRef | null) => b !== null && sameOutpoint(a, b);

function depositOutpoint(context: PayerContext): OutpointRef | null {
  return context.deposit ? { txid: context.deposit.txid, vout: context.deposit.vout } : null;
}

function remainderOutpoint(context: PayerContext): OutpointRef | null {
  const p = context.published;
  return p?.remainder ? { txid: p.txid, vout: p.remainder.vout } : null;
}

function commitOutpoint(context: PayerContext): OutpointRef | null {
  return context.published ? { txid: context.published.txid, vout: 0 } : null;
}

/** The spend of a watched outpoint, when the event is one. */
function spendOf(event: PayerEvent, outpoint: OutpointRef | null) {
  return event.type === 'OUTPOINT_SPENT' && isOutpoint(event.outpoint, outpoint) ? event : null;
}

/**
 * The confirmed spend of `outpoint` reported by the event, if it is one. The payer recognises
 * its own spends by the output they spend and the path they take, never by txid: a miner may
 * include a copy of its transaction with the signature re-encoded.
 */
function confirmedSpendOf(event: PayerEvent, outpoint: OutpointRef | null) {
  const spend = spendOf(event, outpoint);
  return spend !== null && spend.blockHeight !== null ? spend : null;
}

/** True when the spend of the commit output is the payee's payout (it reveals the spend secret). */
function isPayout(context: PayerContext, rawTx: string): boolean {
  return (
    context.published !== null &&
    extractSpendSecret(hexToBytes(rawTx), hexToBytes(context.published.commitScript)) !== null
  );
}

/**
 * Which of the payer's recoveries `rawTx` is, by the spend path of its input that spends
 * `outpoint` (read as consensus reads it), or null when it is none of them.
 */
function ownRecoveryLabel(rawTx: string, outpoint: OutpointRef): TransactionLabel | null {
  let inputs: ReturnType<typeof decodeTransaction>['inputs'];
  try {
    inputs = decodeTransaction(hexToBytes(rawTx)).inputs;
  } catch {
    return null;
  }
  const input = inputs.find(
    (i) => bytesToHex(i.txid) === outpoint.txid && i.index === outpoint.vout,
  );
  if (!input) return null;
  try {
    const kind = parseUnlockingScript(input.scriptSig, { canonical: false }).kind;
    return kind === 'change' || kind === 'expire' || kind === 'revoke' ? kind : null;
  } catch {
    return null;
  }
}

/** Common fields of the payer's recovery spends. */
function spendBase(context: PayerContext, outpoint: OutpointRef, value: bigint) {
  return {
    outpoint,
    value,
    destinationScript: hexToBytes(context.destinationScript),
    feeRate: context.feeRate,
    privateKey: hexToBytes(context.payerPrivateKey),
  };
}

/** Builds a recovery spend, or null when the output cannot pay its fee plus a non-dust output. */
function tryBuild(build: () => SpendTransaction): SpendTransaction | null {
  try {
    return build();
  } catch {
    return null;
  }
}

function planChange(context: PayerContext): SpendTransaction | null {
  const outpoint = remainderOutpoint(context);
  if (!outpoint || !context.spendSecret || !context.depositScript) return null;
  const value = parseAmount(context.published!.remainder!.value);
  return tryBuild(() =>
    buildChannelSpend(
      assetTermsOf(context),
      depositQuantity(context),
      spendBase(context, outpoint, value),
      {
        kind: 'change',
        depositScript: hexToBytes(context.depositScript!),
        spendSecret: hexToBytes(context.spendSecret!),
      },
    ),
  );
}

/** The payer's expire of a deposit-address output worth `value`. */
function planExpire(
  context: PayerContext,
  outpoint: OutpointRef,
  value: bigint,
): SpendTransaction | null {
  return tryBuild(() =>
    buildChannelSpend(
      assetTermsOf(context),
      depositQuantity(context),
      spendBase(context, outpoint, value),
      { kind: 'expire', depositScript: hexToBytes(context.depositScript!) },
    ),
  );
}

function planRemainderExpire(context: PayerContext): SpendTransaction | null {
  const outpoint = remainderOutpoint(context);
  if (!outpoint || !context.depositScript) return null;
  return planExpire(context, outpoint, parseAmount(context.published!.remainder!.value));
}

function planDepositExpire(context: PayerContext): SpendTransaction | null {
  const outpoint = depositOutpoint(context);
  if (!outpoint || !context.depositScript) return null;
  return planExpire(context, outpoint, parseAmount(context.deposit!.value));
}

/**
 * The payer's revoke of the published revoked commit, or null when it cannot pay its fee. With
 * `outbid`, a payout of that commit waits in the mempool: the revoke then pays what replaces it
 * under full replace-by-fee, however much of the output that takes, since whatever the payer
 * leaves the cheating payee takes.
 */
function planRevoke(
  context: PayerContext,
  outbid: ConflictingSpend | null = null,
): SpendTransaction | null {
  const outpoint = commitOutpoint(context);
  const published = context.published;
  const revokeSecret = published?.revokeSecret;
  if (!outpoint || !published || !revokeSecret) return null;
  // In asset mode the output's BTC is `value`; the commit's asset units go back with it.
  const value = parseAmount(published.value ?? published.amount);
  const atRate = (feeRate: number) =>
    tryBuild(() =>
      buildChannelSpend(
        assetTermsOf(context),
        parseAmount(published.amount),
        { ...spendBase(context, outpoint, value), feeRate },
        {
          kind: 'revoke',
          commitScript: hexToBytes(published.commitScript),
          revokeSecret: hexToBytes(revokeSecret),
        },
      ),
    );
  const base = atRate(context.feeRate);
  if (!base || !outbid) return base;
  // A P2SH spend has no witness: its virtual size is its length.
  const vsize = base.rawTx.length;
  const needed = replacementFee(outbid, vsize, context.feeRate);
  if (base.fee >= needed) return base;
  // When the output cannot pay that fee and a non-dust output, no replacement would be
  // accepted: the revoke at the payer's own rate stays on offer (a reorganisation may yet
  // drop the payout).
  return atRate(Number(needed) / vsize) ?? base;
}

/**
 * The revoke to offer the network: the planned one, or the one already broadcast for the same
 * commit output when that pays at least as much (a fee bump is never undone).
 */
function revokeToBroadcast(
  context: PayerContext,
  planned: SpendTransaction | null,
): SpendTransaction | BroadcastRecord | null {
  const outpoint = commitOutpoint(context);
  const existing = context.broadcasts.revoke;
  if (!outpoint || !existing || ownRecoveryLabel(existing.rawTx, outpoint) !== 'revoke')
    return planned;
  if (!planned) return existing;
  const value = parseAmount(context.published!.amount);
  return feeOfSpend(existing.rawTx, value) >= planned.fee ? existing : planned;
}

/** The published commit has a remainder output that can pay for its own recovery. */
function hasRecoverableRemainder(context: PayerContext): boolean {
  return remainderOutpoint(context) !== null && planRemainderExpire(context) !== null;
}

/** Records a recovery broadcast (persisted first) and emits it. */
function broadcast(
  context: PayerContext,
  label: TransactionLabel,
  spend: SpendTransaction | BroadcastRecord | null,
  emit: Emit,
): Partial<PayerContext> {
  if (!spend) return {};
  const record: BroadcastRecord =
    typeof spend.rawTx === 'string'
      ? (spend as BroadcastRecord)
      : { txid: spend.txid, rawTx: bytesToHex(spend.rawTx), confirmedHeight: null };
  emit({ type: 'persist' });
  emit({ type: 'broadcast', label, txid: record.txid, rawTx: record.rawTx });
  if (context.broadcasts[label] === record) return {};
  return { broadcasts: { ...context.broadcasts, [label]: record } };
}

/** The payer's recoveries that spend each watched output. */
const RECOVERIES_OF: { readonly [outpointLabel: string]: readonly string[] } = {
  deposit: ['expire'],
  'commit-output': ['revoke'],
  remainder: ['change', 'expire'],
};

const DEPOSIT_FINAL_SPEND = { type: 'recordFinalSpend', params: { label: 'deposit' } } as const;
const COMMIT_OUTPUT_FINAL_SPEND = {
  type: 'recordFinalSpend',
  params: { label: 'commit-output' },
} as const;
const COMMIT_OUTPUT_FORGET_FINAL = {
  type: 'forgetFinalSpend',
  params: { label: 'commit-output' },
} as const;
/** The commit output's settling spend is final: the region is done. */
const COMMIT_OUTPUT_SETTLED = {
  guard: { type: 'spendFinal', params: { label: 'commit-output' } },
  target: 'done',
} as const;
/** A reorganisation took the commit output's settling spend out: revoke (again). */
const COMMIT_OUTPUT_REOPENED = {
  guard: { type: 'spendWithdrawn', params: { label: 'commit-output' } },
  target: 'revoking',
  actions: COMMIT_OUTPUT_FORGET_FINAL,
} as const;
const REMAINDER_FINAL_SPEND = { type: 'recordFinalSpend', params: { label: 'remainder' } } as const;

/**
 * The payer's channel lifecycle (PROTOCOL.md): accept an offer, fund the deposit, pay with
 * cumulative commits, and on close watch the chain to revoke a revoked commit, take the change
 * once the spend secret is public, or expire the deposit or remainder. Pure: inputs are events,
 * outputs are emitted {@link Effect}s.
 */
export const payerMachine = setup({
  types: {
    context: {} as PayerContext,
    events: {} as PayerEvent,
    input: {} as PayerContext,
    emitted: {} as Effect,
  },
  guards: {
    /** Not one of XState's own internal events (done, init, ...). */
    isExternalEvent: ({ event }) => !event.type.startsWith('xstate.'),
    /** The offer is for this channel and network, with a fee floor the payer accepts. */
    offerAcceptable: ({ context, event }) => checkEvent(context, event).ok,
    /** The wallet's transaction pays the deposit amount to the deposit script. */
    depositPublishedAsPlanned: ({ context, event }) => checkEvent(context, event).ok,
    /** The confirmed transaction is the deposit. */
    isDepositConfirmation: ({ context, event }) =>
      event.type === 'TX_CONFIRMED' && event.txid === context.deposit?.txid,
    /** The revoke hash is fresh. */
    revokeHashAcceptable: ({ context, event }) => checkEvent(context, event).ok,
    /** The payment fits the deposit and a revoke hash is outstanding. */
    paymentPossible: ({ context, event }) => checkEvent(context, event).ok,
    /** The revoke secrets come from this channel's payee. */
    revokeSecretsAcceptable: ({ context, event }) => checkEvent(context, event).ok,
    /** The deposit was spent by one of our commits (the payee closed). */
    depositSpentByCommit: ({ context, event }) => {
      const spend = spendOf(event, depositOutpoint(context));
      return (
        spend !== null &&
        identifyPublishedCommit(
          context,
          spend.txid,
          spend.rawTx,
          spend.blockHeight,
          historyOf(event),
        ).ok
      );
    },
    /** Our expire of the deposit confirmed: the deposit is spent in a block, and not by a commit. */
    depositExpireConfirmed: ({ context, event }) => {
      const spend = confirmedSpendOf(event, depositOutpoint(context));
      return (
        spend !== null &&
        !identifyPublishedCommit(
          context,
          spend.txid,
          spend.rawTx,
          spend.blockHeight,
          historyOf(event),
        ).ok
      );
    },
    /** The deposit can be expired in the next block. */
    depositExpired: ({ context }) => depositExpired(context),
    /** The settling spend of the watched output `label` has `finalityDepth` confirmations. */
    spendFinal: ({ context }, params: { label: string }) => spendIsFinal(context, params.label),
    /** A reorganisation took the settling spend of output `label` out of the chain. */
    spendWithdrawn: ({ context, event }, params: { label: string }) =>
      spendWithdrawn(context, event, params.label),
    /** The published commit is one the payee revoked. */
    publishedCommitRevoked: ({ context }) => publishedCommitRevoked(context),
    /** The published commit has no remainder worth recovering (none, or too small to pay its fee). */
    noRecoverableRemainder: ({ context }) => !hasRecoverableRemainder(context),
    /** The spend secret is public: the change can be taken. */
    spendSecretKnown: ({ context }) => context.spendSecret !== null && planChange(context) !== null,
    /** The remainder can be expired in the next block. */
    remainderExpired: ({ context }) => remainderExpired(context),
    /** The commit output was spent by the payee's payout (revealing the spend secret). */
    commitOutputPaidOut: ({ context, event }) => {
      const spend = spendOf(event, commitOutpoint(context));
      return spend !== null && isPayout(context, spend.rawTx);
    },
    /** A payout of the commit output waits in the mempool: a revoke may still replace it. */
    payoutPending: ({ context, event }) => {
      const spend = spendOf(event, commitOutpoint(context));
      return spend !== null && spend.blockHeight === null && isPayout(context, spend.rawTx);
    },
    /** A payout of the commit output is in a block. */
    payoutConfirmed: ({ context, event }) => {
      const spend = confirmedSpendOf(event, commitOutpoint(context));
      return spend !== null && isPayout(context, spend.rawTx);
    },
    /** Our revoke of the commit output confirmed: spent in a block by a path other than the payout. */
    revokeConfirmed: ({ context, event }) => {
      const spend = confirmedSpendOf(event, commitOutpoint(context));
      return spend !== null && !isPayout(context, spend.rawTx);
    },
    /** Our change or expire of the remainder confirmed: only the payer can spend the remainder. */
    remainderRecovered: ({ context, event }) =>
      confirmedSpendOf(event, remainderOutpoint(context)) !== null,
    /** The remainder region is done, so a payout no longer matters to the payer. */
    remainderSettled: ({ context }) =>
      context.spendSecret !== null ||
      context.broadcasts.expire?.confirmedHeight != null ||
      // Without a remainder to recover the spend secret is of no use: once the unrevoked commit
      // is confirmed there is nothing left for the payer, paid out or not.
      (context.published?.confirmedHeight != null && !hasRecoverableRemainder(context)),
    /** The revoke cannot be built (commit output too small to pay its fee): nothing to take back. */
    revokeUneconomic: ({ context }) => planRevoke(context) === null,
  },
  actions: {
    /** Remembers the height of the new best block. */
    recordHeight: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'BLOCK') enqueue.assign({ height: event.height });
    }),
    /** Builds the deposit script from the offer, persists, sends it to the payee and asks the wallet to fund it. */
    acceptOffer: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'OFFER');
      const check = checkOffer(context, event.message);
      if (!check.ok) return;
      const { expireTime, delayTime, asset: budget } = check.value;
      const depositScript = bytesToHex(check.value.depositScript);
      // Asset mode: the deposit carries the asset and the BTC the channel's steps need.
      const asset =
        context.asset && budget
          ? { ...context.asset, commitValue: formatAmount(budget.commitValue) }
          : undefined;
      const depositAmount = budget ? formatAmount(budget.depositValue) : context.depositAmount;
      enqueue.assign({
        payeePubkey: event.message.payeePubkey,
        spendSecretHash: event.message.spendSecretHash,
        expireTime,
        delayTime,
        depositScript,
        depositAmount,
        ...(asset ? { asset } : {}),
      });
      enqueue.emit({ type: 'persist' });
      enqueue.emit({
        type: 'send',
        message: depositMessage({ ...context, depositScript, delayTime, asset }),
      });
      enqueue.emit({
        type: 'fund-deposit',
        depositScript,
        amount: depositAmount,
        ...(asset ? { asset: { asset: asset.asset, quantity: asset.quantity } } : {}),
      });
    }),
    /** Records the published deposit, persists, announces the outpoint and starts watching it. */
    recordDeposit: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'DEPOSIT_PUBLISHED');
      const outpoint = { txid: event.txid, vout: event.vout };
      enqueue.assign({
        deposit: { ...outpoint, value: context.depositAmount, confirmedHeight: null },
        broadcasts: {
          ...context.broadcasts,
          deposit: { txid: event.txid, rawTx: event.rawTx, confirmedHeight: null },
        },
        watches: {
          txids: [...context.watches.txids, { label: 'deposit', txid: event.txid }],
          outpoints: [...context.watches.outpoints, { label: 'deposit', outpoint }],
        },
      });
      enqueue.emit({ type: 'persist' });
      enqueue.emit({
        type: 'send',
        message: {
          ...header(context),
          type: 'deposit-funded',
          outpoint,
          value: context.depositAmount,
        },
      });
      enqueue.emit({ type: 'watch-transaction', label: 'deposit', txid: event.txid });
      enqueue.emit({ type: 'watch-outpoint', label: 'deposit', outpoint });
    }),
    /** Records the height at which the deposit confirmed. */
    confirmDeposit: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'TX_CONFIRMED');
      enqueue.assign({
        deposit: { ...context.deposit!, confirmedHeight: event.blockHeight },
        broadcasts: {
          ...context.broadcasts,
          deposit: { ...context.broadcasts.deposit!, confirmedHeight: event.blockHeight },
        },
      });
      enqueue.emit({ type: 'persist' });
    }),
    /** Keeps the payee's revoke hash for the next commit (persisted: a payer that runs one command per process pays with it later). */
    storeRevokeHash: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'REVOKE_HASH');
      if (context.nextRevokeHash === event.message.revokeSecretHash) return;
      enqueue.assign({ nextRevokeHash: event.message.revokeSecretHash });
      enqueue.emit({ type: 'persist' });
    }),
    /** Signs the commit for the new cumulative amount, persists it, then sends it. */
    makePayment: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'PAY');
      const plan = checkPay(context, event.amount);
      if (!plan.ok) return;
      const deposit = context.deposit!;
      const params = {
        deposit: {
          outpoint: { txid: deposit.txid, vout: deposit.vout },
          value: parseAmount(deposit.value),
        },
        depositScript: hexToBytes(context.depositScript!),
        commitScript: plan.value.commitScript,
        amount: plan.value.cumulative,
        feeRate: context.feeRate,
        payerPrivateKey: hexToBytes(context.payerPrivateKey),
      };
      const terms = assetTermsOf(context);
      const commit = terms
        ? createAssetCommit({
            ...params,
            terms,
            commitValue: parseAmount(context.asset!.commitValue),
          })
        : createCommit(params);
      const record: PayerCommitRecord = {
        amount: formatAmount(commit.amount),
        commitScript: bytesToHex(plan.value.commitScript),
        revokeSecretHash: context.nextRevokeHash!,
        rawTx: bytesToHex(commit.rawTx),
        revokeSecret: null,
        below: context.topUnrevoked,
      };
      const spilled = spillPayerCommits([...context.commits, record], context.historyCommits);
      // Persist the commit before sending it: once sent, the payee may publish it. Older commits
      // leave the context for history records, written before the snapshot that forgets them.
      enqueue.assign({
        commits: spilled.commits,
        historyCommits: spilled.historyCommits,
        topUnrevoked: record.revokeSecretHash,
        transferred: record.amount,
        nextRevokeHash: null,
      });
      if (spilled.writes.length > 0) enqueue.emit({ type: 'history', writes: spilled.writes });
      enqueue.emit({ type: 'persist' });
      enqueue.emit({
        type: 'send',
        message: {
          ...header(context),
          type: 'commit',
          amount: record.amount,
          commitScript: record.commitScript,
          commitTx: record.rawTx,
        },
      });
    }),
    /**
     * Marks the commits whose revoke secrets arrived as revoked (persisted), then acknowledges
     * every secret of this channel's commits, also those already known (the last ack may have
     * been lost). Unknown secrets are ignored.
     */
    applyRevokeSecrets: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'REVOKE_SECRETS');
      const history = historyOf(event);
      const plan = checkRevokeSecrets(context, event.message, history, commitReadingsOf(event));
      if (!plan.ok) return;
      const { matched, top, known } = plan.value;
      const topUnrevoked = top?.hash ?? null;
      // The top is recomputed even when nothing new matched: a step that wrote history records
      // and failed before its snapshot leaves them revoked in history, and this heals the context.
      if (matched.size > 0 || topUnrevoked !== context.topUnrevoked) {
        const writes = [...matched.keys()]
          .filter((hash) => !context.commits.some((c) => c.revokeSecretHash === hash))
          .map((hash) =>
            payerCommitWrite({
              ...findPayerCommit(context, history, hash)!,
              revokeSecret: matched.get(hash)!,
            }),
          );
        const published = context.published;
        enqueue.assign({
          commits: context.commits.map((c) =>
            matched.has(c.revokeSecretHash)
              ? { ...c, revokeSecret: matched.get(c.revokeSecretHash)! }
              : c,
          ),
          topUnrevoked,
          transferred: top?.amount ?? '0',
          published:
            published && matched.has(published.revokeSecretHash)
              ? { ...published, revokeSecret: matched.get(published.revokeSecretHash)! }
              : published,
        });
        if (writes.length > 0) enqueue.emit({ type: 'history', writes });
        enqueue.emit({ type: 'persist' });
      }
      if (known.length > 0)
        enqueue.emit({
          type: 'send',
          message: { ...header(context), type: 'revoke-secrets-ack', revokeSecretHashes: known },
        });
    }),
    /** Sends the deposit announcement or the last commit again while the payee has not answered. */
    resendPending: enqueueActions(({ context, enqueue }) => {
      // Messages may be lost. Until the payee answers, the deposit announcement is repeated at
      // every block; a commit still waiting for its answer (the next revoke hash) likewise.
      if (!context.deposit) return;
      const last = context.commits[context.commits.length - 1];
      if (context.commits.length === 0 && context.nextRevokeHash === null) {
        enqueue.emit({
          type: 'send',
          message: depositMessage(context),
        });
        enqueue.emit({
          type: 'send',
          message: {
            ...header(context),
            type: 'deposit-funded',
            outpoint: { txid: context.deposit.txid, vout: context.deposit.vout },
            value: context.deposit.value,
          },
        });
      } else if (last && context.nextRevokeHash === null) {
        enqueue.emit({
          type: 'send',
          message: {
            ...header(context),
            type: 'commit',
            amount: last.amount,
            commitScript: last.commitScript,
            commitTx: last.rawTx,
          },
        });
      }
    }),
    /** Asks the payee to close the channel. */
    requestClose: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({
        type: 'send',
        message: { ...header(context), type: 'close', reason: 'payer asks to close' },
      });
    }),
    /** Records which commit spent the deposit, and watches its output and remainder. */
    recordPublishedCommit: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'OUTPOINT_SPENT');
      const published = identifyPublishedCommit(
        context,
        event.txid,
        event.rawTx,
        event.blockHeight,
        historyOf(event),
      );
      if (!published.ok) return;
      const p = published.value;
      const commitOut = { txid: p.txid, vout: 0 };
      const outpoints = [
        ...context.watches.outpoints.filter(
          (w) => w.label !== 'commit-output' && w.label !== 'remainder',
        ),
        { label: 'commit-output', outpoint: commitOut },
      ];
      if (p.remainder)
        outpoints.push({ label: 'remainder', outpoint: { txid: p.txid, vout: p.remainder.vout } });
      enqueue.assign({ published: p, watches: { ...context.watches, outpoints } });
      enqueue.emit({ type: 'persist' });
      for (const w of outpoints.slice(-2))
        if (w.label !== 'deposit')
          enqueue.emit({ type: 'watch-outpoint', label: w.label, outpoint: w.outpoint });
    }),
    /** Builds the expire of the whole deposit, persists it and broadcasts it. */
    broadcastDepositExpire: enqueueActions(({ context, enqueue }) => {
      enqueue.assign(broadcast(context, 'expire', planDepositExpire(context), enqueue.emit));
    }),
    /** Builds the revoke of the published revoked commit, persists it and broadcasts it. */
    broadcastRevoke: enqueueActions(({ context, enqueue }) => {
      const revoke = revokeToBroadcast(context, planRevoke(context));
      enqueue.assign(broadcast(context, 'revoke', revoke, enqueue.emit));
    }),
    /**
     * A payout of the revoked commit waits in the mempool: broadcasts a revoke that replaces it
     * by fee (never one paying less than the revoke already broadcast).
     */
    outbidPayout: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'OUTPOINT_SPENT');
      const conflict = conflictingSpendOf(event.rawTx, parseAmount(context.published!.amount));
      const revoke = revokeToBroadcast(context, planRevoke(context, conflict));
      enqueue.assign(broadcast(context, 'revoke', revoke, enqueue.emit));
    }),
    /** Builds the change of the remainder with the spend secret, persists it and broadcasts it. */
    broadcastChange: enqueueActions(({ context, enqueue }) => {
      enqueue.assign(broadcast(context, 'change', planChange(context), enqueue.emit));
    }),
    /** Builds the expire of the remainder, persists it and broadcasts it. */
    broadcastRemainderExpire: enqueueActions(({ context, enqueue }) => {
      enqueue.assign(broadcast(context, 'expire', planRemainderExpire(context), enqueue.emit));
    }),
    /** Reads the spend secret out of the payee's payout. */
    recordSpendSecret: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'OUTPOINT_SPENT');
      const secret = extractSpendSecret(
        hexToBytes(event.rawTx),
        hexToBytes(context.published!.commitScript),
      );
      if (secret) enqueue.assign({ spendSecret: bytesToHex(secret) });
      enqueue.emit({ type: 'persist' });
    }),
    /** Keeps the confirmation heights of the published commit and of our broadcasts current. */
    recordSpendConfirmation: enqueueActions(({ context, event, enqueue }) => {
      // Keeps confirmation heights current (the expire clock of a remainder starts when its commit confirms).
      if (event.type !== 'OUTPOINT_SPENT') return;
      if (
        context.published &&
        event.txid === context.published.txid &&
        isOutpoint(event.outpoint, depositOutpoint(context))
      ) {
        enqueue.assign({ published: { ...context.published, confirmedHeight: event.blockHeight } });
        return;
      }
      const entry = Object.entries(context.broadcasts).find(([, b]) => b.txid === event.txid);
      if (entry) {
        enqueue.assign({
          broadcasts: {
            ...context.broadcasts,
            [entry[0]]: { ...entry[1], confirmedHeight: event.blockHeight },
          },
        });
        return;
      }
      // A confirmed copy of our own recovery with another txid (re-encoded by a miner): it is
      // recorded as the broadcast it stands for, so that nothing waits for the original.
      const label =
        event.blockHeight === null ? null : ownRecoveryLabel(event.rawTx, event.outpoint);
      if (label) {
        // Kept in canonical form (our own bytes, standard): if a reorganisation drops the
        // copy, it is this that is offered to the network again.
        const rawTx = canonicalSpendEncoding(event.rawTx);
        enqueue.assign({
          broadcasts: {
            ...context.broadcasts,
            [label]: {
              txid: rawTransactionId(hexToBytes(rawTx)),
              rawTx,
              confirmedHeight: event.blockHeight,
            },
          },
        });
      }
    }),
    /** Remembers the confirmed settling spend of output `label`, to wait for its finality. */
    recordFinalSpend: enqueueActions(({ context, event, enqueue }, params: { label: string }) => {
      const recorded = recordedFinalSpend(context, event, params.label);
      if (!recorded) return;
      enqueue.assign({ finalSpends: recorded.finalSpends });
      if (recorded.persist) enqueue.emit({ type: 'persist' });
    }),
    /**
     * Forgets the settling spend of output `label` that a reorganisation took out: our own
     * broadcast of it is unconfirmed again, so it is offered to the network at every block.
     */
    forgetFinalSpend: enqueueActions(({ context, enqueue }, params: { label: string }) => {
      const ours = RECOVERIES_OF[params.label] ?? [];
      enqueue.assign({
        finalSpends: withoutFinalSpend(context, params.label),
        broadcasts: Object.fromEntries(
          Object.entries(context.broadcasts).map(([label, record]) => [
            label,
            ours.includes(label) ? { ...record, confirmedHeight: null } : record,
          ]),
        ),
      });
      enqueue.emit({ type: 'persist' });
    }),
    /** Offers every unconfirmed recovery transaction to the network again. */
    rebroadcast: enqueueActions(({ context, enqueue }) => {
      for (const [label, record] of Object.entries(context.broadcasts)) {
        if (label !== 'deposit' && record.confirmedHeight === null) {
          enqueue.emit({
            type: 'broadcast',
            label: label as TransactionLabel,
            txid: record.txid,
            rawTx: record.rawTx,
          });
        }
      }
    }),
    /**
     * Offers the deposit to the network again while it is unconfirmed: a broadcast that was
     * lost (an unreachable node, a refusal that went unreported) would otherwise leave the
     * channel waiting for a confirmation that never comes.
     */
    rebroadcastDeposit: enqueueActions(({ context, enqueue }) => {
      const record = context.broadcasts.deposit;
      if (record && record.confirmedHeight === null)
        enqueue.emit({
          type: 'broadcast',
          label: 'deposit',
          txid: record.txid,
          rawTx: record.rawTx,
        });
    }),
    /** Records the outcome, persists, and reports that the channel is finished. */
    finish: enqueueActions(({ enqueue, event }, params: { outcome: ChannelOutcome }) => {
      enqueue.assign({ outcome: params.outcome });
      enqueue.emit({ type: 'persist' });
      // A failed funding ends the channel: say why, with the wallet's typed code.
      enqueue.emit(
        event.type === 'FUNDING_FAILED'
          ? {
              type: 'finished',
              outcome: params.outcome,
              failure: { code: event.code, reason: event.reason },
            }
          : { type: 'finished', outcome: params.outcome },
      );
    }),
    /** Reports a refused event with its typed code; the state is left unchanged. */
    reject: enqueueActions(({ context, event, enqueue }) => {
      const check = checkEvent(context, event);
      const { code, reason } = check.ok
        ? { code: 'UNEXPECTED_EVENT', reason: `${event.type} is not expected now` }
        : check;
      enqueue.emit({ type: 'rejected', event: event.type, code, reason });
    }),
  },
}).createMachine({
  id: 'payer',
  context: ({ input }) => input,
  initial: 'awaitingOffer',
  on: {
    BLOCK: { actions: 'recordHeight' },
    TX_CONFIRMED: {},
    OUTPOINT_SPENT: {},
    OUTPOINT_UNSPENT: {},
    CLOSE_NOTICE: {},
    '*': { guard: 'isExternalEvent', actions: 'reject' },
  },
  states: {
    awaitingOffer: {
      description:
        "Waiting for the payee's offer: key, spend secret hash, accepted times and fee floor.",
      on: {
        OFFER: [
          { guard: 'offerAcceptable', target: 'funding', actions: 'acceptOffer' },
          { actions: 'reject' },
        ],
        CLOSE: { target: 'aborted' },
      },
    },
    funding: {
      description: 'The deposit script is sent; the wallet funds the deposit.',
      on: {
        DEPOSIT_PUBLISHED: [
          {
            guard: 'depositPublishedAsPlanned',
            target: 'awaitingConfirmation',
            actions: 'recordDeposit',
          },
          { actions: 'reject' },
        ],
        FUNDING_FAILED: { target: 'aborted' },
        CLOSE: { target: 'aborted' },
      },
    },
    awaitingConfirmation: {
      description: 'The deposit is broadcast; waiting for it to confirm.',
      on: {
        TX_CONFIRMED: [
          { guard: 'isDepositConfirmation', target: 'open', actions: 'confirmDeposit' },
        ],
        REVOKE_HASH: [
          { guard: 'revokeHashAcceptable', actions: 'storeRevokeHash' },
          { actions: 'reject' },
        ],
        BLOCK: { actions: ['recordHeight', 'rebroadcastDeposit', 'resendPending'] },
      },
    },
    open: {
      description:
        'Payments flow as cumulative commits; revoke secrets from the payee revoke commits.',
      always: { guard: 'depositExpired', target: 'expiring' },
      on: {
        REVOKE_HASH: [
          { guard: 'revokeHashAcceptable', actions: 'storeRevokeHash' },
          { actions: 'reject' },
        ],
        PAY: [{ guard: 'paymentPossible', actions: 'makePayment' }, { actions: 'reject' }],
        REVOKE_SECRETS: [
          { guard: 'revokeSecretsAcceptable', actions: 'applyRevokeSecrets' },
          { actions: 'reject' },
        ],
        OUTPOINT_SPENT: [
          { guard: 'depositSpentByCommit', target: 'settling', actions: 'recordPublishedCommit' },
        ],
        TX_CONFIRMED: [{ guard: 'isDepositConfirmation', actions: 'confirmDeposit' }],
        BLOCK: { actions: ['recordHeight', 'resendPending'] },
        CLOSE: { actions: 'requestClose' },
      },
    },
    expiring: {
      description: 'The deposit outlived `expire_time` unspent: the payer takes it back.',
      entry: 'broadcastDepositExpire',
      on: {
        OUTPOINT_SPENT: [
          {
            guard: 'depositExpireConfirmed',
            target: 'expireConfirming',
            actions: ['recordSpendConfirmation', DEPOSIT_FINAL_SPEND],
          },
          { guard: 'depositSpentByCommit', target: 'settling', actions: 'recordPublishedCommit' },
          { actions: 'recordSpendConfirmation' },
        ],
        REVOKE_SECRETS: [
          { guard: 'revokeSecretsAcceptable', actions: 'applyRevokeSecrets' },
          { actions: 'reject' },
        ],
        BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
      },
    },
    expireConfirming: {
      description:
        'The expire of the deposit is confirmed; waiting for `finalityDepth` confirmations (a reorganisation sends it back).',
      always: { guard: { type: 'spendFinal', params: { label: 'deposit' } }, target: 'expired' },
      on: {
        OUTPOINT_SPENT: [
          {
            guard: 'depositExpireConfirmed',
            actions: ['recordSpendConfirmation', DEPOSIT_FINAL_SPEND],
          },
          {
            guard: 'depositSpentByCommit',
            target: 'settling',
            actions: [
              { type: 'forgetFinalSpend', params: { label: 'deposit' } },
              'recordPublishedCommit',
            ],
          },
          {
            guard: { type: 'spendWithdrawn', params: { label: 'deposit' } },
            target: 'expiring',
            actions: [
              'recordSpendConfirmation',
              { type: 'forgetFinalSpend', params: { label: 'deposit' } },
            ],
          },
        ],
        OUTPOINT_UNSPENT: {
          guard: { type: 'spendWithdrawn', params: { label: 'deposit' } },
          target: 'expiring',
          actions: { type: 'forgetFinalSpend', params: { label: 'deposit' } },
        },
      },
    },
    settling: {
      description:
        'A commit was published: the payer watches its output and recovers the remainder.',
      type: 'parallel',
      onDone: { target: 'settled' },
      states: {
        commitOutput: {
          initial: 'deciding',
          states: {
            deciding: {
              always: [
                { guard: 'publishedCommitRevoked', target: 'revoking' },
                { target: 'awaitingPayout' },
              ],
            },
            awaitingPayout: {
              description:
                "An unrevoked commit: its output is the payee's; its payout reveals the spend secret.",
              always: [
                { guard: 'publishedCommitRevoked', target: 'revoking' },
                { guard: 'remainderSettled', target: 'done' },
              ],
              on: {
                OUTPOINT_SPENT: [
                  { guard: 'commitOutputPaidOut', target: 'done', actions: 'recordSpendSecret' },
                  { actions: 'recordSpendConfirmation' },
                ],
                REVOKE_SECRETS: [
                  { guard: 'revokeSecretsAcceptable', actions: 'applyRevokeSecrets' },
                  { actions: 'reject' },
                ],
              },
            },
            revoking: {
              description:
                'A revoked commit was published: the payer takes its output with the revoke secret, outbidding by fee a payout that reaches the mempool first.',
              entry: 'broadcastRevoke',
              always: { guard: 'revokeUneconomic', target: 'done' },
              on: {
                OUTPOINT_SPENT: [
                  {
                    guard: 'revokeConfirmed',
                    target: 'revokeConfirming',
                    actions: ['recordSpendConfirmation', COMMIT_OUTPUT_FINAL_SPEND],
                  },
                  {
                    guard: 'payoutConfirmed',
                    target: 'payoutConfirming',
                    actions: ['recordSpendSecret', COMMIT_OUTPUT_FINAL_SPEND],
                  },
                  { guard: 'payoutPending', actions: ['recordSpendSecret', 'outbidPayout'] },
                  { actions: 'recordSpendConfirmation' },
                ],
                BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
              },
            },
            revokeConfirming: {
              description:
                'The revoke is confirmed; waiting for `finalityDepth` confirmations (a reorganisation sends it back).',
              always: COMMIT_OUTPUT_SETTLED,
              on: {
                OUTPOINT_SPENT: [
                  {
                    guard: 'revokeConfirmed',
                    actions: ['recordSpendConfirmation', COMMIT_OUTPUT_FINAL_SPEND],
                  },
                  {
                    guard: 'payoutConfirmed',
                    target: 'payoutConfirming',
                    actions: [
                      COMMIT_OUTPUT_FORGET_FINAL,
                      'recordSpendSecret',
                      COMMIT_OUTPUT_FINAL_SPEND,
                    ],
                  },
                  {
                    guard: 'payoutPending',
                    target: 'revoking',
                    actions: [COMMIT_OUTPUT_FORGET_FINAL, 'recordSpendSecret', 'outbidPayout'],
                  },
                  {
                    guard: { type: 'spendWithdrawn', params: { label: 'commit-output' } },
                    target: 'revoking',
                    actions: ['recordSpendConfirmation', COMMIT_OUTPUT_FORGET_FINAL],
                  },
                ],
                OUTPOINT_UNSPENT: COMMIT_OUTPUT_REOPENED,
              },
            },
            payoutConfirming: {
              description:
                'A payout of the revoked commit confirmed before the revoke: only `finalityDepth` confirmations settle it; a reorganisation sends the payer back to revoking.',
              always: COMMIT_OUTPUT_SETTLED,
              on: {
                OUTPOINT_SPENT: [
                  {
                    guard: 'revokeConfirmed',
                    target: 'revokeConfirming',
                    actions: [
                      COMMIT_OUTPUT_FORGET_FINAL,
                      'recordSpendConfirmation',
                      COMMIT_OUTPUT_FINAL_SPEND,
                    ],
                  },
                  { guard: 'payoutConfirmed', actions: COMMIT_OUTPUT_FINAL_SPEND },
                  {
                    guard: 'payoutPending',
                    target: 'revoking',
                    actions: [COMMIT_OUTPUT_FORGET_FINAL, 'outbidPayout'],
                  },
                  COMMIT_OUTPUT_REOPENED,
                ],
                OUTPOINT_UNSPENT: COMMIT_OUTPUT_REOPENED,
              },
            },
            done: { type: 'final' },
          },
        },
        remainder: {
          initial: 'deciding',
          states: {
            deciding: {
              always: [{ guard: 'noRecoverableRemainder', target: 'done' }, { target: 'waiting' }],
            },
            waiting: {
              description: 'Waiting for the spend secret (change) or for `expire_time` (expire).',
              always: [
                { guard: 'spendSecretKnown', target: 'recovering', actions: 'broadcastChange' },
                {
                  guard: 'remainderExpired',
                  target: 'recovering',
                  actions: 'broadcastRemainderExpire',
                },
              ],
              on: {
                BLOCK: { actions: 'recordHeight' },
                OUTPOINT_SPENT: { actions: 'recordSpendConfirmation' },
              },
            },
            recovering: {
              description:
                'The change or expire of the remainder is published; waiting for it to confirm.',
              on: {
                OUTPOINT_SPENT: [
                  {
                    guard: 'remainderRecovered',
                    target: 'recoveryConfirming',
                    actions: ['recordSpendConfirmation', REMAINDER_FINAL_SPEND],
                  },
                  { actions: 'recordSpendConfirmation' },
                ],
                BLOCK: { actions: ['recordHeight', 'rebroadcast'] },
              },
            },
            recoveryConfirming: {
              description:
                'The change or expire of the remainder is confirmed; waiting for `finalityDepth` confirmations.',
              always: {
                guard: { type: 'spendFinal', params: { label: 'remainder' } },
                target: 'done',
              },
              on: {
                OUTPOINT_SPENT: [
                  {
                    guard: 'remainderRecovered',
                    actions: ['recordSpendConfirmation', REMAINDER_FINAL_SPEND],
                  },
                  {
                    guard: { type: 'spendWithdrawn', params: { label: 'remainder' } },
                    target: 'recovering',
                    actions: [
                      'recordSpendConfirmation',
                      { type: 'forgetFinalSpend', params: { label: 'remainder' } },
                    ],
                  },
                ],
                OUTPOINT_UNSPENT: {
                  guard: { type: 'spendWithdrawn', params: { label: 'remainder' } },
                  target: 'recovering',
                  actions: { type: 'forgetFinalSpend', params: { label: 'remainder' } },
                },
              },
            },
            done: { type: 'final' },
          },
        },
      },
    },
    settled: {
      type: 'final',
      description: 'A commit settled the channel and the payer recovered what is its own.',
      entry: { type: 'finish', params: { outcome: 'settled' } },
    },
    expired: {
      type: 'final',
      description: 'The payer took the whole deposit back after `expire_time`.',
      entry: { type: 'finish', params: { outcome: 'expired' } },
    },
    aborted: {
      type: 'final',
      description: 'The channel was given up before the deposit was funded.',
      entry: { type: 'finish', params: { outcome: 'aborted' } },
    },
  },
});
