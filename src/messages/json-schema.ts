import type { TSchema } from '@sinclair/typebox';
import { MESSAGE_SCHEMAS, MESSAGE_TYPES } from './schema.js';

/** JSON Schema dialect the generated schemas declare. */
export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

// Drops typebox's symbol-keyed metadata, leaving plain JSON Schema.
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/**
 * The JSON Schema of every wire message, keyed by message `type`, for the generated
 * specification. Each call returns fresh objects.
 *
 * The schemas state the shape of a message; the semantic rules (keys on the curve, scripts
 * that parse, `min <= max`, amount range, distinct secrets) are in the field descriptions and
 * enforced by `decodeMessage`.
 */
export function messageJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const type of MESSAGE_TYPES) {
    out[type] = { $schema: JSON_SCHEMA_DIALECT, ...plain(MESSAGE_SCHEMAS[type]) };
  }
  return out;
}
