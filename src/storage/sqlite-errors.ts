import { StoreError } from './errors.js';

/** better-sqlite3 reports SQLite result codes by name in `code`, e.g. `SQLITE_BUSY_SNAPSHOT`. */
function sqliteCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/** Maps a driver failure to a {@link StoreError}; typed errors pass through unchanged. */
export function fromSqliteError(error: unknown, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${doing}: ${code ?? 'error'}: ${detail}`;
  if (code === null) {
    // The driver throws a TypeError once its connection is closed.
    if (error instanceof TypeError && /not open/i.test(detail))
      return new StoreError('STORE_CLOSED', message, error);
    return new StoreError('STORE_IO', message, error);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new StoreError('STORE_LOCKED', message, error);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return new StoreError('STORE_CORRUPT', message, error);
  if (code === 'SQLITE_TOOBIG') return new StoreError('STORE_INVALID_VALUE', message, error);
  return new StoreError('STORE_IO', message, error);
}
