import { StoreError } from './errors.js';

/** One write as both SQL backends carry it out inside a batch transaction. */
export type WriteOperation =
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
