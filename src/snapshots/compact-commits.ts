import { bytesToHex, hexToBytes } from '../bytes.js';
import type {
  PayeeCommitRecord,
  PayeeContext,
  PayeeRevokedRecord,
  PayerCommitRecord,
  PayerContext,
  RequestedRevoke,
} from '../machines/context.js';
import { deriveRevokeSecret } from '../machines/revoke-secrets.js';
import { formatAmount, parseAmount } from '../messages/amount.js';
import { buildCommitScript } from '../scripts/commit-script.js';
import {
  type CommitFrame,
  commitPartsOf,
  rebuildPayerSignedCommit,
} from '../transactions/commit-rebuild.js';
import { createCommit } from '../transactions/commit-transaction.js';
import { compactSignature, expandSignature } from './compact-signature.js';
import { SnapshotError } from './errors.js';

/**
 * The compact form of commit records, as snapshots (versions 3 and 4) and history records store
 * them (version 4 and history records as arrays of these fields: `compact-arrays.ts`).
 *
 * Most of a commit record can be rebuilt byte-exact from the channel's constants: the commit
 * script from the keys, the spend secret hash, the delay and the revoke hash; the payer's
 * transaction by signing again (RFC 6979 signatures are deterministic); the payee's copy of it
 * from its amount, fee and the payer's signature; the payee's revoke secrets from its revoke
 * seed and their index. A compact record keeps only the rest:
 *
 * - payer commit `{ a: amount, h: revoke hash, s?: revoke secret, b: below }`;
 * - payee commit `{ a: amount, i: revoke secret index, f: fee, g: payer signature as r || s }`;
 * - payee commit given back `{ a: amount, i: revoke secret index }`;
 * - revoke secret issued: its index less the revoke counter.
 *
 * A record is compacted only after its rebuild was checked to give back exactly the record
 * (once per record object: records are immutable); one that does not rebuild is stored whole,
 * in the form of version 2.
 *
 * @module
 */

/** Payer commit in compact form. */
export interface CompactPayerCommit {
  readonly a: string;
  readonly h: string;
  readonly s?: string;
  readonly b: string | null;
}

/** Payee active commit in compact form. */
export interface CompactPayeeCommit {
  readonly a: string;
  readonly i: number;
  readonly f: string;
  readonly g: string;
}

/** Payee commit given back, in compact form. */
export interface CompactPayeeRevoked {
  readonly a: string;
  readonly i: number;
}

/** How far below the revoke counter a secret's index is searched for. */
const INDEX_SEARCH = 64;

const compacted = new WeakMap<object, { readonly frame: string; readonly value: unknown }>();

// Checks by content too: a record copied with another revoke secret, or written again as a
// history record, rebuilds as the one already checked.
const LRU_SIZE = 64;
const byContent = new Map<string, unknown>();

function remembered<T>(key: string, make: () => T): T {
  if (byContent.has(key)) {
    const value = byContent.get(key) as T;
    byContent.delete(key);
    byContent.set(key, value);
    return value;
  }
  const value = make();
  if (byContent.size >= LRU_SIZE) byContent.delete(byContent.keys().next().value!);
  byContent.set(key, value);
  return value;
}

function cached<T>(record: object, frame: string, make: () => T): T {
  const hit = compacted.get(record);
  if (hit && hit.frame === frame) return hit.value as T;
  const value = make();
  compacted.set(record, { frame, value });
  return value;
}

/** The channel constants of a payer, or null before the terms and deposit are known. */
function payerTerms(context: PayerContext) {
  const { payeePubkey, spendSecretHash, delayTime, depositScript, deposit } = context;
  if (!payeePubkey || !spendSecretHash || delayTime === null || !depositScript || !deposit)
    return null;
  return {
    id: `${deposit.txid}:${deposit.vout}:${deposit.value}:${context.feeRate}:${depositScript}`,
    script: (hash: string) =>
      buildCommitScript({
        payerPubkey: hexToBytes(context.payerPubkey),
        payeePubkey: hexToBytes(payeePubkey),
        spendSecretHash: hexToBytes(spendSecretHash),
        revokeSecretHash: hexToBytes(hash),
        delayTime,
      }),
    sign: (commitScript: Uint8Array, amount: string) =>
      createCommit({
        deposit: {
          outpoint: { txid: deposit.txid, vout: deposit.vout },
          value: parseAmount(deposit.value),
        },
        depositScript: hexToBytes(depositScript),
        commitScript,
        amount: parseAmount(amount),
        feeRate: context.feeRate,
        payerPrivateKey: hexToBytes(context.payerPrivateKey),
      }).rawTx,
  };
}

/** The compact form of a payer commit, or the record itself when it does not rebuild. */
export function compactPayerCommit(
  record: PayerCommitRecord,
  context: PayerContext,
): CompactPayerCommit | PayerCommitRecord {
  const terms = payerTerms(context);
  if (!terms) return record;
  return cached(record, terms.id, () => {
    const { amount, revokeSecretHash, commitScript, rawTx } = record;
    const rebuilds = remembered(
      `c|${terms.id}|${amount}|${revokeSecretHash}|${commitScript}|${rawTx}`,
      () => {
        try {
          const script = terms.script(revokeSecretHash);
          return (
            bytesToHex(script) === commitScript && bytesToHex(terms.sign(script, amount)) === rawTx
          );
        } catch {
          return false;
        }
      },
    );
    return rebuilds ? payerCommitFields(record) : record;
  });
}

/** The fields a payer commit keeps in compact form (also those of its history record). */
export function payerCommitFields(record: {
  readonly amount: string;
  readonly revokeSecretHash: string;
  readonly revokeSecret: string | null;
  readonly below: string | null;
}): CompactPayerCommit {
  return record.revokeSecret === null
    ? { a: record.amount, h: record.revokeSecretHash, b: record.below }
    : { a: record.amount, h: record.revokeSecretHash, s: record.revokeSecret, b: record.below };
}

/** The payer commit script of revoke hash `hash` (hex), rebuilt from the payer's terms. */
export function payerCommitScript(context: PayerContext, hash: string, path: string): string {
  const terms = payerTerms(context);
  if (!terms) throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'a commit before the terms', path);
  return guard(path, () => bytesToHex(terms.script(hash)));
}

/**
 * A payer commit record from either form.
 *
 * @throws {@link SnapshotError} `SNAPSHOT_FIELD_INVALID` when the compact form cannot be rebuilt.
 */
export function expandPayerCommit(
  entry: CompactPayerCommit | PayerCommitRecord,
  context: PayerContext,
  path: string,
): PayerCommitRecord {
  if ('rawTx' in entry) return entry;
  const terms = payerTerms(context);
  if (!terms) throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'a commit before the terms', path);
  const record = guard(path, () => {
    const script = terms.script(entry.h);
    return {
      amount: entry.a,
      commitScript: bytesToHex(script),
      revokeSecretHash: entry.h,
      rawTx: bytesToHex(terms.sign(script, entry.a)),
      revokeSecret: entry.s ?? null,
      below: entry.b,
    };
  });
  compacted.set(record, { frame: terms.id, value: entry });
  return record;
}

/** The channel constants of a payee, or null before the deposit is known. */
function payeeTerms(context: PayeeContext) {
  const { payerPubkey, delayTime, depositScript, deposit } = context;
  if (!payerPubkey || delayTime === null || !depositScript || !deposit) return null;
  return {
    id: `${deposit.txid}:${deposit.vout}:${deposit.value}:${depositScript}:${context.revokeSeed}:${payerPubkey}`,
    script: (hash: string) =>
      buildCommitScript({
        payerPubkey: hexToBytes(payerPubkey),
        payeePubkey: hexToBytes(context.payeePubkey),
        spendSecretHash: hexToBytes(context.spendSecretHash),
        revokeSecretHash: hexToBytes(hash),
        delayTime,
      }),
    frame: (commitScript: Uint8Array): CommitFrame => ({
      deposit: {
        outpoint: { txid: deposit.txid, vout: deposit.vout },
        value: parseAmount(deposit.value),
      },
      depositScript: hexToBytes(depositScript),
      commitScript,
    }),
  };
}

/** The index of a revoke secret near the payee's counter, or null when it is not found there. */
export function revokeIndexOf(context: PayeeContext, secret: string): number | null {
  const known = remembered(`i|${context.revokeSeed}|${secret}`, () => {
    const low = Math.max(0, context.revokeCounter - INDEX_SEARCH);
    for (let i = context.revokeCounter - 1; i >= low; i--)
      if (deriveRevokeSecret(context.revokeSeed, i).secret === secret) return i;
    return null;
  });
  // A secret not found is looked for again: the counter moves on.
  if (known === null) byContent.delete(`i|${context.revokeSeed}|${secret}`);
  return known;
}

const hashIndexes = new Map<string, number>();

/** The index of a revoke hash near the payee's counter, or null when it is not found there. */
export function revokeIndexOfHash(context: PayeeContext, hash: string): number | null {
  const key = `${context.revokeSeed}:${hash}`;
  const known = hashIndexes.get(key);
  if (known !== undefined && known < context.revokeCounter) return known;
  const low = Math.max(0, context.revokeCounter - INDEX_SEARCH);
  for (let i = context.revokeCounter - 1; i >= low; i--)
    if (deriveRevokeSecret(context.revokeSeed, i).hash === hash) {
      if (hashIndexes.size >= 1024) hashIndexes.clear();
      hashIndexes.set(key, i);
      return i;
    }
  return null;
}

/**
 * The payee's revoke secret of index `index`.
 *
 * @throws {@link SnapshotError} `SNAPSHOT_SECRET_MISMATCH` for an index not yet derived.
 */
export function revokeSecretAt(
  context: PayeeContext,
  index: number,
  path: string,
): { secret: string; hash: string } {
  if (!Number.isSafeInteger(index) || index < 0 || index >= context.revokeCounter)
    throw new SnapshotError('SNAPSHOT_SECRET_MISMATCH', 'index beyond the revoke counter', path);
  return deriveRevokeSecret(context.revokeSeed, index);
}

/** The compact form of a payee commit, or the record itself when it does not rebuild. */
export function compactPayeeCommit(
  record: PayeeCommitRecord,
  context: PayeeContext,
): CompactPayeeCommit | PayeeCommitRecord {
  const terms = payeeTerms(context);
  if (!terms) return record;
  return cached(record, terms.id, () => {
    const { amount, revokeSecretHash, revokeSecret, commitScript, rawTx } = record;
    const key = `a|${terms.id}|${amount}|${revokeSecretHash}|${revokeSecret}|${commitScript}|${rawTx}`;
    const compact = remembered(key, (): CompactPayeeCommit | null => {
      try {
        const index = revokeIndexOf(context, revokeSecret);
        if (index === null) return null;
        if (deriveRevokeSecret(context.revokeSeed, index).hash !== revokeSecretHash) return null;
        const script = terms.script(revokeSecretHash);
        if (bytesToHex(script) !== commitScript) return null;
        const parts = commitPartsOf(hexToBytes(rawTx), terms.frame(script));
        if (!parts || formatAmount(parts.amount) !== amount) return null;
        const g = compactSignature(parts.payerSignature);
        if (g === null) return null;
        return { a: amount, i: index, f: formatAmount(parts.fee), g };
      } catch {
        return null;
      }
    });
    // Not found near the counter now is not found later either: the counter only grows.
    return compact ?? record;
  });
}

/**
 * A payee commit record from either form.
 *
 * @throws {@link SnapshotError} when the compact form cannot be rebuilt.
 */
export function expandPayeeCommit(
  entry: CompactPayeeCommit | PayeeCommitRecord,
  context: PayeeContext,
  path: string,
): PayeeCommitRecord {
  if ('rawTx' in entry) return entry;
  const terms = payeeTerms(context);
  if (!terms) throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'a commit before the terms', path);
  const { secret, hash } = revokeSecretAt(context, entry.i, `${path}/i`);
  const record = guard(path, () => {
    const script = terms.script(hash);
    const rawTx = rebuildPayerSignedCommit(terms.frame(script), {
      amount: parseAmount(entry.a),
      fee: parseAmount(entry.f),
      payerSignature: expandSignature(entry.g),
    });
    return {
      amount: entry.a,
      commitScript: bytesToHex(script),
      revokeSecretHash: hash,
      revokeSecret: secret,
      rawTx: bytesToHex(rawTx),
    };
  });
  compacted.set(record, { frame: terms.id, value: entry });
  return record;
}

/** The compact form of a payee commit given back, or the record itself. */
export function compactPayeeRevoked(
  record: PayeeRevokedRecord,
  context: PayeeContext,
): CompactPayeeRevoked | PayeeRevokedRecord {
  const terms = payeeTerms(context);
  if (!terms) return record;
  return cached(record, terms.id, () => {
    try {
      const index = revokeIndexOf(context, record.revokeSecret);
      if (index === null) return record;
      const { hash } = deriveRevokeSecret(context.revokeSeed, index);
      if (bytesToHex(terms.script(hash)) !== record.commitScript) return record;
      return { a: record.amount, i: index };
    } catch {
      return record;
    }
  });
}

/** A payee commit given back, from either form. */
export function expandPayeeRevoked(
  entry: CompactPayeeRevoked | PayeeRevokedRecord,
  context: PayeeContext,
  path: string,
): PayeeRevokedRecord {
  if ('revokeSecret' in entry) return entry;
  const terms = payeeTerms(context);
  if (!terms) throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'a commit before the terms', path);
  const { secret, hash } = revokeSecretAt(context, entry.i, `${path}/i`);
  const commitScript = guard(path, () => bytesToHex(terms.script(hash)));
  const record = { amount: entry.a, commitScript, revokeSecret: secret };
  compacted.set(record, { frame: terms.id, value: entry });
  return record;
}

/**
 * A requested revoke secret as its index less the revoke counter (-1 for the newest: the same
 * from one step to the next), or the record itself when it is not derived near the counter.
 */
export function compactRequested(
  record: RequestedRevoke,
  context: PayeeContext,
): number | RequestedRevoke {
  const index = cached(record, context.revokeSeed, () => {
    const found = revokeIndexOf(context, record.secret);
    return found !== null && deriveRevokeSecret(context.revokeSeed, found).hash === record.hash
      ? found
      : null;
  });
  return index === null ? record : index - context.revokeCounter;
}

/** A requested revoke secret from either form. */
export function expandRequested(
  entry: number | RequestedRevoke,
  context: PayeeContext,
  path: string,
): RequestedRevoke {
  if (typeof entry !== 'number') return entry;
  const index = context.revokeCounter + entry;
  const record = revokeSecretAt(context, index, path);
  const requested = { hash: record.hash, secret: record.secret };
  compacted.set(requested, { frame: context.revokeSeed, value: index });
  return requested;
}

function guard<T>(path: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    throw new SnapshotError(
      'SNAPSHOT_FIELD_INVALID',
      `compact record does not rebuild: ${(error as Error).message}`,
      path,
    );
  }
}
