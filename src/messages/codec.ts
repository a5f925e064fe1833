import { KindGuard, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { MessageError } from './errors.js';
import {
  type JsonValue,
  MAX_MESSAGE_BYTES,
  copyJsonData,
  isJsonObject,
  utf8Length,
} from './json-data.js';
import {
  type ChannelMessage,
  MESSAGE_PROTOCOL,
  MESSAGE_SCHEMAS,
  MESSAGE_TYPES,
  type MessageType,
} from './schema.js';
import { checkMessageSemantics } from './semantics.js';

// Compiled once at module load: compiling is far costlier than checking.
const CHECKERS: { readonly [T in MessageType]: TypeCheck<TSchema> } = {
  offer: TypeCompiler.Compile(MESSAGE_SCHEMAS.offer),
  deposit: TypeCompiler.Compile(MESSAGE_SCHEMAS.deposit),
  'deposit-funded': TypeCompiler.Compile(MESSAGE_SCHEMAS['deposit-funded']),
  'revoke-hash': TypeCompiler.Compile(MESSAGE_SCHEMAS['revoke-hash']),
  commit: TypeCompiler.Compile(MESSAGE_SCHEMAS.commit),
  'revoke-secrets': TypeCompiler.Compile(MESSAGE_SCHEMAS['revoke-secrets']),
  'revoke-secrets-ack': TypeCompiler.Compile(MESSAGE_SCHEMAS['revoke-secrets-ack']),
  close: TypeCompiler.Compile(MESSAGE_SCHEMAS.close),
};

const KNOWN_TYPES: ReadonlySet<string> = new Set(MESSAGE_TYPES);

// Rebuilds `value` with keys in the order the schema declares them, so that encoding is
// canonical: equal messages always encode to the same text.
function orderBySchema(value: JsonValue, schema: TSchema): JsonValue {
  if (KindGuard.IsObject(schema) && isJsonObject(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, property] of Object.entries(schema.properties)) {
      const child = value[key];
      if (child !== undefined) out[key] = orderBySchema(child, property);
    }
    return out;
  }
  if (KindGuard.IsArray(schema) && Array.isArray(value)) {
    return value.map((item) => orderBySchema(item, schema.items));
  }
  return value;
}

// Validates plain JSON data as a message and returns its canonical form.
function validateData(data: JsonValue): ChannelMessage {
  if (!isJsonObject(data)) {
    throw new MessageError('MESSAGE_NOT_OBJECT', 'a message must be a JSON object');
  }
  if (data.protocol !== MESSAGE_PROTOCOL) {
    throw new MessageError(
      'MESSAGE_UNKNOWN_PROTOCOL',
      `protocol must be "${MESSAGE_PROTOCOL}"`,
      '/protocol',
    );
  }
  const type = data.type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    throw new MessageError('MESSAGE_UNKNOWN_TYPE', 'unknown message type', '/type');
  }
  const checker = CHECKERS[type as MessageType];
  if (!checker.Check(data)) {
    const first = checker.Errors(data).First();
    throw new MessageError(
      'MESSAGE_SCHEMA_VIOLATION',
      first?.message ?? 'does not match the schema',
      first?.path ?? '',
    );
  }
  const message = data as ChannelMessage;
  checkMessageSemantics(message);
  return orderBySchema(message, MESSAGE_SCHEMAS[message.type]) as ChannelMessage;
}

// Array.isArray throws on a revoked Proxy; such a value is not JSON data.
function isArray(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    throw new MessageError('MESSAGE_NOT_JSON', 'value could not be read as JSON data');
  }
}

// Copies an untrusted, already-parsed value and validates it. `measured` is set when the
// value came from text whose size was already checked.
function validateValue(value: unknown, measured = false): ChannelMessage {
  // Shape first, so that a huge or deeply nested array is refused without walking it.
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    throw new MessageError('MESSAGE_NOT_OBJECT', 'a message must be a JSON object');
  }
  if (typeof value === 'string' || isArray(value)) {
    throw new MessageError('MESSAGE_NOT_OBJECT', 'a message must be a JSON object');
  }
  const data = copyJsonData(value);
  if (!isJsonObject(data)) {
    throw new MessageError('MESSAGE_NOT_OBJECT', 'a message must be a JSON object');
  }
  // Same bound as for text, so both entry points accept the same messages.
  if (!measured && utf8Length(JSON.stringify(data)) > MAX_MESSAGE_BYTES) {
    throw new MessageError('MESSAGE_TOO_LARGE', `message exceeds ${MAX_MESSAGE_BYTES} bytes`);
  }
  return validateData(data);
}

/**
 * Decodes and fully validates a wire message: JSON syntax, size, shape (no unknown or
 * prototype-polluting keys), schema, and the semantic checks of
 * {@link checkMessageSemantics}.
 *
 * @param input - The JSON text, or an already-parsed value. A `string` is always read as JSON
 * text (a message is never a bare string).
 * @returns A fresh message, sharing nothing with `input`, with keys in canonical order.
 * @throws {@link MessageError} and nothing else, whatever the input.
 */
export function decodeMessage(input: string | unknown): ChannelMessage {
  if (typeof input !== 'string') return validateValue(input);
  // Checked before parsing so that an oversized text costs no parsing work.
  if (utf8Length(input) > MAX_MESSAGE_BYTES) {
    throw new MessageError('MESSAGE_TOO_LARGE', `message exceeds ${MAX_MESSAGE_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new MessageError('MESSAGE_NOT_JSON', 'text is not valid JSON');
  }
  return validateValue(parsed, true);
}

/**
 * Encodes a message as canonical JSON text (keys in schema order, no whitespace) after
 * validating it exactly as {@link decodeMessage} would.
 *
 * @throws {@link MessageError} when `message` is not a valid message.
 */
export function encodeMessage(message: ChannelMessage): string {
  return JSON.stringify(validateValue(message));
}

/** True when `value` (an already-parsed value, not text) is a valid wire message. */
export function isChannelMessage(value: unknown): value is ChannelMessage {
  try {
    validateValue(value);
    return true;
  } catch (error) {
    if (error instanceof MessageError) return false;
    throw error;
  }
}
