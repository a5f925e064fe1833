import { PicopaymentsError } from '../errors.js';

/** Codes of refusals that are decided by channel state rather than by a lower layer. */
export type ChannelRejectionCode =
  /** The message is for another channel. */
  | 'WRONG_CHANNEL'
  /** The event is not expected in the machine's current state. */
  | 'UNEXPECTED_EVENT'
  /** The payee's offer is on another network, has empty ranges or asks a fee floor above the payer's rate. */
  | 'OFFER_UNACCEPTABLE'
  /** The deposit script is not for this payee, spend secret or accepted times. */
  | 'DEPOSIT_UNACCEPTABLE'
  /** A second deposit was announced for a channel that already has one. */
  | 'DEPOSIT_REUSED'
  /** The deposit transaction does not pay what was announced. */
  | 'DEPOSIT_MISMATCH'
  /** The deposit is not confirmed yet. */
  | 'DEPOSIT_UNCONFIRMED'
  /** The payer has no outstanding revoke hash to build a commit with. */
  | 'NO_REVOKE_HASH'
  /** A revoke hash was already used by a commit. */
  | 'REVOKE_HASH_REUSED'
  /** A commit does not raise the transferred amount. */
  | 'AMOUNT_NOT_INCREASING'
  /** An amount is zero, malformed, or beyond what the deposit can carry. */
  | 'AMOUNT_INVALID'
  /** Revoke-until would revoke nothing. */
  | 'NOTHING_TO_REVOKE'
  /** A chain report does not concern this channel's transactions. */
  | 'UNRELATED_TRANSACTION';

/** The outcome of a guard: a value to act on, or a typed reason for refusal. */
export type Check<T = true> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/** A passing check. */
export function pass<T>(value: T): Check<T> {
  return { ok: true, value };
}

/** A failing check with a stable code. */
export function fail(code: ChannelRejectionCode | (string & {}), reason: string): Check<never> {
  return { ok: false, code, reason };
}

/**
 * Runs a validator of a lower layer and turns its typed error into a failing check, so that a
 * guard reports the lower layer's own code (e.g. `TX_BAD_SIGNATURE`).
 */
export function attempt<T>(run: () => T): Check<T> {
  try {
    return pass(run());
  } catch (error) {
    if (error instanceof PicopaymentsError) return fail(error.code, error.message);
    throw error;
  }
}
