import { SnapshotError } from './errors.js';

/**
 * The compact commit records of version 4 snapshots and of history records as arrays: the
 * fields in a fixed order instead of by name, and amounts as JSON numbers where they are safe
 * integers. Records are most of what a payment writes, and their member names were a fifth of
 * it. Every other value is as `compact-commits.ts` and `history-codec.ts` have it; reading turns
 * the arrays back into those objects before the schema and the rebuild check them.
 *
 * - payer commit `[a, h, b]`, or `[a, h, b, s]` once its revoke secret is known;
 * - payee commit `[a, i, f, g]`, or `[a, f, g]` in a snapshot when its revoke secret index is
 *   the one a channel in step gives it (see {@link expectedRevokeIndex}); payee commit given back
 *   `[a, i]`;
 * - history records: the same, their kind told by their key and their length (`[a, h, b]`,
 *   `[a, h, b, s]` under `cb/`; `[a, i, f, g]`, `[a, i, f, g, b]`, `[a, i]` under `ab/`), the link
 *   `b` of an active payee commit left out when it is -1 (the commit accepted just before); a
 *   script index entry stays an object.
 *
 * A record kept whole (one that did not rebuild) stays an object.
 *
 * @module
 */

type Entry = Record<string, unknown>;

/** An amount as a number when that gives the same digits back, else as it is. */
function packAmount(amount: unknown): unknown {
  if (typeof amount !== 'string') return amount;
  const n = Number(amount);
  return Number.isSafeInteger(n) && String(n) === amount ? n : amount;
}

/** An amount read back: a number is its digits (the schema checks the text). */
function unpackAmount(amount: unknown): unknown {
  return typeof amount === 'number' && Number.isSafeInteger(amount) && amount >= 0
    ? String(amount)
    : amount;
}

const isCompact = (entry: unknown, field: string): entry is Entry =>
  typeof entry === 'object' &&
  entry !== null &&
  !Array.isArray(entry) &&
  !('rawTx' in entry) &&
  !('revokeSecret' in entry) &&
  field in entry;

/** A compact payer commit as an array (a whole record as it is). */
export function payerCommitArray(entry: unknown): unknown {
  if (!isCompact(entry, 'h')) return entry;
  const fields = [packAmount(entry.a), entry.h, entry.b];
  return entry.s === undefined ? fields : [...fields, entry.s];
}

/**
 * The revoke secret index the commit at `position` of a payee's window of `length` has when the
 * channel is in step: commits take the issued secrets in order, the newest issued ones (the
 * `requested` still outstanding) are not used yet, and each commit is one secret after the one
 * before. A payment then moves the window without changing any index this gives.
 */
export function expectedRevokeIndex(
  revokeCounter: number,
  requested: number,
  length: number,
  position: number,
): number {
  return revokeCounter - requested - (length - position);
}

/**
 * A compact payee commit as an array (a whole record as it is), without its revoke secret
 * index when that is `expected`.
 */
export function payeeCommitArray(entry: unknown, expected?: number): unknown {
  if (!isCompact(entry, 'g')) return entry;
  const [a, f] = [packAmount(entry.a), packAmount(entry.f)];
  return entry.i === expected ? [a, f, entry.g] : [a, entry.i, f, entry.g];
}

/** A compact payee commit given back as an array (a whole record as it is). */
export function payeeRevokedArray(entry: unknown): unknown {
  return isCompact(entry, 'i') ? [packAmount(entry.a), entry.i] : entry;
}

function arity(entry: unknown[], lengths: readonly number[], path: string): void {
  if (!lengths.includes(entry.length))
    throw new SnapshotError(
      'SNAPSHOT_SCHEMA',
      `a compact record has ${lengths.join(' or ')} fields, not ${entry.length}`,
      path,
    );
}

/** A payer commit from either form, as the object of `compact-commits.ts`. */
export function payerCommitObject(entry: unknown, path: string): unknown {
  if (!Array.isArray(entry)) return entry;
  arity(entry, [3, 4], path);
  const [a, h, b, s] = entry;
  return entry.length === 4 ? { a: unpackAmount(a), h, s, b } : { a: unpackAmount(a), h, b };
}

/**
 * A payee commit from either form, as the object of `compact-commits.ts`; `expected` is the
 * index a three-field array stands for.
 */
export function payeeCommitObject(entry: unknown, path: string, expected?: number): unknown {
  if (!Array.isArray(entry)) return entry;
  arity(entry, expected === undefined ? [4] : [3, 4], path);
  const [a, i, f, g] = entry.length === 3 ? [entry[0], expected, entry[1], entry[2]] : entry;
  return { a: unpackAmount(a), i, f: unpackAmount(f), g };
}

/** A payee commit given back from either form, as the object of `compact-commits.ts`. */
export function payeeRevokedObject(entry: unknown, path: string): unknown {
  if (!Array.isArray(entry)) return entry;
  arity(entry, [2], path);
  const [a, i] = entry;
  return { a: unpackAmount(a), i };
}

/** A compact history record (`history-codec.ts`) as an array; others as they are. */
export function historyArray(record: unknown): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  const r = record as Entry;
  switch (r.k) {
    case 'c': {
      if (r.h === undefined) return record;
      const fields = [packAmount(r.a), r.h, r.b];
      return r.s === undefined ? fields : [...fields, r.s];
    }
    case 'a': {
      const fields = [packAmount(r.a), r.i, packAmount(r.f), r.g];
      return r.b === -1 ? fields : [...fields, r.b];
    }
    case 'r':
      return [packAmount(r.a), r.i];
    default:
      return record;
  }
}

/**
 * A history record from either form, compact ones as the objects of `history-codec.ts`: the
 * kind of an array is told by its key (`c…/` a payer's, `a…/` a payee's) and its length.
 *
 * @throws {@link SnapshotError} `SNAPSHOT_SCHEMA` for an array of no kind.
 */
export function historyObject(record: unknown, key: string, path: string): unknown {
  if (!Array.isArray(record)) return record;
  if (key.startsWith('c')) {
    arity(record, [3, 4], path);
    const [a, h, b, s] = record;
    return record.length === 4
      ? { k: 'c', a: unpackAmount(a), h, s, b }
      : { k: 'c', a: unpackAmount(a), h, b };
  }
  if (key.startsWith('a')) {
    arity(record, [2, 4, 5], path);
    if (record.length === 2) return { k: 'r', a: unpackAmount(record[0]), i: record[1] };
    const [a, i, f, g, b] = record;
    return {
      k: 'a',
      a: unpackAmount(a),
      i,
      f: unpackAmount(f),
      g,
      b: record.length === 5 ? b : -1,
    };
  }
  throw new SnapshotError('SNAPSHOT_SCHEMA', 'no compact record is stored under this key', path);
}
