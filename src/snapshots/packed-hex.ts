import { base64urlnopad } from '@scure/base';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { SnapshotError } from './errors.js';
import { setJsonMember } from '../json-member.js';

/**
 * Hex strings in fewer characters, for snapshots from version 4 and history records: a string
 * of lowercase hex of at least {@link MIN_PACKED_BYTES} bytes (hashes, keys, scripts,
 * transactions) is stored as `~` and the bytes in unpadded base64url, two thirds of its length.
 * Any other string that starts with `~` gets a second `~`, so every string comes back exactly:
 * base64url never holds a `~`.
 *
 * The packing is of the JSON value as a whole, member names aside, so it needs no list of the
 * fields that hold hex: a field added to a context later is packed too.
 *
 * @module
 */

/** Shortest hex packed, in bytes: a HASH160. Shorter hex (amounts in digits) stays as it is. */
export const MIN_PACKED_BYTES = 20;

const PACKABLE = new RegExp(`^(?:[0-9a-f]{2}){${MIN_PACKED_BYTES},}$`);

/** Deepest nesting packed or unpacked: far beyond a snapshot's, and safe for the call stack. */
const MAX_DEPTH = 64;

// The constants of a channel (keys, scripts, the deposit) are packed again at every step.
const CACHE_SIZE = 256;
const packedCache = new Map<string, string>();

function packString(text: string): string {
  if (text.startsWith('~')) return `~${text}`;
  if (text.length < 2 * MIN_PACKED_BYTES || !PACKABLE.test(text)) return text;
  const hit = packedCache.get(text);
  if (hit !== undefined) return hit;
  const packed = `~${base64urlnopad.encode(hexToBytes(text))}`;
  if (packedCache.size >= CACHE_SIZE) packedCache.delete(packedCache.keys().next().value!);
  packedCache.set(text, packed);
  return packed;
}

function unpackString(text: string, path: string): string {
  if (!text.startsWith('~')) return text;
  if (text.startsWith('~~')) return text.slice(1);
  let bytes: Uint8Array;
  try {
    bytes = base64urlnopad.decode(text.slice(1));
  } catch {
    throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'packed hex is not base64url', path);
  }
  // Only what `pack` writes is read: a shorter value was never packed.
  if (bytes.length < MIN_PACKED_BYTES)
    throw new SnapshotError('SNAPSHOT_FIELD_INVALID', 'packed hex is too short', path);
  return bytesToHex(bytes);
}

/** `value` with every packable hex string packed (a new value; `value` is not modified). */
export function packHex(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return packString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) throw new SnapshotError('SNAPSHOT_SCHEMA', 'nested too deep');
  if (Array.isArray(value)) return value.map((v) => packHex(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) setJsonMember(out, key, packHex(v, depth + 1));
  return out;
}

/**
 * `value` with every packed string given back as hex, and the `~~` of other strings undone.
 *
 * @throws {@link SnapshotError} `SNAPSHOT_FIELD_INVALID` for a packed string that is not what
 * {@link packHex} writes (with its path under `path`), `SNAPSHOT_SCHEMA` when nested too deep.
 */
export function unpackHex(value: unknown, path = '', depth = 0): unknown {
  if (typeof value === 'string') return unpackString(value, path);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) throw new SnapshotError('SNAPSHOT_SCHEMA', 'nested too deep', path);
  if (Array.isArray(value)) return value.map((v, i) => unpackHex(v, `${path}/${i}`, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    setJsonMember(out, key, unpackHex(v, `${path}/${key}`, depth + 1));
  return out;
}
