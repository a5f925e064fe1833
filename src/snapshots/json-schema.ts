import type { TSchema } from '@sinclair/typebox';
import { JSON_SCHEMA_DIALECT } from '../messages/json-schema.js';
import { ChannelSnapshotEnvelopeSchema } from './schema.js';

// Drops typebox's symbol-keyed metadata, leaving plain JSON Schema.
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/**
 * The JSON Schema of a persisted channel snapshot (envelope, XState snapshot and both
 * contexts), for the generated specification. Each call returns a fresh object.
 *
 * The schema states the shape; the semantic rules (keys, scripts, secrets, commit signatures,
 * amounts, records, the state value) are enforced by `decodeChannelSnapshot`.
 */
export function snapshotJsonSchema(): Record<string, unknown> {
  return { $schema: JSON_SCHEMA_DIALECT, ...plain(ChannelSnapshotEnvelopeSchema) };
}
