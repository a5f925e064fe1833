import { createHash } from 'node:crypto';
import { StoreError } from './errors.js';

/** Longest key accepted, in UTF-8 bytes: channel ids are short, and keys live in indexes. */
export const MAX_KEY_BYTES = 4096;

/** Default ceiling of one stored value, in UTF-8 bytes. */
export const DEFAULT_MAX_VALUE_BYTES = 256 * 1024 * 1024;

// A lone surrogate cannot be written as UTF-8: it would come back as U+FFFD, a different text.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A key as the store holds it (UTF-8), after checking it round-trips exactly. */
export function encodeKey(key: unknown): Buffer {
  if (typeof key !== 'string') throw new StoreError('STORE_INVALID_KEY', 'key must be a string');
  if (LONE_SURROGATE.test(key))
    throw new StoreError('STORE_INVALID_KEY', 'key is not well-formed UTF-16 (lone surrogate)');
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length > MAX_KEY_BYTES)
    throw new StoreError('STORE_INVALID_KEY', `key longer than ${MAX_KEY_BYTES} UTF-8 bytes`);
  return bytes;
}

/** A value as the store holds it (UTF-8), after checking it round-trips exactly and fits. */
export function encodeValue(value: unknown, maxBytes: number): Buffer {
  if (typeof value !== 'string')
    throw new StoreError('STORE_INVALID_VALUE', 'value must be a string');
  if (LONE_SURROGATE.test(value))
    throw new StoreError('STORE_INVALID_VALUE', 'value is not well-formed UTF-16 (lone surrogate)');
  // Cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (value.length > maxBytes && Buffer.byteLength(value, 'utf8') > maxBytes)
    throw new StoreError('STORE_INVALID_VALUE', `value larger than ${maxBytes} bytes`);
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > maxBytes)
    throw new StoreError('STORE_INVALID_VALUE', `value larger than ${maxBytes} bytes`);
  return bytes;
}

/** Decodes stored UTF-8 strictly: bytes that are not UTF-8 mean the row was damaged. */
export function decodeValue(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new StoreError('STORE_CORRUPT', 'stored value is not valid UTF-8');
  }
}

/**
 * Integrity digest of one row: SHA-256 over the key's length, the key and the stored bytes, so
 * that a damaged value, or a value moved to another key, is detected on load.
 */
export function rowDigest(tag: string, key: Uint8Array, stored: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(key.length);
  return createHash('sha256').update(tag).update(length).update(key).update(stored).digest();
}

/** Throws `STORE_CORRUPT` unless `digest` is the row's digest. */
export function checkRowDigest(
  tag: string,
  key: Uint8Array,
  stored: Uint8Array,
  digest: Uint8Array,
): void {
  if (!rowDigest(tag, key, stored).equals(digest))
    throw new StoreError('STORE_CORRUPT', 'stored value fails its integrity check');
}
