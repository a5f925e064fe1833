import type { ChannelMessage } from '../messages/schema.js';
import type { HistoryWrite } from './history.js';

/** An output reference in JSON form: txid (hex, display order) and output index. */
export interface OutpointRef {
  readonly txid: string;
  readonly vout: number;
}

/** What a broadcast transaction is for. */
export type TransactionLabel = 'deposit' | 'commit' | 'payout' | 'revoke' | 'change' | 'expire';

/**
 * Effects: what a machine asks its embedder to do, as data. The machines never do I/O; the
 * runtime (or any embedder) carries effects out in the order they were emitted.
 */
export type Effect =
  /** Store the machine's persisted snapshot now; always precedes a message that commits the sender. */
  | { readonly type: 'persist' }
  /**
   * Store these history records (see `history.ts`), each under its own key, before going on.
   * Records a snapshot needs are written before that snapshot's `persist`.
   */
  | { readonly type: 'history'; readonly writes: readonly HistoryWrite[] }
  /** Deliver a message to the counterparty. */
  | { readonly type: 'send'; readonly message: ChannelMessage }
  /** Submit a transaction to the network (again, when it is already known: harmless). */
  | {
      readonly type: 'broadcast';
      readonly label: TransactionLabel;
      readonly txid: string;
      readonly rawTx: string;
    }
  /** Report spends of this output (`OUTPOINT_SPENT`) from now on. */
  | { readonly type: 'watch-outpoint'; readonly label: string; readonly outpoint: OutpointRef }
  /** Report when this transaction confirms (`TX_CONFIRMED`). */
  | { readonly type: 'watch-transaction'; readonly label: string; readonly txid: string }
  /**
   * Payer only: fund `amount` satoshis to P2SH(deposit script) from the wallet, then send
   * `DEPOSIT_PUBLISHED`. In asset mode the deposit also sends `asset.quantity` units of
   * `asset.asset` to that address (a classic send from the wallet's asset address).
   */
  | {
      readonly type: 'fund-deposit';
      readonly depositScript: string;
      readonly amount: string;
      readonly asset?: { readonly asset: string; readonly quantity: string };
    }
  /** An event was refused; the machine's state is unchanged. */
  | {
      readonly type: 'rejected';
      readonly event: string;
      readonly code: string;
      readonly reason: string;
    }
  /** The channel reached a final state; `failure` says why when it ended on an error. */
  | {
      readonly type: 'finished';
      readonly outcome: string;
      readonly failure?: { readonly code: string; readonly reason: string };
    };

/** The `type` of every effect. */
export type EffectType = Effect['type'];
