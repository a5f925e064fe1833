import { bytesToHex, hexToBytes } from '../bytes.js';
import { parseAmount } from '../messages/amount.js';
import { hash160 } from '../scripts/hash.js';
import { commitScriptHash } from './commit-keys.js';
import type { Hex, PayeeCommitRecord, PayeeContext, PayeeRevokedRecord } from './context.js';
import {
  HISTORY_WINDOW,
  type HistoryRecord,
  type HistoryWrite,
  type LoadedHistory,
  type PayeeHistoryCommit,
  p2shScriptHash,
  payeeCommitKey,
  payeeHexScriptKey,
  payeeScriptKey,
  scriptIndexKey,
} from './history.js';
import { firstOutputScript, p2shHex } from './payer-history.js';

/**
 * The payee's side of the channel history (see `history.ts`). The payee's active commits form a
 * stack ascending by amount: the top {@link HISTORY_WINDOW} are in the context, and each lower one
 * is a record linked to the one below it, from `activeTop` down. Revoke-until walks the stack from
 * the top, so only a deep give-back reads records, and only as deep as it goes.
 *
 * @module
 */

/** An active commit read from history, with its link to the one below. */
export type PayeeHistoryActive = Extract<PayeeHistoryCommit, { kind: 'payee-active' }>;

/** The lower active commits an event has loaded: from `activeTop` down, and whether that suffices. */
export interface LoadedActiveChain {
  /** Loaded records, highest first, contiguous from `activeTop`. */
  readonly records: readonly PayeeHistoryActive[];
  /** False when a record on the way is missing, or is not what the context says it is. */
  readonly consistent: boolean;
}

/**
 * The history records the payee needs for `event` and has not loaded yet (empty when it has all
 * it needs). Called again with what was loaded until it asks for nothing more.
 */
export function payeeHistoryKeys(
  context: PayeeContext,
  event: { type: string } & Record<string, unknown>,
  history: LoadedHistory,
): string[] {
  if (context.activeDepth === 0) return [];
  switch (event.type) {
    case 'REVOKE_UNTIL': {
      let quantity: bigint;
      try {
        quantity = parseAmount(String(event.amount));
      } catch {
        return [];
      }
      // Only a give-back below every commit in the context reaches into history.
      const lowest = context.activeCommits[0];
      if (lowest && parseAmount(lowest.amount) <= quantity) return [];
      const next = walkActive(context, history, quantity).next;
      return next === null ? [] : [next];
    }
    case 'OUTPOINT_SPENT': {
      const { deposit } = context;
      const outpoint = event.outpoint as { txid?: unknown; vout?: unknown } | undefined;
      if (!deposit || outpoint?.txid !== deposit.txid || outpoint?.vout !== deposit.vout) return [];
      const script = typeof event.rawTx === 'string' ? firstOutputScript(event.rawTx) : null;
      if (!script || hotCommitByScript(context, script)) return [];
      const scriptHash = p2shScriptHash(script);
      if (scriptHash === null) return [];
      for (const own of [payeeScriptKey(scriptHash), payeeHexScriptKey(scriptHash)]) {
        if (!(own in history)) return [own];
        if (history[own] !== null) return [];
      }
      const entry = history[scriptIndexKey(script)];
      if (entry === undefined) return [scriptIndexKey(script)];
      if (entry?.kind !== 'script-index') return [];
      const key = payeeCommitKey(entry.revokeSecretHash);
      return key in history ? [] : [key];
    }
    default:
      return [];
  }
}

/**
 * The record of the payee commit with revoke hash `hash` as loaded: under its `ab/` key, else
 * (that key holding nothing) under the keys channels stored before used, `as/` then `a/`. `next`
 * names the key still to load, if any.
 */
function loadedPayeeCommit(
  context: PayeeContext,
  history: LoadedHistory,
  hash: Hex,
): { record: HistoryRecord | null; next: string | null } {
  const scriptHash = commitScriptHash(context, hash);
  const keys =
    scriptHash === null
      ? [payeeCommitKey(hash)]
      : [payeeScriptKey(scriptHash), payeeHexScriptKey(scriptHash), payeeCommitKey(hash)];
  for (const key of keys) {
    if (!(key in history)) return { record: null, next: key };
    if (history[key] !== null) return { record: history[key]!, next: null };
  }
  return { record: null, next: null };
}

/**
 * The active commits below the context down to the first at or under `quantity` (inclusive), as
 * loaded, and the key of the next record the walk needs (null when it needs none).
 */
function walkActive(
  context: PayeeContext,
  history: LoadedHistory,
  quantity: bigint,
): { chain: LoadedActiveChain; next: string | null } {
  const records: PayeeHistoryActive[] = [];
  let hash = context.activeTop;
  while (hash !== null && records.length < context.activeDepth) {
    const { record, next } = loadedPayeeCommit(context, history, hash);
    if (next !== null) return { chain: { records, consistent: false }, next };
    if (record?.kind !== 'payee-active' || record.revokeSecretHash !== hash)
      return { chain: { records, consistent: false }, next: null };
    records.push(record);
    if (parseAmount(record.amount) <= quantity) break;
    hash = record.below;
  }
  // The walk stops at the first commit at or under the quantity, or at the bottom of the stack.
  const last = records[records.length - 1];
  const reachedBottom = records.length === context.activeDepth && (!last || last.below === null);
  const reachedQuantity = last !== undefined && parseAmount(last.amount) <= quantity;
  return { chain: { records, consistent: reachedBottom || reachedQuantity }, next: null };
}

/**
 * Every active commit revoke-until(`quantity`) may look at, ascending by amount: the loaded lower
 * ones, then the context's. `consistent` is false when history it needs is missing.
 */
export function activeCommitsFor(
  context: PayeeContext,
  history: LoadedHistory,
  quantity: bigint,
): { commits: PayeeCommitRecord[]; loaded: readonly PayeeHistoryActive[]; consistent: boolean } {
  const lowest = context.activeCommits[0];
  if (context.activeDepth === 0 || (lowest && parseAmount(lowest.amount) <= quantity))
    return { commits: [...context.activeCommits], loaded: [], consistent: true };
  const { chain } = walkActive(context, history, quantity);
  const lower = [...chain.records].reverse().map(toCommitRecord);
  return {
    commits: [...lower, ...context.activeCommits],
    loaded: chain.records,
    consistent: chain.consistent,
  };
}

/** The context fields and history writes after accepting a commit onto the stack. */
export function pushActiveCommit(
  context: PayeeContext,
  commit: PayeeCommitRecord,
): {
  fields: Pick<PayeeContext, 'activeCommits' | 'activeTop' | 'activeDepth'>;
  writes: HistoryWrite[];
} {
  const stack = [...context.activeCommits, commit];
  if (stack.length <= HISTORY_WINDOW)
    return {
      fields: {
        activeCommits: stack,
        activeTop: context.activeTop,
        activeDepth: context.activeDepth,
      },
      writes: [],
    };
  const spilled = stack[0]!;
  const record: PayeeHistoryActive = {
    kind: 'payee-active',
    amount: spilled.amount,
    commitScript: spilled.commitScript,
    revokeSecretHash: spilled.revokeSecretHash,
    revokeSecret: spilled.revokeSecret,
    rawTx: spilled.rawTx,
    below: context.activeTop,
  };
  return {
    fields: {
      activeCommits: stack.slice(1),
      activeTop: spilled.revokeSecretHash,
      activeDepth: context.activeDepth + 1,
    },
    writes: [{ key: scriptKeyOf(spilled.commitScript), record }],
  };
}

/**
 * The context fields after revoke-until gave `revoked` back (highest first) and kept `kept` (ascending, as
 * `revokeUntil` returns them over {@link activeCommitsFor}), and the records that forget the
 * transactions of revoked commits that were in history.
 */
export function popActiveCommits(
  context: PayeeContext,
  loaded: readonly PayeeHistoryActive[],
  revoked: readonly PayeeCommitRecord[],
  kept: readonly PayeeCommitRecord[],
  history: LoadedHistory = {},
): {
  fields: Pick<
    PayeeContext,
    'activeCommits' | 'activeTop' | 'activeDepth' | 'revokedCommits' | 'revokedDepth'
  >;
  tombstones: HistoryWrite[];
} {
  const loadedHashes = new Set(loaded.map((r) => r.revokeSecretHash));
  const activeCommits = kept.slice(-HISTORY_WINDOW);
  // Kept commits below the new window stay in history: all of them were loaded records.
  const stayingLoaded = kept.slice(0, kept.length - activeCommits.length);
  const returned = activeCommits.filter((c) => loadedHashes.has(c.revokeSecretHash)).length;
  const revokedLoaded = revoked.filter((c) => loadedHashes.has(c.revokeSecretHash));
  const lowestLoaded = loaded[loaded.length - 1];
  const activeTop =
    stayingLoaded.length > 0
      ? stayingLoaded[stayingLoaded.length - 1]!.revokeSecretHash
      : lowestLoaded
        ? lowestLoaded.below
        : context.activeTop;
  const given: PayeeRevokedRecord[] = [
    ...context.revokedCommits,
    ...revoked.map(({ amount, commitScript, revokeSecret }) => ({
      amount,
      commitScript,
      revokeSecret,
    })),
  ];
  const revokedCommits = given.slice(-HISTORY_WINDOW);
  return {
    fields: {
      activeCommits,
      activeTop,
      activeDepth: context.activeDepth - returned - revokedLoaded.length,
      revokedCommits,
      revokedDepth: context.revokedDepth + given.length - revokedCommits.length,
    },
    // A revoked commit must never be published by us: its transaction is forgotten on disk too,
    // under the key it was read from and under its own.
    tombstones: revokedLoaded.flatMap((c) => {
      const record: PayeeHistoryCommit = {
        kind: 'payee-revoked',
        amount: c.amount,
        commitScript: c.commitScript,
        revokeSecretHash: c.revokeSecretHash,
        revokeSecret: c.revokeSecret,
      };
      const scriptHash = bytesToHex(hash160(hexToBytes(c.commitScript)));
      const keys = [payeeScriptKey(scriptHash)];
      for (const older of [payeeHexScriptKey(scriptHash), payeeCommitKey(c.revokeSecretHash)])
        if (history[older]?.kind === 'payee-active') keys.push(older);
      return keys.map((key) => ({ key, record }));
    }),
  };
}

/** The `ab/` key of a payee commit with commit script `commitScript` (hex). */
function scriptKeyOf(commitScript: Hex): string {
  return payeeScriptKey(bytesToHex(hash160(hexToBytes(commitScript))));
}

/** The payee's active commit paying P2SH output script `script` (hex): context first, then history. */
export function activeCommitByScript(
  context: PayeeContext,
  history: LoadedHistory,
  script: Hex,
): { commitScript: Hex; amount: string } | null {
  const hot = hotCommitByScript(context, script);
  if (hot) return hot;
  const scriptHash = p2shScriptHash(script);
  const keys =
    scriptHash === null ? [] : [payeeScriptKey(scriptHash), payeeHexScriptKey(scriptHash)];
  for (const key of keys) {
    const own = history[key];
    if (own?.kind === 'payee-active' && p2shHex(own.commitScript) === script)
      return { commitScript: own.commitScript, amount: own.amount };
  }
  const entry = history[scriptIndexKey(script)];
  if (entry?.kind !== 'script-index') return null;
  const record = history[payeeCommitKey(entry.revokeSecretHash)];
  return record?.kind === 'payee-active' && p2shHex(record.commitScript) === script
    ? { commitScript: record.commitScript, amount: record.amount }
    : null;
}

function hotCommitByScript(context: PayeeContext, script: Hex) {
  const known = context.published
    ? [context.published, ...context.activeCommits]
    : context.activeCommits;
  return known.find((c) => p2shHex(c.commitScript) === script) ?? null;
}

function toCommitRecord(record: PayeeHistoryActive): PayeeCommitRecord {
  const { amount, commitScript, revokeSecretHash, revokeSecret, rawTx } = record;
  return { amount, commitScript, revokeSecretHash, revokeSecret, rawTx };
}
