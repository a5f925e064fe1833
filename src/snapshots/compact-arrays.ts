import { SnapshotError } from './errors.js';

/**
 * The compact commit records of version 4 snapshots and of history records as arrays: the
 * fields in a fixed order instead of by name, and amounts as JSON numbers where they are safe
 * integers. Records are most of what a payment writes, and their member names were a fifth of
 * it. Every other value is as `compact-commits.ts` and `history-codec.ts` have it; reading turns
 * the arrays back into those objects before the schema and the rebuild check them.
 *
 * - payer commit `[a, h, b]`, or `[a, h, b, s]` once its revoke secret is known;
 * - payee commit `[a, i, f, g]`; payee commit given back `[a, i]`;
 * - history records: the same with their kind first (`["c", a, h, b]`, `["c", a, h, b, s]`,
 *   `["a", a, i, f, g, b]`, `["r", a, i]`); a script index entry stays an object.
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

/** A compact payee commit as an array (a whole record as it is). */
export function payeeCommitArray(entry: unknown): unknown {
  return isCompact(entry, 'g') ? [packAmount(entry.a), entry.i, entry.f, entry.g] : entry;
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

/** A payee commit from either form, as the object of `compact-commits.ts`. */
export function payeeCommitObject(entry: unknown, path: string): unknown {
  if (!Array.isArray(entry)) return entry;
  arity(entry, [4], path);
  const [a, i, f, g] = entry;
  return { a: unpackAmount(a), i, f, g };
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
      const fields = ['c', packAmount(r.a), r.h, r.b];
      return r.s === undefined ? fields : [...fields, r.s];
    }
    case 'a':
      return ['a', packAmount(r.a), r.i, r.f, r.g, r.b];
    case 'r':
      return ['r', packAmount(r.a), r.i];
    default:
      return record;
  }
}

/** A history record from either form, compact ones as the objects of `history-codec.ts`. */
export function historyObject(record: unknown, path: string): unknown {
  if (!Array.isArray(record)) return record;
  const [k, ...fields] = record;
  if (k === 'c') {
    arity(record, [4, 5], path);
    const [a, h, b, s] = fields;
    return fields.length === 4
      ? { k, a: unpackAmount(a), h, s, b }
      : { k, a: unpackAmount(a), h, b };
  }
  if (k === 'a') {
    arity(record, [6], path);
    const [a, i, f, g, b] = fields;
    return { k, a: unpackAmount(a), i, f, g, b };
  }
  if (k === 'r') {
    arity(record, [3], path);
    const [a, i] = fields;
    return { k, a: unpackAmount(a), i };
  }
  throw new SnapshotError('SNAPSHOT_SCHEMA', 'unknown kind of compact record', path);
}
