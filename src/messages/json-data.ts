import { MessageError } from './errors.js';

/** A JSON value as plain data. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Largest accepted message: 256 KiB of UTF-8 text. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Keys refused anywhere in a message: as own keys they can poison an object's prototype when
 * a consumer copies the message with assignment or a naive merge.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

// Messages nest at most three levels (message -> outpoint/range/secrets -> leaf); anything
// deeper is a schema violation, and the bound keeps the walk off the call stack limit.
const MAX_DEPTH = 8;

// Every JSON node costs at least two bytes of text (the value and a separator), so more nodes
// than this cannot fit in MAX_MESSAGE_BYTES.
const MAX_NODES = MAX_MESSAGE_BYTES / 2;

const encoder = new TextEncoder();

/** Length in bytes of `text` encoded as UTF-8. */
export function utf8Length(text: string): number {
  // UTF-8 never takes fewer bytes than UTF-16 code units, so long texts skip the encoding.
  return text.length > MAX_MESSAGE_BYTES ? text.length : encoder.encode(text).length;
}

/** Escapes a key for a JSON Pointer (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

interface Budget {
  nodes: number;
  chars: number;
  // Objects on the path from the root, to tell a cycle from mere depth.
  ancestors: Set<object>;
}

function tooLarge(): MessageError {
  return new MessageError('MESSAGE_TOO_LARGE', `message exceeds ${MAX_MESSAGE_BYTES} bytes`);
}

function copy(value: unknown, path: string, depth: number, budget: Budget): JsonValue {
  budget.nodes += 1;
  if (budget.nodes > MAX_NODES) throw tooLarge();
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    budget.chars += value.length;
    if (budget.chars > MAX_MESSAGE_BYTES) throw tooLarge();
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new MessageError('MESSAGE_NOT_JSON', 'number is not finite', path);
    }
    // JSON has a single zero; -0 would survive a copy but not a round trip through text.
    return value === 0 ? 0 : value;
  }
  if (typeof value !== 'object') {
    throw new MessageError('MESSAGE_NOT_JSON', `a ${typeof value} is not JSON data`, path);
  }
  if (budget.ancestors.has(value)) {
    throw new MessageError('MESSAGE_NOT_JSON', 'cyclic value is not JSON data', path);
  }
  if (depth >= MAX_DEPTH) {
    throw new MessageError('MESSAGE_SCHEMA_VIOLATION', 'nested deeper than any message', path);
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) {
      throw new MessageError('MESSAGE_NOT_JSON', 'array subclass is not JSON data', path);
    }
    const out: JsonValue[] = [];
    budget.ancestors.add(value);
    for (let i = 0; i < value.length; i++) {
      if (!Object.hasOwn(value, i)) {
        throw new MessageError('MESSAGE_NOT_JSON', 'sparse array is not JSON data', path);
      }
      out.push(copy(value[i], `${path}/${i}`, depth + 1, budget));
    }
    budget.ancestors.delete(value);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new MessageError('MESSAGE_NOT_JSON', 'only plain objects are JSON data', path);
  }
  const out: { [key: string]: JsonValue } = {};
  budget.ancestors.add(value);
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'symbol') {
      throw new MessageError('MESSAGE_NOT_JSON', 'symbol keys are not JSON data', path);
    }
    const keyPath = `${path}/${pointerSegment(key)}`;
    if (FORBIDDEN_KEYS.has(key)) {
      throw new MessageError('MESSAGE_SCHEMA_VIOLATION', `forbidden key "${key}"`, keyPath);
    }
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || !('value' in descriptor) || !descriptor.enumerable) {
      throw new MessageError('MESSAGE_NOT_JSON', 'accessor or hidden property', keyPath);
    }
    budget.chars += key.length;
    if (budget.chars > MAX_MESSAGE_BYTES) throw tooLarge();
    out[key] = copy(descriptor.value, keyPath, depth + 1, budget);
  }
  budget.ancestors.delete(value);
  return out;
}

/**
 * Copies an untrusted value into fresh plain JSON data, refusing what JSON cannot carry
 * (`undefined`, functions, symbols, bigints, non-finite numbers, class instances, accessors,
 * sparse arrays) and the {@link FORBIDDEN_KEYS}. The copy shares nothing with the input, so a
 * caller mutating its value afterwards cannot change a validated message.
 *
 * @throws {@link MessageError} `MESSAGE_NOT_JSON`, `MESSAGE_TOO_LARGE` or
 * `MESSAGE_SCHEMA_VIOLATION` (forbidden key, excessive nesting).
 */
export function copyJsonData(value: unknown): JsonValue {
  try {
    return copy(value, '', 0, { nodes: 0, chars: 0, ancestors: new Set() });
  } catch (error) {
    if (error instanceof MessageError) throw error;
    // A Proxy or exotic object threw while being read: it is not plain JSON data.
    throw new MessageError('MESSAGE_NOT_JSON', 'value could not be read as JSON data');
  }
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
