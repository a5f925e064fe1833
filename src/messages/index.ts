/**
 * The wire messages between payer and payee (PROTOCOL.md §5): typebox schemas (types,
 * validators and JSON Schema from one source), amount strings, and the codec that decodes
 * untrusted JSON into validated messages and encodes messages canonically.
 *
 * @module
 */
export * from './errors.js';
export * from './amount.js';
export * from './schema.js';
export * from './json-data.js';
export * from './semantics.js';
export * from './codec.js';
export * from './json-schema.js';
