import { expect } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import { ScriptError, type ScriptErrorCode } from '../../src/scripts/index.js';

/**
 * Every code of {@link ScriptErrorCode}. Typed as a record so that adding a code to the union
 * without listing it here is a compile error, which keeps the coverage test honest.
 */
const CODE_RECORD: Record<ScriptErrorCode, true> = {
  SCRIPT_TRUNCATED: true,
  SCRIPT_TRAILING_BYTES: true,
  SCRIPT_TEMPLATE_MISMATCH: true,
  SCRIPT_NON_MINIMAL_PUSH: true,
  SCRIPT_NON_MINIMAL_NUMBER: true,
  SCRIPT_NUMBER_OUT_OF_RANGE: true,
  SCRIPT_INVALID_PUBKEY: true,
  SCRIPT_INVALID_HASH_LENGTH: true,
  SCRIPT_INVALID_SECRET: true,
  SCRIPT_INVALID_SIGNATURE_PUSH: true,
  SCRIPT_TOO_LARGE: true,
  UNLOCKING_SCRIPT_MISMATCH: true,
  UNKNOWN_NETWORK: true,
};

/** All script error codes, for "the code is a known one" assertions. */
export const SCRIPT_ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(CODE_RECORD));

/** Short alias: hex text to bytes. */
export const h = hexToBytes;

/**
 * Runs `fn`, requires it to throw a {@link ScriptError} with `code`, and returns the error so
 * that a caller can look further (message, name).
 */
export function expectScriptError(fn: () => unknown, code: ScriptErrorCode): ScriptError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code} to be thrown`).toBeInstanceOf(ScriptError);
  const error = thrown as ScriptError;
  expect(error.code).toBe(code);
  return error;
}

/** A byte string of `length` bytes, all equal to `fill`. */
export function filled(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill);
}
