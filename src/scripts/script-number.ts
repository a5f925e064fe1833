import { ScriptError } from './errors.js';
import { OP } from './opcodes.js';

/** Largest relative time (blocks) the protocol allows in a script: BIP68's 16-bit field. */
export const MAX_RELATIVE_TIME = 65535;

/**
 * Minimal CScriptNum encoding of an integer: little-endian magnitude with a sign bit in the
 * last byte, an extra byte only when the magnitude's top bit is set. Zero is the empty array.
 */
export function encodeScriptNumber(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) {
    throw new ScriptError('SCRIPT_NUMBER_OUT_OF_RANGE', `not a safe integer: ${value}`);
  }
  if (value === 0) return new Uint8Array(0);
  const negative = value < 0;
  let magnitude = Math.abs(value);
  const bytes: number[] = [];
  while (magnitude > 0) {
    bytes.push(magnitude & 0xff);
    magnitude = Math.floor(magnitude / 256);
  }
  if (bytes[bytes.length - 1]! & 0x80) bytes.push(negative ? 0x80 : 0x00);
  else if (negative) bytes[bytes.length - 1]! |= 0x80;
  return Uint8Array.from(bytes);
}

/**
 * Decodes a CScriptNum, rejecting non-minimal encodings (as MINIMALDATA does) and encodings
 * longer than `maxLength` bytes.
 *
 * @throws {@link ScriptError} `SCRIPT_NON_MINIMAL_NUMBER` or `SCRIPT_NUMBER_OUT_OF_RANGE`.
 */
export function decodeScriptNumber(bytes: Uint8Array, maxLength = 4): number {
  if (bytes.length > maxLength) {
    throw new ScriptError(
      'SCRIPT_NUMBER_OUT_OF_RANGE',
      `script number of ${bytes.length} bytes exceeds ${maxLength}`,
    );
  }
  if (bytes.length === 0) return 0;
  const last = bytes[bytes.length - 1]!;
  // The last byte may only be 0x00/0x80 when the byte before it needs its top bit for magnitude.
  if ((last & 0x7f) === 0 && (bytes.length === 1 || (bytes[bytes.length - 2]! & 0x80) === 0)) {
    throw new ScriptError('SCRIPT_NON_MINIMAL_NUMBER', 'script number has a redundant last byte');
  }
  let magnitude = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = i === bytes.length - 1 ? bytes[i]! & 0x7f : bytes[i]!;
    magnitude = magnitude * 256 + byte;
  }
  return last & 0x80 ? -magnitude : magnitude;
}

/**
 * Script bytes that push `value` minimally: `OP_0`, `OP_1`..`OP_16`, else a data push.
 *
 * @throws {@link ScriptError} `SCRIPT_NUMBER_OUT_OF_RANGE` when `value` is not a safe integer.
 */
export function encodeNumberPush(value: number): Uint8Array {
  // Checked first: a fraction in 1..16 would otherwise become a small-number opcode silently.
  if (!Number.isSafeInteger(value)) {
    throw new ScriptError('SCRIPT_NUMBER_OUT_OF_RANGE', `not a safe integer: ${value}`);
  }
  if (value === 0) return Uint8Array.of(OP.OP_0);
  if (value === -1) return Uint8Array.of(OP.OP_1NEGATE);
  if (value >= 1 && value <= 16) return Uint8Array.of(OP.OP_1 + value - 1);
  const data = encodeScriptNumber(value);
  return Uint8Array.of(data.length, ...data);
}

/**
 * Checks that a relative time (blocks) is an integer in 0..65535.
 *
 * @throws {@link ScriptError} `SCRIPT_NUMBER_OUT_OF_RANGE` otherwise.
 */
export function assertRelativeTime(value: number, name = 'time'): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_RELATIVE_TIME) {
    throw new ScriptError(
      'SCRIPT_NUMBER_OUT_OF_RANGE',
      `${name} must be an integer in 0..${MAX_RELATIVE_TIME}, got ${value}`,
    );
  }
}
