import type { ChannelOutcome } from '../machines/context.js';
import type { TransactionLabel } from '../machines/effects.js';

/** Which end of a channel this manager holds. */
export type ChannelRole = 'payer' | 'payee';

/** Fields every event carries. */
interface EventBase {
  readonly channelId: string;
  readonly role: ChannelRole;
}

/** The deposit confirmed and both ends agree on it: payments may flow. */
export interface ChannelOpenedEvent extends EventBase {
  readonly type: 'channel-opened';
  /** Value locked in the deposit, satoshis. */
  readonly depositValue: bigint;
  readonly depositTxid: string;
  /** Height of the block that confirmed the deposit. */
  readonly height: number;
}

/** Payee: the value it holds grew by `amount` (a new commit for `transferred`). */
export interface PaymentReceivedEvent extends EventBase {
  readonly type: 'payment-received';
  /** Increase, satoshis. */
  readonly amount: bigint;
  /** The cumulative amount now held, satoshis. */
  readonly transferred: bigint;
}

/**
 * A commit for the cumulative `amount` was accepted: the payee emits it when it accepts one,
 * the payer when the payee's answer (the next revoke hash) arrives.
 */
export interface CommitAcceptedEvent extends EventBase {
  readonly type: 'commit-accepted';
  /** The commit's cumulative amount, satoshis. */
  readonly amount: bigint;
}

/** Either end: the cumulative amount fell by `amount` (the payee gave value back). */
export interface ValueReturnedEvent extends EventBase {
  readonly type: 'value-returned';
  readonly amount: bigint;
  readonly transferred: bigint;
}

/** The channel left `open` (or its funding states) towards a close: a commit, an expiry. */
export interface ChannelClosingEvent extends EventBase {
  readonly type: 'channel-closing';
  /** The state it entered, e.g. `closing` or `settling.awaitingCommitConfirmation`. */
  readonly state: string;
  /** The cumulative amount at that moment, satoshis. */
  readonly transferred: bigint;
}

/** The channel reached a final state. */
export interface ChannelClosedEvent extends EventBase {
  readonly type: 'channel-closed';
  readonly outcome: ChannelOutcome | null;
  /** The cumulative amount at the end, satoshis. */
  readonly transferred: bigint;
  /** Why, when the channel ended on an error. */
  readonly failure?: { readonly code: string; readonly reason: string };
}

/** A transaction paying this end's destination script confirmed. */
export interface FundsRecoveredEvent extends EventBase {
  readonly type: 'funds-recovered';
  /** `payout` (payee), `revoke`, `change` or `expire` (payer). */
  readonly label: TransactionLabel;
  readonly txid: string;
  /** Sum of the transaction's outputs paying the destination script, satoshis. */
  readonly amount: bigint;
  /** Height of the confirming block. */
  readonly height: number;
}

/** The channel refused a message or a command; its state is unchanged. */
export interface RejectionEvent extends EventBase {
  readonly type: 'rejection';
  /** The refused event, e.g. `COMMIT`, `PAY`, `FUNDING_FAILED`. */
  readonly event: string;
  readonly code: string;
  readonly reason: string;
}

/** The chain refused one of the channel's transactions (the machine decides what next). */
export interface BroadcastRefusedEvent extends EventBase {
  readonly type: 'broadcast-refused';
  readonly label: string;
  readonly txid: string;
  readonly code: string;
}

/**
 * A single-signer spend (payout, revoke, change, expire) that had not confirmed in time was
 * re-signed at a higher fee rate and offered to the network, replacing the earlier version.
 */
export interface FeeBumpedEvent extends EventBase {
  readonly type: 'fee-bumped';
  readonly label: 'payout' | 'revoke' | 'change' | 'expire';
  /** Txid of the version replaced. */
  readonly replaced: string;
  /** Txid of the new version. */
  readonly txid: string;
  /** Its fee rate, sat/vB, and fee, satoshis. */
  readonly feeRate: number;
  readonly fee: bigint;
  /** Tip height when it was offered. */
  readonly height: number;
}

/** Where a {@link ChannelErrorEvent} happened. */
export type ChannelErrorPhase =
  | 'sync'
  | 'receive'
  | 'command'
  | 'open'
  | 'watch'
  | 'restore'
  | 'fee-bump';

/**
 * A channel's step failed (`ChannelIoError`, `ChannelFaultError`, or a `ManagerError`); the
 * channel is back at its last durable state and is synced again at the next block.
 */
export interface ChannelErrorEvent extends EventBase {
  readonly type: 'channel-error';
  readonly phase: ChannelErrorPhase;
  readonly error: Error;
}

/** Every event a {@link ChannelManager} emits. */
export type ManagerEvent =
  | ChannelOpenedEvent
  | PaymentReceivedEvent
  | CommitAcceptedEvent
  | ValueReturnedEvent
  | ChannelClosingEvent
  | ChannelClosedEvent
  | FundsRecoveredEvent
  | RejectionEvent
  | BroadcastRefusedEvent
  | FeeBumpedEvent
  | ChannelErrorEvent;

/** The `type` of every manager event. */
export type ManagerEventType = ManagerEvent['type'];

/** The event of one type. */
export type ManagerEventOf<T extends ManagerEventType> = Extract<ManagerEvent, { type: T }>;
