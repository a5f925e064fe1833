import { bytesToHex, hexToBytes } from '../bytes.js';
import type { PayeeContext, PayerContext } from '../machines/context.js';
import type { TransactionLabel } from '../machines/effects.js';
import { parseAmount } from '../messages/amount.js';
import type { PayeeChannel, PayerChannel } from '../runtime/channels.js';
import { decodeTransaction } from '../transactions/raw-transaction.js';
import type { ManagerEvent } from './events.js';

/** A channel end of either role. */
export type AnyChannel = PayerChannel | PayeeChannel;

/** States before the deposit is confirmed and agreed, for both roles. */
const FUNDING_STATES = new Set([
  'offering',
  'awaitingFunding',
  'awaitingConfirmation',
  'awaitingOffer',
  'funding',
]);

/** The payer's transactions that return funds to its destination. */
const PAYER_RECOVERIES: readonly TransactionLabel[] = ['revoke', 'change', 'expire'];

/** A confirmed transaction paying the channel end's destination. */
interface Recovery {
  readonly label: TransactionLabel;
  readonly txid: string;
  readonly rawTx: string;
  readonly height: number;
}

function recoveriesOf(channel: AnyChannel): Recovery[] {
  const context = channel.context;
  if (context.role === 'payee') {
    const payout = (context as PayeeContext).payout;
    if (payout?.confirmedHeight == null) return [];
    return [
      { label: 'payout', txid: payout.txid, rawTx: payout.rawTx, height: payout.confirmedHeight },
    ];
  }
  const found: Recovery[] = [];
  for (const label of PAYER_RECOVERIES) {
    const record = (context as PayerContext).broadcasts[label];
    if (record?.confirmedHeight == null) continue;
    found.push({ label, txid: record.txid, rawTx: record.rawTx, height: record.confirmedHeight });
  }
  return found;
}

/** Sum of the outputs of `rawTx` paying `script` (both hex). */
function paidTo(rawTx: string, script: string): bigint {
  let sum = 0n;
  for (const output of decodeTransaction(hexToBytes(rawTx)).outputs) {
    if (bytesToHex(output.script) === script) sum += output.value;
  }
  return sum;
}

/**
 * The commits known to be accepted: how many so far, and the newest of them, in the order they
 * were accepted. A payee accepted every commit it ever held; a payer knows the payee accepted
 * its latest commit once the next revoke hash arrived. The count only grows, so that commits
 * coming back into the context from history are never announced twice.
 */
function acceptedCommits(channel: AnyChannel): { count: number; newest: { amount: string }[] } {
  const context = channel.context;
  if (context.role === 'payee') {
    const payee = context as PayeeContext;
    return {
      count:
        payee.activeCommits.length +
        payee.activeDepth +
        payee.revokedCommits.length +
        payee.revokedDepth,
      newest: [...payee.activeCommits],
    };
  }
  const payer = context as PayerContext;
  const unanswered = payer.nextRevokeHash === null && payer.commits.length > 0 ? 1 : 0;
  return {
    count: payer.commits.length + payer.historyCommits - unanswered,
    newest: payer.commits.slice(0, payer.commits.length - unanswered),
  };
}

/**
 * Turns what changed in one channel since the last look into manager events. The first look
 * (at open or restore) only records the baseline, so a restart repeats no event.
 */
export class ChannelObserver {
  private transferred: bigint;
  private opened: boolean;
  private closing: boolean;
  private closed: boolean;
  private accepted: number;
  private readonly recovered: Set<string>;
  private rejections: number;
  private broadcastFailures: number;
  /** Set from the `finished` effect: why the channel ended, when on an error. */
  failure: { readonly code: string; readonly reason: string } | undefined;

  constructor(private readonly channel: AnyChannel) {
    const status = channel.status();
    this.transferred = status.transferred;
    this.opened = channel.context.deposit?.confirmedHeight != null;
    this.closed = channel.done;
    this.closing = this.closed || (status.state !== 'open' && !FUNDING_STATES.has(status.state));
    this.accepted = acceptedCommits(channel).count;
    this.recovered = new Set(recoveriesOf(channel).map((r) => r.txid));
    this.rejections = channel.runtime.rejections.length;
    this.broadcastFailures = channel.runtime.broadcastFailures.length;
  }

  /** The events for everything that changed since the last call. */
  changes(): ManagerEvent[] {
    const { channel } = this;
    const context = channel.context;
    const base = { channelId: context.channelId, role: context.role } as const;
    const events: ManagerEvent[] = [];
    const { runtime } = channel;
    for (const r of runtime.rejections.slice(this.rejections))
      events.push({ ...base, type: 'rejection', event: r.event, code: r.code, reason: r.reason });
    this.rejections = runtime.rejections.length;
    for (const f of runtime.broadcastFailures.slice(this.broadcastFailures))
      events.push({
        ...base,
        type: 'broadcast-refused',
        label: f.label,
        txid: f.txid,
        code: f.code,
      });
    this.broadcastFailures = runtime.broadcastFailures.length;

    const status = channel.status();
    const deposit = context.deposit;
    if (!this.opened && deposit?.confirmedHeight != null) {
      this.opened = true;
      events.push({
        ...base,
        type: 'channel-opened',
        depositValue: parseAmount(deposit.value),
        depositTxid: deposit.txid,
        height: deposit.confirmedHeight,
      });
    }
    const accepted = acceptedCommits(channel);
    // New commits are the newest accepted (a payee's go on top of its stack).
    const fresh = accepted.newest.slice(
      Math.max(0, accepted.newest.length - (accepted.count - this.accepted)),
    );
    if (accepted.count > this.accepted)
      for (const commit of fresh)
        events.push({ ...base, type: 'commit-accepted', amount: parseAmount(commit.amount) });
    this.accepted = Math.max(this.accepted, accepted.count);
    if (status.transferred > this.transferred && context.role === 'payee')
      events.push({
        ...base,
        type: 'payment-received',
        amount: status.transferred - this.transferred,
        transferred: status.transferred,
      });
    if (status.transferred < this.transferred)
      events.push({
        ...base,
        type: 'value-returned',
        amount: this.transferred - status.transferred,
        transferred: status.transferred,
      });
    this.transferred = status.transferred;

    const done = channel.done;
    if (!this.closing && !done && status.state !== 'open' && !FUNDING_STATES.has(status.state)) {
      this.closing = true;
      events.push({
        ...base,
        type: 'channel-closing',
        state: status.state,
        transferred: status.transferred,
      });
    }
    for (const recovery of recoveriesOf(channel)) {
      if (this.recovered.has(recovery.txid)) continue;
      this.recovered.add(recovery.txid);
      events.push({
        ...base,
        type: 'funds-recovered',
        label: recovery.label,
        txid: recovery.txid,
        amount: paidTo(recovery.rawTx, context.destinationScript),
        height: recovery.height,
      });
    }
    if (!this.closed && done) {
      this.closed = true;
      this.closing = true;
      events.push({
        ...base,
        type: 'channel-closed',
        outcome: status.outcome,
        transferred: status.transferred,
        ...(this.failure ? { failure: this.failure } : {}),
      });
    }
    return events;
  }
}
