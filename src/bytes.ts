import { EncodingError } from './errors.js';

/** Two hex digits of every byte value, for encoding by table lookup. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The value of each ASCII hex digit (either case); -1 for every other character. */
const HEX_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) values[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    values[97 + i] = 10 + i;
    values[65 + i] = 10 + i;
  }
  return values;
})();

/**
 * Decodes lower- or upper-case hex into bytes. A table lookup per character: snapshots, messages
 * and scripts are hex on every channel step, so this is on the hot path.
 *
 * @throws {@link EncodingError} `INVALID_HEX` for odd length or a non-hex character.
 */
export function hexToBytes(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 2 !== 0) throw invalidHex();
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {
    const high = text.charCodeAt(j);
    const low = text.charCodeAt(j + 1);
    const h = high < 128 ? HEX_VALUES[high]! : -1;
    const l = low < 128 ? HEX_VALUES[low]! : -1;
    if ((h | l) < 0) throw invalidHex();
    out[i] = (h << 4) | l;
  }
  return out;
}

function invalidHex(): EncodingError {
  return new EncodingError('INVALID_HEX', 'expected an even-length hex string');
}

/** Encodes bytes as lower-case hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!];
  return out;
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
