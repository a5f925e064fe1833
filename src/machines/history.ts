import { base64urlnopad } from '@scure/base';
import { hexToBytes } from '../bytes.js';
import type { Hex } from './context.js';

/**
 * Channel history: the commits a machine no longer keeps in its context.
 *
 * A channel carries very many payments, and each one is a new commit. The context (and so the
 * snapshot written at every step) holds only the newest {@link HISTORY_WINDOW} commits; older ones
 * are written once as history records, each under its own key, and read back only when an event
 * needs them (a deep revoke-until, a revoke secret for an old commit, an old commit seen on chain).
 *
 * Records are keyed by what identifies them for good, never by position, so a record is never
 * overwritten with something else: a snapshot restored from any earlier point still finds the
 * records it refers to, and a record written by a step that then failed is harmless.
 *
 * - `cb/<HASH160 of the commit script, base64url>`: a payer commit ({@link PayerHistoryCommit});
 * - `ab/<HASH160 of the commit script, base64url>`: a payee commit, active or given back
 *   ({@link PayeeHistoryCommit}).
 *
 * The commit script is a function of the revoke hash and the channel's terms, so a commit is
 * found from its revoke hash (a revoke secret, a `below` link) and from its P2SH output on chain
 * (an old commit published) under the same key, and one record per commit suffices.
 *
 * Channels stored before named the script hash in hex, and before that kept their commits under
 * keys of the revoke hash and indexed their scripts; those records are still read (the lookups
 * try them, in this order, when the newer key holds nothing):
 *
 * - `cs/<HASH160 of the commit script, hex>`: a payer commit; `as/<…>`: a payee commit;
 * - `c/<revoke hash>`: a payer commit; `a/<revoke hash>`: a payee commit;
 * - `s/<P2SH output script>`: the revoke hash of the commit paying that script
 *   ({@link ScriptIndexEntry}).
 *
 * @module
 */

/** Commits kept in the context; older ones live in the history records. */
export const HISTORY_WINDOW = 4;

/** A payer commit as a history record (its transaction is not needed again: never resent). */
export interface PayerHistoryCommit {
  readonly kind: 'payer-commit';
  readonly amount: string;
  readonly commitScript: Hex;
  readonly revokeSecretHash: Hex;
  readonly revokeSecret: Hex | null;
  /** Revoke hash of the highest commit still unrevoked when this one was signed. */
  readonly below: Hex | null;
}

/** A payee commit as a history record: active (with its transaction) or given back (without). */
export type PayeeHistoryCommit =
  | {
      readonly kind: 'payee-active';
      readonly amount: string;
      readonly commitScript: Hex;
      readonly revokeSecretHash: Hex;
      readonly revokeSecret: Hex;
      readonly rawTx: Hex;
      /** Revoke hash of the active commit below this one on the stack. */
      readonly below: Hex | null;
    }
  | {
      readonly kind: 'payee-revoked';
      readonly amount: string;
      readonly commitScript: Hex;
      readonly revokeSecretHash: Hex;
      readonly revokeSecret: Hex;
    };

/** Which commit pays a P2SH output script. */
export interface ScriptIndexEntry {
  readonly kind: 'script-index';
  readonly revokeSecretHash: Hex;
}

/** Any history record. */
export type HistoryRecord = PayerHistoryCommit | PayeeHistoryCommit | ScriptIndexEntry;

/**
 * History records loaded for one event, by key; `null` where the store holds no record. An event
 * carries them as `history`, so the guards and actions that read them stay pure.
 */
export type LoadedHistory = { readonly [key: string]: HistoryRecord | null };

/** One record to write, as a `history` effect lists them. */
export interface HistoryWrite {
  readonly key: string;
  readonly record: HistoryRecord;
}

/** The base64url form of a script hash (hex) in a key: 27 characters instead of 40. */
export const scriptHashId = (scriptHash: Hex): string =>
  base64urlnopad.encode(hexToBytes(scriptHash));

/** Key of the payer commit whose commit script hashes (HASH160, hex) to `scriptHash`. */
export const payerScriptKey = (scriptHash: Hex): string => `cb/${scriptHashId(scriptHash)}`;

/** Key of the payee commit whose commit script hashes (HASH160, hex) to `scriptHash`. */
export const payeeScriptKey = (scriptHash: Hex): string => `ab/${scriptHashId(scriptHash)}`;

/** Key of that payer commit in channels stored before `cb/` keys. */
export const payerHexScriptKey = (scriptHash: Hex): string => `cs/${scriptHash}`;

/** Key of that payee commit in channels stored before `ab/` keys. */
export const payeeHexScriptKey = (scriptHash: Hex): string => `as/${scriptHash}`;

/** Key of the payer commit with revoke hash `hash` in channels stored before `cs/` keys. */
export const payerCommitKey = (hash: Hex): string => `c/${hash}`;

/** Key of the payee commit with revoke hash `hash` in channels stored before `as/` keys. */
export const payeeCommitKey = (hash: Hex): string => `a/${hash}`;

/** Key of the index entry for the commit paying P2SH output script `script` (channels stored before). */
export const scriptIndexKey = (script: Hex): string => `s/${script}`;

/** The script hash of a P2SH output script (hex), or null for another kind of script. */
export function p2shScriptHash(outputScript: Hex): Hex | null {
  return /^a914[0-9a-f]{40}87$/.test(outputScript) ? outputScript.slice(4, 44) : null;
}

/** The history an event carries (none when the embedder attached nothing). */
export function historyOf(event: object): LoadedHistory {
  const history = (event as { history?: unknown }).history;
  return history && typeof history === 'object' ? (history as LoadedHistory) : {};
}
