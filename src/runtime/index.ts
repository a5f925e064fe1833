/**
 * The runtime: drives a machine through `Chain`, `Transport` and `Store`, with in-memory
 * defaults, and the channel API embedders use.
 *
 * @module
 */
export * from './store.js';
export * from './transport.js';
export * from './wallet.js';
export * from './channel-runtime.js';
export * from './channels.js';
export * from './runtime-errors.js';
export * from './incremental-store.js';
export * from './json-delta.js';
export * from './asset-view.js';
