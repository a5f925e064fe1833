import type { NetworkName } from '../scripts/networks.js';
import type { OutpointRef } from './effects.js';

/**
 * Machine context is plain JSON so that snapshots round-trip exactly: bytes are lower-case hex
 * strings and satoshi amounts are decimal strings (see `parseAmount` / `formatAmount`).
 */
export type Hex = string;
/** A satoshi amount as a decimal string. */
export type AmountText = string;

/** An inclusive range of relative times (blocks). */
export interface TimeRange {
  readonly min: number;
  readonly max: number;
}

/** The channel's deposit output as both parties track it. */
export interface DepositRecord {
  readonly txid: string;
  readonly vout: number;
  readonly value: AmountText;
  /** Height of the block that confirmed the deposit; null while unconfirmed. */
  readonly confirmedHeight: number | null;
}

/**
 * The Counterparty asset of an asset-mode channel. Commit amounts, capacity and give-backs are
 * then counted in units of the asset; BTC only pays fees and keeps an output at each channel
 * address for the next step (see `AssetTerms`).
 */
export interface ChannelAsset {
  /** Counterparty asset name, never BTC. */
  readonly asset: string;
  /** Asset units the deposit locks: the channel's capacity. */
  readonly quantity: AmountText;
  /**
   * BTC of every commit output, satoshis: it pays the payee's payout or the payer's revoke of
   * the asset. Chosen by the payer at the deposit, at least what the payee's offer asks.
   */
  readonly commitValue: AmountText;
  /** Payer only: the most BTC per commit output it accepts to put up (goes to the payee with a payout). */
  readonly maxCommitValue?: AmountText;
}

/** A transaction this party broadcast, kept to re-broadcast until it confirms. */
export interface BroadcastRecord {
  readonly txid: string;
  readonly rawTx: Hex;
  readonly confirmedHeight: number | null;
}

/** Outputs and transactions the embedder reports on (`OUTPOINT_SPENT`, `TX_CONFIRMED`). */
export interface Watches {
  readonly outpoints: readonly { readonly label: string; readonly outpoint: OutpointRef }[];
  readonly txids: readonly { readonly label: string; readonly txid: string }[];
}

/** A commit the payer signed. */
export interface PayerCommitRecord {
  readonly amount: AmountText;
  readonly commitScript: Hex;
  readonly revokeSecretHash: Hex;
  /** The payer-signed transaction (payee slot holds the placeholder). */
  readonly rawTx: Hex;
  /** Set once the payee revealed the revoke secret: the commit is revoked. */
  readonly revokeSecret: Hex | null;
  /** Revoke hash of the highest commit still unrevoked when this one was signed. */
  readonly below: Hex | null;
}

/** A commit transaction seen on chain, spending the deposit. */
export interface PublishedCommit {
  readonly txid: string;
  readonly commitScript: Hex;
  /** What the commit transfers: its output's value, or in asset mode its asset units. */
  readonly amount: AmountText;
  /** Asset mode: the BTC of the commit output, which its revoke spends. */
  readonly value?: AmountText;
  readonly confirmedHeight: number | null;
  /** The remainder output back to P2SH(deposit script), if the commit has one. */
  readonly remainder: { readonly vout: number; readonly value: AmountText } | null;
  readonly revokeSecretHash: Hex;
  /** The commit's revoke secret, once the payee gave it back. */
  readonly revokeSecret: Hex | null;
}

/** A settling spend of a watched output seen confirmed, awaiting the finality depth. */
export interface FinalSpend {
  readonly confirmedHeight: number;
}

/** Settling spends awaiting finality, by the label of the watched output they spend. */
export type FinalSpends = { readonly [outpointLabel: string]: FinalSpend };

/** How a channel ended, from one party's point of view. */
export type ChannelOutcome =
  | 'aborted'
  | 'timed-out'
  | 'expired'
  | 'settled'
  | 'paid-out'
  | 'nothing-to-claim'
  | 'revoked-by-payer'
  | 'expired-by-payer';

/** Everything the payer machine knows; JSON. */
export interface PayerContext {
  readonly role: 'payer';
  readonly channelId: string;
  readonly network: NetworkName;
  readonly payerPrivateKey: Hex;
  readonly payerPubkey: Hex;
  /**
   * Value of the deposit output, satoshis. In asset mode the BTC carried alongside the asset,
   * fixed from the channel's BTC budget when the offer is accepted ('0' before).
   */
  readonly depositAmount: AmountText;
  /** Asset mode: the asset the deposit locks (the commit value is set with the offer). */
  readonly asset?: ChannelAsset;
  /** Fee rate (sat/vB) of the payer's transactions; also the highest floor it accepts from a payee. */
  readonly feeRate: number;
  /** Where recovered funds (revoke, change, expire) go. */
  readonly destinationScript: Hex;
  /** The payer's preferred times, moved into the payee's accepted ranges. */
  readonly preferredExpireTime: number;
  readonly preferredDelayTime: number;
  /** The shortest payout delay the payer accepts in an offer. */
  readonly minDelayTime: number;
  /** The longest deposit expiry the payer accepts in an offer. */
  readonly maxExpireTime: number;
  readonly payeePubkey: Hex | null;
  readonly spendSecretHash: Hex | null;
  readonly expireTime: number | null;
  readonly delayTime: number | null;
  readonly depositScript: Hex | null;
  readonly deposit: DepositRecord | null;
  /** The payee's outstanding revoke secret hash for the next commit. */
  readonly nextRevokeHash: Hex | null;
  /** The newest commits signed (at most `HISTORY_WINDOW`), oldest first; older ones are history records. */
  readonly commits: readonly PayerCommitRecord[];
  /** How many older commits live only in the history records. */
  readonly historyCommits: number;
  /** Revoke hash of the highest unrevoked commit (in `commits` or in history). */
  readonly topUnrevoked: Hex | null;
  /** The amount of that commit: what the payee holds (0 when none). */
  readonly transferred: AmountText;
  readonly published: PublishedCommit | null;
  /** Learned from the payee's payout; lets the payer take the remainder. */
  readonly spendSecret: Hex | null;
  readonly broadcasts: { readonly [label: string]: BroadcastRecord };
  readonly height: number;
  readonly watches: Watches;
  /** Confirmations after which a settling spend counts as final (a reorg shallower is followed). */
  readonly finalityDepth: number;
  readonly finalSpends: FinalSpends;
  readonly outcome: ChannelOutcome | null;
}

/** A commit the payee accepted and may still publish. */
export interface PayeeCommitRecord {
  readonly amount: AmountText;
  readonly commitScript: Hex;
  readonly revokeSecretHash: Hex;
  readonly revokeSecret: Hex;
  /** The payer-signed transaction; the payee completes it only when publishing. */
  readonly rawTx: Hex;
}

/** A commit the payee gave back: the transaction is forgotten so it can never be published. */
export interface PayeeRevokedRecord {
  readonly amount: AmountText;
  readonly commitScript: Hex;
  readonly revokeSecret: Hex;
}

/** A revoke secret issued to the payer (by its hash) and not yet used by a commit. */
export interface RequestedRevoke {
  readonly hash: Hex;
  readonly secret: Hex;
}

/** Everything the payee machine knows; JSON. */
export interface PayeeContext {
  readonly role: 'payee';
  readonly channelId: string;
  readonly network: NetworkName;
  readonly payeePrivateKey: Hex;
  readonly payeePubkey: Hex;
  /**
   * Asset mode: the asset the payee offers to be paid in; `quantity` and `commitValue` are
   * '0' until the payer's deposit announces them.
   */
  readonly asset?: ChannelAsset;
  readonly spendSecret: Hex;
  readonly spendSecretHash: Hex;
  /** Seed from which revoke secrets are derived (HMAC), so the machine itself draws no randomness. */
  readonly revokeSeed: Hex;
  readonly revokeCounter: number;
  readonly expireTimeRange: TimeRange;
  readonly delayTimeRange: TimeRange;
  /** Fee-rate floor (sat/vB) for commits. */
  readonly minFeeRate: number;
  /** Fee rate (sat/vB) of the payee's payout. */
  readonly feeRate: number;
  /** Close when fewer than this many blocks are left before the deposit expires. */
  readonly clearance: number;
  /** Where the payout goes. */
  readonly destinationScript: Hex;
  /** Blocks after `offerHeight` that the payee waits for a confirmed deposit before giving up. */
  readonly fundingTimeout: number;
  /** Height at which the offer was made. */
  readonly offerHeight: number;
  readonly payerPubkey: Hex | null;
  readonly depositScript: Hex | null;
  readonly expireTime: number | null;
  readonly delayTime: number | null;
  readonly deposit: DepositRecord | null;
  readonly requestedRevokes: readonly RequestedRevoke[];
  /** The highest accepted commits (at most `HISTORY_WINDOW`), ascending by amount; lower ones are history records. */
  readonly activeCommits: readonly PayeeCommitRecord[];
  /** Revoke hash of the highest active commit in history (just below `activeCommits`). */
  readonly activeTop: Hex | null;
  /** How many active commits live only in the history records. */
  readonly activeDepth: number;
  /** The commits given back most recently (at most `HISTORY_WINDOW`); all are also history records. */
  readonly revokedCommits: readonly PayeeRevokedRecord[];
  /** How many commits given back live only in the history records. */
  readonly revokedDepth: number;
  /** Revoke secrets sent and not yet acknowledged by the payer: sent again at every block. */
  readonly unackedRevokeSecrets: readonly Hex[];
  /** The commit the payee published when closing. */
  readonly published:
    | (BroadcastRecord & { readonly commitScript: Hex; readonly amount: AmountText })
    | null;
  readonly payout: BroadcastRecord | null;
  readonly height: number;
  readonly watches: Watches;
  /** Confirmations after which a settling spend counts as final (a reorg shallower is followed). */
  readonly finalityDepth: number;
  readonly finalSpends: FinalSpends;
  readonly outcome: ChannelOutcome | null;
}

/** No watches yet. */
export const NO_WATCHES: Watches = { outpoints: [], txids: [] };
