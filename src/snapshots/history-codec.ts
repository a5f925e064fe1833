import { TypeCompiler } from '@sinclair/typebox/compiler';
import { bytesToHex, hexToBytes } from '../bytes.js';
import type { HistoryRecord } from '../machines/history.js';
import { hash160 } from '../scripts/hash.js';
import { SnapshotError } from './errors.js';
import { HistoryRecordSchema } from './schema.js';

const CHECK = TypeCompiler.Compile(HistoryRecordSchema);

/** Largest history record text accepted: one commit transaction with room to spare. */
export const MAX_HISTORY_RECORD_BYTES = 64 * 1024;

/** JSON text of a history record, as the store receives it. */
export function encodeHistoryRecord(record: HistoryRecord): string {
  return JSON.stringify(record);
}

/**
 * Reads a history record back from the store and checks it: size, JSON, schema, that it is the
 * record its key names (`c/` and `a/` keys carry the revoke hash), and that a revoke secret
 * hashes to its revoke hash.
 *
 * @throws {@link SnapshotError} (`SNAPSHOT_TOO_LARGE`, `SNAPSHOT_NOT_JSON`, `SNAPSHOT_SCHEMA`,
 * `SNAPSHOT_FIELD_INVALID`, `SNAPSHOT_SECRET_MISMATCH`) with the path `/history/<key>`.
 */
export function decodeHistoryRecord(key: string, text: string): HistoryRecord {
  const path = `/history/${key}`;
  if (text.length > MAX_HISTORY_RECORD_BYTES)
    throw new SnapshotError('SNAPSHOT_TOO_LARGE', 'history record too large', path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotError('SNAPSHOT_NOT_JSON', 'history record is not JSON', path);
  }
  if (!CHECK.Check(value)) {
    const first = CHECK.Errors(value).First();
    throw new SnapshotError(
      'SNAPSHOT_SCHEMA',
      `history record: ${first?.message ?? 'invalid'}${first?.path ? ` at ${first.path}` : ''}`,
      path,
    );
  }
  const record = value as HistoryRecord;
  const [prefix, id] = [key.slice(0, 2), key.slice(2)];
  const fits =
    record.kind === 'script-index'
      ? prefix === 's/'
      : record.revokeSecretHash === id && prefix === (record.kind === 'payer-commit' ? 'c/' : 'a/');
  if (!fits)
    throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'record is not the one its key names', path);
  if (
    record.kind !== 'script-index' &&
    record.revokeSecret !== null &&
    bytesToHex(hash160(hexToBytes(record.revokeSecret))) !== record.revokeSecretHash
  )
    throw new SnapshotError(
      'SNAPSHOT_SECRET_MISMATCH',
      'revoke secret does not hash to the revoke hash',
      path,
    );
  return record;
}
