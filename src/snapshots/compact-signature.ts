import { base64urlnopad } from '@scure/base';
import { equalBytes } from '../bytes.js';

/**
 * A SIGHASH_ALL signature in 64 bytes instead of its DER encoding: strict DER (BIP 66) encodes
 * each of r and s in exactly one way, so r and s, 32 bytes each, give the pushed bytes back.
 * Stored as unpadded base64url (86 characters against 142–146 of hex DER).
 *
 * @module
 */

const SIGHASH_ALL = 0x01;

/** Strict-DER minimal encoding of a 32-byte big-endian integer. */
function derInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const body = bytes.subarray(start);
  const padded = body[0]! & 0x80 ? Uint8Array.of(0, ...body) : body;
  return Uint8Array.of(0x02, padded.length, ...padded);
}

/** The pushed signature (DER plus sighash byte) of r || s with SIGHASH_ALL. */
function encode(rs: Uint8Array): Uint8Array {
  const r = derInteger(rs.subarray(0, 32));
  const s = derInteger(rs.subarray(32, 64));
  return Uint8Array.of(0x30, r.length + s.length, ...r, ...s, SIGHASH_ALL);
}

/** A 32-byte big-endian integer from a DER integer body of at most 33 bytes. */
function fixed(body: Uint8Array): Uint8Array | null {
  const trimmed = body.length === 33 && body[0] === 0 ? body.subarray(1) : body;
  if (trimmed.length > 32) return null;
  const out = new Uint8Array(32);
  out.set(trimmed, 32 - trimmed.length);
  return out;
}

/**
 * The compact text of a pushed signature, or null when it is not a SIGHASH_ALL signature in
 * strict DER (it is then stored as it is).
 */
export function compactSignature(pushed: Uint8Array): string | null {
  if (pushed.length < 9 || pushed[0] !== 0x30 || pushed[2] !== 0x02) return null;
  const rLength = pushed[3]!;
  const sAt = 4 + rLength;
  if (pushed[sAt] !== 0x02) return null;
  const r = fixed(pushed.subarray(4, sAt));
  const s = fixed(pushed.subarray(sAt + 2, sAt + 2 + pushed[sAt + 1]!));
  if (!r || !s) return null;
  const rs = Uint8Array.of(...r, ...s);
  // Only an encoding that comes back byte for byte is compacted.
  return equalBytes(encode(rs), pushed) ? base64urlnopad.encode(rs) : null;
}

/**
 * The pushed signature of a compact text.
 *
 * @throws `Error` when the text is not 64 bytes of base64url.
 */
export function expandSignature(text: string): Uint8Array {
  const rs = base64urlnopad.decode(text);
  if (rs.length !== 64) throw new Error('a compact signature is 64 bytes');
  return encode(rs);
}
