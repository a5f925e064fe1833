import type {
  CloseMessage,
  CommitMessage,
  DepositFundedMessage,
  DepositMessage,
  OfferMessage,
  RevokeHashMessage,
  RevokeSecretsAckMessage,
  RevokeSecretsMessage,
} from '../messages/schema.js';
import type { OutpointRef } from './effects.js';

/** A new best block: time in the protocol is block height, never a clock. */
export interface BlockEvent {
  readonly type: 'BLOCK';
  readonly height: number;
}

/** A watched transaction is confirmed (again, after a reorg) at `blockHeight`. */
export interface TxConfirmedEvent {
  readonly type: 'TX_CONFIRMED';
  readonly txid: string;
  readonly rawTx: string;
  readonly blockHeight: number;
}

/** A watched output is spent by `txid`, in the mempool (`blockHeight` null) or in a block. */
export interface OutpointSpentEvent {
  readonly type: 'OUTPOINT_SPENT';
  readonly outpoint: OutpointRef;
  readonly txid: string;
  readonly rawTx: string;
  readonly blockHeight: number | null;
}

/** A watched output reported spent before is unspent again (a reorganisation dropped its spender). */
export interface OutpointUnspentEvent {
  readonly type: 'OUTPOINT_UNSPENT';
  readonly outpoint: OutpointRef;
}

/** Events from the chain, shared by both roles. */
export type ChainEvent = BlockEvent | TxConfirmedEvent | OutpointSpentEvent | OutpointUnspentEvent;

/** Messages from the payee, delivered to the payer machine. */
export type PayerMessageEvent =
  | { readonly type: 'OFFER'; readonly message: OfferMessage }
  | { readonly type: 'REVOKE_HASH'; readonly message: RevokeHashMessage }
  | { readonly type: 'REVOKE_SECRETS'; readonly message: RevokeSecretsMessage }
  | { readonly type: 'CLOSE_NOTICE'; readonly message: CloseMessage };

/** Commands of the payer's user or wallet. */
export type PayerCommandEvent =
  /** Pay `amount` more satoshis (the commit carries the new cumulative total). */
  | { readonly type: 'PAY'; readonly amount: string }
  /** The wallet published the deposit transaction. */
  | {
      readonly type: 'DEPOSIT_PUBLISHED';
      readonly txid: string;
      readonly vout: number;
      readonly rawTx: string;
    }
  /** The wallet could not fund the deposit: `code` is the wallet's or chain's typed error code. */
  | { readonly type: 'FUNDING_FAILED'; readonly code: string; readonly reason: string }
  /** Ask the payee to close the channel. */
  | { readonly type: 'CLOSE' };

/** Every event the payer machine accepts. */
export type PayerEvent = ChainEvent | PayerMessageEvent | PayerCommandEvent;

/** Messages from the payer, delivered to the payee machine. */
export type PayeeMessageEvent =
  | { readonly type: 'DEPOSIT'; readonly message: DepositMessage }
  | { readonly type: 'DEPOSIT_FUNDED'; readonly message: DepositFundedMessage }
  | { readonly type: 'COMMIT'; readonly message: CommitMessage }
  | { readonly type: 'REVOKE_SECRETS_ACK'; readonly message: RevokeSecretsAckMessage }
  | { readonly type: 'CLOSE_NOTICE'; readonly message: CloseMessage };

/** Commands of the payee's user. */
export type PayeeCommandEvent =
  /** Give value back: revoke commits down to `amount` (PROTOCOL.md §6). */
  | { readonly type: 'REVOKE_UNTIL'; readonly amount: string; readonly surpass: boolean }
  /** Close now: publish the best commit (or give up a channel that never opened). */
  | { readonly type: 'CLOSE' };

/** Every event the payee machine accepts. */
export type PayeeEvent = ChainEvent | PayeeMessageEvent | PayeeCommandEvent;

/** The machine event that carries each message type. */
export const MESSAGE_EVENT_TYPES = {
  offer: 'OFFER',
  deposit: 'DEPOSIT',
  'deposit-funded': 'DEPOSIT_FUNDED',
  'revoke-hash': 'REVOKE_HASH',
  commit: 'COMMIT',
  'revoke-secrets': 'REVOKE_SECRETS',
  'revoke-secrets-ack': 'REVOKE_SECRETS_ACK',
  close: 'CLOSE_NOTICE',
} as const;
