import { bytesToHex, hexToBytes } from '../bytes.js';
import { hash160 } from '../scripts/hash.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { decodeTransaction } from '../transactions/raw-transaction.js';
import { commitScriptHash } from './commit-keys.js';
import type { Hex, PayerCommitRecord, PayerContext } from './context.js';
import {
  HISTORY_WINDOW,
  type HistoryWrite,
  type LoadedHistory,
  type PayerHistoryCommit,
  p2shScriptHash,
  payerCommitKey,
  payerHexScriptKey,
  payerScriptKey,
  scriptIndexKey,
} from './history.js';

/**
 * The payer's side of the channel history (see `history.ts`): which records an event needs, and
 * how the payer's commits move from the context into history records.
 *
 * @module
 */

/** A payer commit wherever it lives: in the context (with its transaction) or in history. */
export type PayerCommitView = Omit<PayerCommitRecord, 'rawTx'> & { readonly rawTx?: Hex };

/**
 * The keys the payer commit with revoke hash `hash` may be stored under, newest form first: its
 * `cb/` key, the `cs/` key and the `c/` key of channels stored before (the first two once the
 * terms are known).
 */
function payerKeysOf(context: PayerContext, hash: Hex): string[] {
  const scriptHash = commitScriptHash(context, hash);
  const legacy = payerCommitKey(hash);
  return scriptHash === null
    ? [legacy]
    : [payerScriptKey(scriptHash), payerHexScriptKey(scriptHash), legacy];
}

/** The payer commit with revoke hash `hash`: from the context, else from the loaded history. */
export function findPayerCommit(
  context: PayerContext,
  history: LoadedHistory,
  hash: Hex,
): PayerCommitView | null {
  const hot = context.commits.find((c) => c.revokeSecretHash === hash);
  if (hot) return hot;
  for (const k of payerKeysOf(context, hash)) {
    const record = history[k];
    if (record?.kind === 'payer-commit' && record.revokeSecretHash === hash) return record;
  }
  return null;
}

/**
 * The keys to load to find the commit with revoke hash `hash`: its `cb/` key, then (when that
 * holds nothing) the keys channels stored before used, one at a time. Empty once found or all
 * were loaded.
 */
function keysFor(context: PayerContext, history: LoadedHistory, hash: Hex): string[] {
  for (const key of payerKeysOf(context, hash)) {
    if (!(key in history)) return [key];
    if (history[key] !== null) return [];
  }
  return [];
}

/** The payer commit paying P2SH output script `script` (hex): context first, then history. */
export function findPayerCommitByScript(
  context: PayerContext,
  history: LoadedHistory,
  script: Hex,
): PayerCommitView | null {
  const hot = context.commits.find((c) => p2shHex(c.commitScript) === script);
  if (hot) return hot;
  const scriptHash = p2shScriptHash(script);
  const keys =
    scriptHash === null ? [] : [payerScriptKey(scriptHash), payerHexScriptKey(scriptHash)];
  for (const key of keys) {
    const record = history[key];
    if (record?.kind === 'payer-commit' && p2shHex(record.commitScript) === script) return record;
  }
  const entry = history[scriptIndexKey(script)];
  if (entry?.kind !== 'script-index') return null;
  const commit = findPayerCommit(context, history, entry.revokeSecretHash);
  return commit && p2shHex(commit.commitScript) === script ? commit : null;
}

/** HASH160 of each revoke secret, hex, in order. */
export function revokeHashes(secrets: readonly Hex[]): Hex[] {
  return secrets.map((s) => bytesToHex(hash160(hexToBytes(s))));
}

/** The commits a batch of revoke secrets revokes (unrevoked ones only), by revoke hash. */
export function matchPayerSecrets(
  context: PayerContext,
  history: LoadedHistory,
  secrets: readonly Hex[],
): Map<Hex, string> {
  const matched = new Map<Hex, string>();
  const hashes = revokeHashes(secrets);
  hashes.forEach((hash, i) => {
    const commit = findPayerCommit(context, history, hash);
    if (commit && commit.revokeSecret === null) matched.set(hash, secrets[i]!);
  });
  return matched;
}

/**
 * The highest commit still unrevoked once `revoked` (revoke hashes) are revoked: down the chain of
 * `below` links from the current top. `undefined` when a record on the way is not loaded.
 */
export function newTopUnrevoked(
  context: PayerContext,
  history: LoadedHistory,
  revoked: ReadonlySet<Hex>,
): { hash: Hex; amount: string } | null | undefined {
  const walk = walkToTop(context, history, revoked);
  return walk.missing === null ? walk.top : undefined;
}

/**
 * Walks the `below` links from the current top to the highest commit not revoked: that commit
 * (null when none is left), or the revoke hash of the first commit on the way that is not loaded.
 */
function walkToTop(
  context: PayerContext,
  history: LoadedHistory,
  revoked: ReadonlySet<Hex>,
): { top: { hash: Hex; amount: string } | null; missing: Hex | null } {
  let hash = context.topUnrevoked;
  // Each link goes to a commit signed earlier, so no walk is longer than the commits signed.
  for (let steps = 0; hash !== null; steps++) {
    const commit = findPayerCommit(context, history, hash);
    if (!commit || steps > context.commits.length + context.historyCommits)
      return { top: null, missing: hash };
    if (commit.revokeSecret === null && !revoked.has(hash))
      return { top: { hash, amount: commit.amount }, missing: null };
    hash = commit.below;
  }
  return { top: null, missing: null };
}

/** The first output script (hex) of a raw transaction, or null when it does not decode. */
export function firstOutputScript(rawTx: Hex): Hex | null {
  try {
    const first = decodeTransaction(hexToBytes(rawTx)).outputs[0];
    return first ? bytesToHex(first.script) : null;
  } catch {
    return null;
  }
}

/**
 * The history records the payer needs for `event` and has not loaded yet (empty when it has all
 * it needs). Called again with what was loaded until it asks for nothing more.
 */
export function payerHistoryKeys(
  context: PayerContext,
  event: { type: string } & Record<string, unknown>,
  history: LoadedHistory,
): string[] {
  if (context.historyCommits === 0) return [];
  const missing = (keys: readonly string[]) => keys.filter((k) => !(k in history));
  switch (event.type) {
    case 'REVOKE_HASH': {
      const hash = (event.message as { revokeSecretHash?: unknown })?.revokeSecretHash;
      if (typeof hash !== 'string' || context.commits.some((c) => c.revokeSecretHash === hash))
        return [];
      // A reused hash is refused only once every place it could be was looked at.
      return missing(payerKeysOf(context, hash));
    }
    case 'REVOKE_SECRETS': {
      const secrets = (event.message as { secrets?: unknown })?.secrets;
      if (!Array.isArray(secrets) || !secrets.every(isSecretHex)) return [];
      const hashes = revokeHashes(secrets);
      const first = hashes
        .filter((h) => !context.commits.some((c) => c.revokeSecretHash === h))
        .flatMap((h) => keysFor(context, history, h));
      if (first.length > 0) return first;
      const matched = new Set(matchPayerSecrets(context, history, secrets).keys());
      const { missing: next } = walkToTop(context, history, matched);
      return next === null ? [] : keysFor(context, history, next);
    }
    case 'OUTPOINT_SPENT': {
      const { deposit } = context;
      const outpoint = event.outpoint as { txid?: unknown; vout?: unknown } | undefined;
      if (!deposit || outpoint?.txid !== deposit.txid || outpoint?.vout !== deposit.vout) return [];
      const script = typeof event.rawTx === 'string' ? firstOutputScript(event.rawTx) : null;
      if (!script || context.commits.some((c) => p2shHex(c.commitScript) === script)) return [];
      const scriptHash = p2shScriptHash(script);
      if (scriptHash === null) return [];
      for (const key of [payerScriptKey(scriptHash), payerHexScriptKey(scriptHash)]) {
        if (!(key in history)) return [key];
        if (history[key] !== null) return [];
      }
      const entry = history[scriptIndexKey(script)];
      if (entry === undefined) return [scriptIndexKey(script)];
      return entry?.kind === 'script-index'
        ? missing([payerCommitKey(entry.revokeSecretHash)])
        : [];
    }
    default:
      return [];
  }
}

/**
 * Moves the oldest commits beyond {@link HISTORY_WINDOW} out of the context: the records to
 * write (commit and script index) and the context fields to assign.
 */
export function spillPayerCommits(
  commits: readonly PayerCommitRecord[],
  historyCommits: number,
): {
  commits: PayerCommitRecord[];
  historyCommits: number;
  writes: HistoryWrite[];
} {
  const excess = Math.max(0, commits.length - HISTORY_WINDOW);
  const writes: HistoryWrite[] = [];
  for (const commit of commits.slice(0, excess)) writes.push(payerCommitWrite(commit));
  return { commits: commits.slice(excess), historyCommits: historyCommits + excess, writes };
}

/**
 * The history record of one payer commit (written again when its revoke secret arrives), under
 * the key of its commit script: found from its revoke hash and from its output on chain alike.
 */
export function payerCommitWrite(commit: PayerCommitView): HistoryWrite {
  const record: PayerHistoryCommit = {
    kind: 'payer-commit',
    amount: commit.amount,
    commitScript: commit.commitScript,
    revokeSecretHash: commit.revokeSecretHash,
    revokeSecret: commit.revokeSecret,
    below: commit.below,
  };
  const scriptHash = bytesToHex(hash160(hexToBytes(commit.commitScript)));
  return { key: payerScriptKey(scriptHash), record };
}

/** P2SH output script (hex) of a redeem script (hex). */
export function p2shHex(redeemScript: Hex): Hex {
  return bytesToHex(p2shOutputScript(hexToBytes(redeemScript)));
}

function isSecretHex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}
