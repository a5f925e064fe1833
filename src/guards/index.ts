/**
 * Pure checks used as XState guards and by the public API. A failing check says why, with a
 * stable code.
 *
 * @module
 */
export * from './check.js';
export * from './channel-guards.js';
export * from './payee-guards.js';
export * from './payer-guards.js';
