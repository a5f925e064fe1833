import type { StoreWrite } from '../runtime/store.js';
import { encodeKey } from './encoding.js';
import { StoreError } from './errors.js';
import type { LogWrite } from './log-store.js';
import type { ValueCodec } from './value-codec.js';

/** One write as both SQL backends carry it out inside a batch transaction. */
export type WriteOperation = SingleOperation | GroupOperation;

/**
 * Writes carried out together or not at all (a savepoint inside the batch's transaction): one
 * member refused refuses the group, and undoes the members before it.
 */
export interface GroupOperation {
  readonly kind: 'group';
  readonly operations: readonly SingleOperation[];
}

/** The keys an operation writes, each once. */
export function keysOf(op: WriteOperation): Buffer[] {
  if (op.kind !== 'group') return [op.key];
  const seen = new Map<string, Buffer>();
  for (const member of op.operations) seen.set(member.key.toString('utf8'), member.key);
  return [...seen.values()];
}

/** A write of one key. */
export type SingleOperation =
  | {
      readonly kind: 'save';
      readonly key: Buffer;
      readonly stored: Buffer;
      readonly digest: Buffer;
    }
  | {
      readonly kind: 'append';
      readonly key: Buffer;
      readonly seq: number;
      readonly stored: Buffer;
      readonly digest: Buffer;
    }
  | {
      readonly kind: 'compact';
      readonly key: Buffer;
      readonly throughSeq: number;
      readonly stored: Buffer;
      readonly digest: Buffer;
    }
  | {
      /** Removes the key's snapshot, its log records and its log head. */
      readonly kind: 'delete';
      readonly key: Buffer;
    };

/** Digest tags, so that a snapshot row can never pass for a log record or the reverse. */
export const SNAPSHOT_TAG = 'picopayments/snapshot/v1';
/** See {@link SNAPSHOT_TAG}. */
export const RECORD_TAG = 'picopayments/record/v1';

/** Throws `STORE_CONFLICT` unless `seq` is a positive safe integer. */
export function checkSeq(seq: unknown, name: string): number {
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
    throw new StoreError('STORE_CONFLICT', `${name} must be a non-negative safe integer`);
  return seq;
}

/** The refusal of an append that is not the next position of the log. */
export function appendConflict(seq: number, head: number): StoreError {
  return new StoreError('STORE_CONFLICT', `append of record ${seq}, but the log is at ${head}`);
}

/** The refusal of a compaction outside the log. */
export function compactConflict(through: number, base: number, head: number): StoreError {
  return new StoreError(
    'STORE_CONFLICT',
    `compaction through ${through}, but the log holds records ${base + 1}..${head}`,
  );
}

/**
 * The operation that carries out `write` in either SQL backend: its key encoded and checked, its
 * value encoded (sealed when the store is encrypted) under a digest bound to key and position.
 *
 * @throws {@link StoreError} for a bad key, value or position (nothing is queued).
 */
export function encodeWrite(write: LogWrite, codec: ValueCodec): SingleOperation {
  if (typeof write !== 'object' || write === null)
    throw new StoreError('STORE_INVALID_VALUE', 'a write must be an object');
  const key = encodeKey(write.key);
  switch (write.kind) {
    case 'save':
      return { kind: 'save', key, ...codec.encodeSnapshot(key, write.snapshot) };
    case 'append': {
      const seq = checkSeq(write.seq, 'seq');
      if (seq === 0) throw new StoreError('STORE_CONFLICT', 'records are numbered from 1');
      return { kind: 'append', key, seq, ...codec.encodeRecord(key, seq, write.data) };
    }
    case 'compact':
      return {
        kind: 'compact',
        key,
        throughSeq: checkSeq(write.throughSeq, 'throughSeq'),
        ...codec.encodeSnapshot(key, write.snapshot),
      };
    default:
      throw new StoreError(
        'STORE_INVALID_VALUE',
        `unknown write kind ${JSON.stringify((write as { kind?: unknown }).kind)}`,
      );
  }
}

/**
 * The group that carries out `writes` atomically, or null when there is nothing to write.
 *
 * @throws {@link StoreError} `STORE_INVALID_VALUE` when `writes` is not an array, or any error
 *   of {@link encodeWrite}.
 */
export function encodeGroup(writes: readonly LogWrite[], codec: ValueCodec): GroupOperation | null {
  if (!Array.isArray(writes))
    throw new StoreError('STORE_INVALID_VALUE', 'writes must be an array');
  if (writes.length === 0) return null;
  return { kind: 'group', operations: writes.map((w) => encodeWrite(w, codec)) };
}

/** The saves of `writes` as log writes. */
export function savesOf(writes: readonly StoreWrite[]): LogWrite[] {
  if (!Array.isArray(writes))
    throw new StoreError('STORE_INVALID_VALUE', 'writes must be an array');
  return writes.map((w) => ({ kind: 'save', key: w?.key, snapshot: w?.snapshot }) as LogWrite);
}
