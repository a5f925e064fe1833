import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import type { AnyStateMachine } from 'xstate';
import { SnapshotError } from './errors.js';
import { compactRecordObjects, compactSnapshot, expandSnapshot } from './compact-snapshot.js';
import {
  type ChannelPersistedSnapshot,
  CompactPayeePersistedSnapshotSchema,
  CompactPayerPersistedSnapshotSchema,
  MAX_SNAPSHOT_BYTES,
  type PayeePersistedSnapshot,
  PayeePersistedSnapshotSchema,
  type PayerPersistedSnapshot,
  PayerPersistedSnapshotSchema,
  READABLE_SNAPSHOT_VERSIONS,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  SNAPSHOT_VERSION_UNPACKED,
  type SnapshotRole,
} from './schema.js';
import { packHex, unpackHex } from './packed-hex.js';
import { checkSnapshotSemantics } from './semantics.js';

// Compiled once at module load: compiling is far costlier than checking.
const CHECKERS: { readonly [R in SnapshotRole]: TypeCheck<TSchema> } = {
  payer: TypeCompiler.Compile(PayerPersistedSnapshotSchema),
  payee: TypeCompiler.Compile(PayeePersistedSnapshotSchema),
};
const COMPACT_CHECKERS: { readonly [R in SnapshotRole]: TypeCheck<TSchema> } = {
  payer: TypeCompiler.Compile(CompactPayerPersistedSnapshotSchema),
  payee: TypeCompiler.Compile(CompactPayeePersistedSnapshotSchema),
};

const ENVELOPE_KEYS = ['format', 'version', 'role', 'machine'] as const;

// The deepest path of a valid snapshot is /machine/context/watches/outpoints/0/outpoint/txid;
// anything far deeper is refused before the recursive schema check could exhaust the stack.
const MAX_DEPTH = 16;

/** Options of {@link decodeChannelSnapshot}. */
export interface DecodeSnapshotOptions {
  /** Largest accepted text, in bytes of UTF-8; {@link MAX_SNAPSHOT_BYTES} when omitted. */
  readonly maxBytes?: number;
}

const encoder = new TextEncoder();

function tooLarge(text: string, maxBytes: number): boolean {
  // UTF-8 never takes fewer bytes than UTF-16 code units, nor more than three per unit.
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return encoder.encode(text).length > maxBytes;
}

function isPlainObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Iterative, so that hostile nesting cannot overflow the call stack.
function exceedsDepth(root: unknown): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Wraps an XState persisted snapshot of a channel machine in the versioned envelope and
 * encodes it as JSON text: `{"format":"picopayments-channel-snapshot","version":4,
 * "role":…,"machine":…}`.
 *
 * Only the role and the size are checked here, so that persisting stays cheap;
 * {@link decodeChannelSnapshot} checks everything when the text is read back.
 *
 * @param persistedSnapshot - `actor.getPersistedSnapshot()` of a payer or payee machine.
 * @throws {@link SnapshotError} `SNAPSHOT_ROLE` when the context is of the other role,
 * `SNAPSHOT_TOO_LARGE` when the text would exceed {@link MAX_SNAPSHOT_BYTES}.
 */
export function encodeChannelSnapshot(persistedSnapshot: unknown, role: SnapshotRole): string {
  const context = isPlainObject(persistedSnapshot) ? persistedSnapshot.context : undefined;
  const actual = isPlainObject(context) ? context.role : undefined;
  if (actual !== role) {
    throw new SnapshotError(
      'SNAPSHOT_ROLE',
      `context role ${String(actual)} is not ${role}`,
      '/machine/context/role',
    );
  }
  const text = JSON.stringify({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    role,
    machine: packHex(compactSnapshot(persistedSnapshot as ChannelPersistedSnapshot)),
  });
  if (tooLarge(text, MAX_SNAPSHOT_BYTES)) {
    throw new SnapshotError('SNAPSHOT_TOO_LARGE', `snapshot exceeds ${MAX_SNAPSHOT_BYTES} bytes`);
  }
  return text;
}

function checkEnvelope(
  parsed: unknown,
  expectedRole: SnapshotRole,
): { readonly machine: unknown; readonly version: number } {
  if (!isPlainObject(parsed) || parsed.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError('SNAPSHOT_FORMAT', `not a ${SNAPSHOT_FORMAT}`, '/format');
  }
  const extra = Object.keys(parsed).find((k) => !(ENVELOPE_KEYS as readonly string[]).includes(k));
  if (extra !== undefined) {
    throw new SnapshotError('SNAPSHOT_FORMAT', 'unknown envelope field', `/${extra}`);
  }
  const { version, role } = parsed;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new SnapshotError('SNAPSHOT_FORMAT', 'version must be a positive integer', '/version');
  }
  if (!READABLE_SNAPSHOT_VERSIONS.includes(version)) {
    throw new SnapshotError(
      'SNAPSHOT_VERSION',
      `version ${version} is not readable; this library reads versions ${READABLE_SNAPSHOT_VERSIONS.join(', ')}`,
      '/version',
    );
  }
  if (role !== 'payer' && role !== 'payee') {
    throw new SnapshotError('SNAPSHOT_FORMAT', 'role must be payer or payee', '/role');
  }
  if (role !== expectedRole) {
    throw new SnapshotError(
      'SNAPSHOT_ROLE',
      `a ${role} snapshot, not a ${expectedRole} one`,
      '/role',
    );
  }
  const machine = parsed.machine;
  if (!isPlainObject(machine)) {
    throw new SnapshotError('SNAPSHOT_FORMAT', 'machine must be an object', '/machine');
  }
  const context = machine.context;
  if (isPlainObject(context) && typeof context.role === 'string' && context.role !== expectedRole) {
    throw new SnapshotError(
      'SNAPSHOT_ROLE',
      `context of a ${String(context.role)}, not of a ${expectedRole}`,
      '/machine/context/role',
    );
  }
  return { machine, version };
}

/**
 * Decodes a snapshot text written by {@link encodeChannelSnapshot} and checks it in full
 * before anything may run from it, in this order: size, JSON syntax, envelope, version, role,
 * the schema of the XState persisted snapshot and of the role's context, the state value
 * against `machine`, and the semantic checks (keys, scripts, secrets, commits and their payer
 * signatures, amounts, published records, broadcasts, watches).
 *
 * @param expectedRole - The role the caller restores; a snapshot of the other role is refused.
 * @param machine - The machine the snapshot will run on (its `id` must be `expectedRole`).
 * @returns The XState persisted snapshot, a fresh object to hand to `createActor`.
 * @throws {@link SnapshotError} and nothing else, whatever the text.
 */
export function decodeChannelSnapshot(
  text: string,
  expectedRole: 'payer',
  machine: AnyStateMachine,
  options?: DecodeSnapshotOptions,
): PayerPersistedSnapshot;
export function decodeChannelSnapshot(
  text: string,
  expectedRole: 'payee',
  machine: AnyStateMachine,
  options?: DecodeSnapshotOptions,
): PayeePersistedSnapshot;
export function decodeChannelSnapshot(
  text: string,
  expectedRole: SnapshotRole,
  machine: AnyStateMachine,
  options?: DecodeSnapshotOptions,
): ChannelPersistedSnapshot;
export function decodeChannelSnapshot(
  text: string,
  expectedRole: SnapshotRole,
  machine: AnyStateMachine,
  options: DecodeSnapshotOptions = {},
): ChannelPersistedSnapshot {
  if (machine.id !== expectedRole) {
    throw new SnapshotError('SNAPSHOT_ROLE', `machine ${machine.id} does not run ${expectedRole}s`);
  }
  const maxBytes = options.maxBytes ?? MAX_SNAPSHOT_BYTES;
  if (typeof text !== 'string') {
    throw new SnapshotError('SNAPSHOT_NOT_JSON', 'a snapshot is JSON text');
  }
  if (tooLarge(text, maxBytes)) {
    throw new SnapshotError('SNAPSHOT_TOO_LARGE', `snapshot exceeds ${maxBytes} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SnapshotError('SNAPSHOT_NOT_JSON', 'text is not valid JSON');
  }
  const { machine: stored, version } = checkEnvelope(parsed, expectedRole);
  if (exceedsDepth(stored)) {
    throw new SnapshotError('SNAPSHOT_SCHEMA', 'nested deeper than any snapshot', '/machine');
  }
  let persisted = stored;
  if (version === SNAPSHOT_VERSION || version === SNAPSHOT_VERSION_UNPACKED) {
    const compact =
      version === SNAPSHOT_VERSION ? compactRecordObjects(unpackHex(stored, '/machine')) : stored;
    schemaCheck(COMPACT_CHECKERS[expectedRole], compact);
    // The compact records are rebuilt, then checked in full like a version 2 snapshot.
    persisted = expandSnapshot(compact as ChannelPersistedSnapshot);
  }
  schemaCheck(CHECKERS[expectedRole], persisted);
  const snapshot = persisted as ChannelPersistedSnapshot;
  checkSnapshotSemantics(snapshot, machine);
  return snapshot;
}

function schemaCheck(checker: TypeCheck<TSchema>, persisted: unknown): void {
  if (!checker.Check(persisted)) {
    const first = checker.Errors(persisted).First();
    throw new SnapshotError(
      'SNAPSHOT_SCHEMA',
      first?.message ?? 'does not match the schema',
      `/machine${first?.path ?? ''}`,
    );
  }
}
