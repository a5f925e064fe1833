import { TypeCompiler } from '@sinclair/typebox/compiler';
import { bytesToHex, hexToBytes } from '../bytes.js';
import type { PayeeContext, PayerContext } from '../machines/context.js';
import { type HistoryRecord, scriptHashId } from '../machines/history.js';
import { deriveRevokeSecret } from '../machines/revoke-secrets.js';
import { hash160 } from '../scripts/hash.js';
import {
  compactPayeeCommit,
  compactPayeeRevoked,
  expandPayeeCommit,
  expandPayeeRevoked,
  payerCommitScript,
  revokeSecretAt,
} from './compact-commits.js';
import { SnapshotError } from './errors.js';
import { historyArray, historyObject } from './compact-arrays.js';
import { packHex, unpackHex } from './packed-hex.js';
import { HistoryRecordSchema } from './schema.js';

const CHECK = TypeCompiler.Compile(HistoryRecordSchema);

/** Largest history record text accepted: one commit transaction with room to spare. */
export const MAX_HISTORY_RECORD_BYTES = 64 * 1024;

/** The context of the channel a history record belongs to: what its compact form is rebuilt from. */
export type HistoryContext = PayerContext | PayeeContext;

/**
 * JSON text of a history record, as the store receives it: compact (see `compact-commits.ts`)
 * when `context` is given and the record rebuilds from it byte-exact (as an array:
 * `compact-arrays.ts`), else whole, and its hex packed (`packed-hex.ts`). A payee commit's revoke secret index stands for its secret and its
 * revoke hash.
 */
export function encodeHistoryRecord(record: HistoryRecord, context?: HistoryContext): string {
  return JSON.stringify(packHex(context ? historyArray(compactRecord(record, context)) : record));
}

function compactRecord(record: HistoryRecord, context: HistoryContext): unknown {
  switch (record.kind) {
    case 'script-index':
      return { k: 's', h: record.revokeSecretHash };
    case 'payer-commit': {
      if (context.role !== 'payer') return record;
      let script: string;
      try {
        script = payerCommitScript(context, record.revokeSecretHash, '');
      } catch {
        return record;
      }
      if (script !== record.commitScript) return record;
      const { amount: a, revokeSecretHash: h, revokeSecret: s, below: b } = record;
      return s === null ? { k: 'c', a, h, b } : { k: 'c', a, h, s, b };
    }
    case 'payee-active': {
      if (context.role !== 'payee') return record;
      const compact = compactPayeeCommit(record, context);
      if ('rawTx' in compact) return record;
      return { k: 'a', ...compact, b: belowOffset(context, compact.i, record.below) };
    }
    case 'payee-revoked': {
      if (context.role !== 'payee') return record;
      const compact = compactPayeeRevoked(record, context);
      return 'revokeSecret' in compact ||
        deriveHash(record.revokeSecret) !== record.revokeSecretHash
        ? record
        : { k: 'r', ...compact };
    }
  }
}

/**
 * Reads a history record back from the store and checks it: size, JSON, schema, that it is the
 * record its key names (`cb/` and `ab/` keys carry the HASH160 of the commit script in
 * base64url, the `cs/` and `as/` keys of channels stored before in hex, and their `c/` and `a/`
 * keys the revoke hash), and that a revoke secret hashes to
 * its revoke hash. A compact record is rebuilt from `context`, the channel's.
 *
 * @throws {@link SnapshotError} (`SNAPSHOT_TOO_LARGE`, `SNAPSHOT_NOT_JSON`, `SNAPSHOT_SCHEMA`,
 * `SNAPSHOT_FIELD_INVALID`, `SNAPSHOT_SECRET_MISMATCH`) with the path `/history/<key>`.
 */
export function decodeHistoryRecord(
  key: string,
  text: string,
  context?: HistoryContext,
): HistoryRecord {
  const path = `/history/${key}`;
  if (typeof text !== 'string' || text.length > MAX_HISTORY_RECORD_BYTES)
    throw new SnapshotError('SNAPSHOT_TOO_LARGE', 'history record too large', path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotError('SNAPSHOT_NOT_JSON', 'history record is not JSON', path);
  }
  // Records written before hex was packed hold no string that starts with `~`, nor arrays.
  value = historyObject(unpackHex(value, path), key, path);
  if (!CHECK.Check(value)) {
    const first = CHECK.Errors(value).First();
    throw new SnapshotError(
      'SNAPSHOT_SCHEMA',
      `history record: ${first?.message ?? 'invalid'}${first?.path ? ` at ${first.path}` : ''}`,
      path,
    );
  }
  const record = 'k' in (value as object) ? expand(key, value as Compact, path, context) : value;
  return checked(key, record as HistoryRecord, path);
}

type Compact =
  | { k: 'c'; a: string; h?: string; s?: string; b: string | null }
  | { k: 'a'; a: string; i: number; f: string; g: string; b: string | number | null }
  | { k: 'r'; a: string; i: number }
  | { k: 's'; h: string };

/** The key prefixes a record of each kind may be stored under (legacy keys carry the revoke hash). */
const PREFIXES = {
  c: ['cb/', 'cs/', 'c/'],
  a: ['ab/', 'as/', 'a/'],
  r: ['ab/', 'as/', 'a/'],
  s: ['s/'],
} as const;

/** What the id of a key of each prefix is: the script hash in base64url or hex, a revoke hash. */
const ID_PATTERN: { readonly [prefix: string]: RegExp } = {
  'cb/': /^[A-Za-z0-9_-]{27}$/,
  'ab/': /^[A-Za-z0-9_-]{27}$/,
};
const HEX_ID = /^[0-9a-f]{40}$/;
const ROLE = { c: 'payer', a: 'payee', r: 'payee', s: null } as const;

function splitKey(key: string): [prefix: string, id: string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash + 1), key.slice(slash + 1)];
}

function expand(
  key: string,
  value: Compact,
  path: string,
  context: HistoryContext | undefined,
): HistoryRecord {
  const [prefix, id] = splitKey(key);
  if (!(PREFIXES[value.k] as readonly string[]).includes(prefix))
    throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'record is not the one its key names', path);
  if (value.k === 's') return { kind: 'script-index', revokeSecretHash: value.h };
  if (!context || context.role !== ROLE[value.k])
    throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'a compact record needs its channel', path);
  if (!(ID_PATTERN[prefix] ?? HEX_ID).test(id!))
    throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'record is not the one its key names', path);
  if (value.k === 'c') {
    const payer = context as PayerContext;
    const hash = value.h ?? (prefix === 'c/' ? id : null);
    if (hash === null)
      throw new SnapshotError(
        'SNAPSHOT_FIELD_INVALID',
        'a commit record needs its revoke hash',
        path,
      );
    return {
      kind: 'payer-commit',
      amount: value.a,
      commitScript: payerCommitScript(payer, hash, path),
      revokeSecretHash: hash,
      revokeSecret: value.s ?? null,
      below: value.b,
    };
  }
  const payee = context as PayeeContext;
  if (value.k === 'a') {
    const { b, k: _, ...compact } = value;
    const commit = expandPayeeCommit(compact, payee, path);
    const below =
      typeof b === 'number' ? revokeSecretAt(payee, compact.i + b, `${path}/b`).hash : b;
    return { kind: 'payee-active', ...commit, below };
  }
  const { k: _, ...compact } = value;
  const revoked = expandPayeeRevoked(compact, payee, path);
  return { kind: 'payee-revoked', ...revoked, revokeSecretHash: deriveHash(revoked.revokeSecret) };
}

/** How far below its own the secret index of the commit below is looked for. */
const BELOW_SEARCH = 16;

/**
 * The commit below an active one as an offset from its revoke secret index (-1 for the commit
 * accepted just before, as it nearly always is), else its revoke hash as it is.
 */
function belowOffset(context: PayeeContext, index: number, below: string | null) {
  if (below === null) return null;
  for (let offset = -1; offset >= -BELOW_SEARCH && index + offset >= 0; offset--)
    if (deriveRevokeSecret(context.revokeSeed, index + offset).hash === below) return offset;
  return below;
}

function checked(key: string, record: HistoryRecord, path: string): HistoryRecord {
  const [prefix, id] = splitKey(key);
  const payer = record.kind === 'payer-commit';
  const fits =
    record.kind === 'script-index'
      ? prefix === 's/'
      : prefix === (payer ? 'cb/' : 'ab/')
        ? scriptHashId(deriveHash(record.commitScript)) === id
        : prefix === (payer ? 'cs/' : 'as/')
          ? deriveHash(record.commitScript) === id
          : prefix === (payer ? 'c/' : 'a/') && record.revokeSecretHash === id;
  if (!fits)
    throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'record is not the one its key names', path);
  if (
    record.kind !== 'script-index' &&
    record.revokeSecret !== null &&
    deriveHash(record.revokeSecret) !== record.revokeSecretHash
  )
    throw new SnapshotError(
      'SNAPSHOT_SECRET_MISMATCH',
      'revoke secret does not hash to the revoke hash',
      path,
    );
  return record;
}

function deriveHash(secret: string): string {
  return bytesToHex(hash160(hexToBytes(secret)));
}
