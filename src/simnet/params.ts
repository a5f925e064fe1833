import { RPC_CODES, RpcFailure } from './rpc-failure.js';

/** Core's name for a JSON value's type, as in its type errors. */
function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** A type error worded as Core words it. */
export function typeError(value: unknown, expected: string): RpcFailure {
  return new RpcFailure(
    RPC_CODES.TYPE_ERROR,
    `JSON value of type ${jsonType(value)} is not of expected type ${expected}`,
  );
}

/** A 64-digit hex hash parameter (Core's ParseHashV), lower-cased. */
export function hashParam(value: unknown, name: string): string {
  if (typeof value !== 'string') throw typeError(value, 'string');
  const shown = value.length > 100 ? `${value.slice(0, 100)}...` : value;
  if (value.length !== 64) {
    throw new RpcFailure(
      RPC_CODES.INVALID_PARAMETER,
      `${name} must be of length 64 (not ${value.length}, for '${shown}')`,
    );
  }
  if (!/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new RpcFailure(
      RPC_CODES.INVALID_PARAMETER,
      `${name} must be hexadecimal string (not '${shown}')`,
    );
  }
  return value.toLowerCase();
}

/** An integer parameter; `fallback` when absent or null. */
export function intParam(value: unknown, fallback?: number): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw typeError(value, 'number');
  if (!Number.isSafeInteger(value)) {
    throw new RpcFailure(RPC_CODES.TYPE_ERROR, 'JSON integer out of range');
  }
  return value;
}

/** A boolean parameter; `fallback` when absent or null. */
export function boolParam(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw typeError(value, 'bool');
  return value;
}

/** A verbosity given as a boolean or a number (Core's ParseVerbosity). */
export function verbosityParam(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return intParam(value);
}

/** A hex string parameter decoded to bytes, or `null` when it is not hex. */
export function hexParam(value: unknown): Uint8Array | null {
  if (typeof value !== 'string') throw typeError(value, 'string');
  if (value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) return null;
  return Uint8Array.from(Buffer.from(value, 'hex'));
}
