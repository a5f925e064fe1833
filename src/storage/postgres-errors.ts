import { StoreError } from './errors.js';

/** SQLSTATE classes and codes that say something specific about a failed statement. */
function sqlState(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** Maps a `pg` failure to a {@link StoreError}; typed errors pass through unchanged. */
export function fromPostgresError(error: unknown, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const state = sqlState(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${doing}: ${state ?? 'error'}: ${detail}`;
  if (state === null) {
    if (/after calling end on the pool|Client was closed/i.test(detail))
      return new StoreError('STORE_CLOSED', message, error);
    // Connection refused, reset or dropped: the outcome of an interrupted commit is unknown,
    // so it is reported as a failure and never as done.
    return new StoreError('STORE_IO', message, error);
  }
  // 55P03 lock_not_available, 40001 serialization failure, 40P01 deadlock.
  if (state === '55P03' || state === '40001' || state === '40P01')
    return new StoreError('STORE_LOCKED', message, error);
  // XX001 data_corrupted, XX002 index_corrupted.
  if (state === 'XX001' || state === 'XX002')
    return new StoreError('STORE_CORRUPT', message, error);
  // 54000 program_limit_exceeded (e.g. a value beyond what a row can hold).
  if (state === '54000') return new StoreError('STORE_INVALID_VALUE', message, error);
  return new StoreError('STORE_IO', message, error);
}
