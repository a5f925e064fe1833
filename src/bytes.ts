import { hex } from '@scure/base';
import { EncodingError } from './errors.js';

/**
 * Decodes lower- or upper-case hex into bytes.
 *
 * @throws {@link EncodingError} `INVALID_HEX` for odd length or a non-hex character.
 */
export function hexToBytes(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new EncodingError('INVALID_HEX', 'expected an even-length hex string');
  }
  return hex.decode(text.toLowerCase());
}

/** Encodes bytes as lower-case hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/** Constant-shape byte equality (lengths first, then every byte). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
