/**
 * Persisted channel snapshots: a versioned envelope around the XState persisted snapshot,
 * typebox schemas of both machine contexts (types, validators and JSON Schema from one
 * source), and a decoder that checks a snapshot in full before a machine may run from it.
 *
 * @module
 */
export * from './errors.js';
export * from './schema.js';
export * from './state-value.js';
export * from './semantics.js';
export * from './codec.js';
export * from './json-schema.js';
