import { createHash } from 'node:crypto';

/**
 * The two 31-bit halves of a PostgreSQL advisory lock id for `key` in `schema` (the two-int form
 * of `pg_advisory_lock`). Non-negative, so that `pg_locks.classid/objid` show the same numbers.
 * Two keys sharing an id only ever wait for each other; they never share state.
 */
export function advisoryLockId(purpose: string, schema: string, key: Uint8Array): [number, number] {
  const digest = createHash('sha256')
    .update(`picopayments/${purpose}\0${schema}\0`)
    .update(key)
    .digest();
  return [digest.readUInt32BE(0) & 0x7fffffff, digest.readUInt32BE(4) & 0x7fffffff];
}
