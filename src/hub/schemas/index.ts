/**
 * The hub's JSON-RPC schemas (typebox): the single source of the server's params validation,
 * the client library's answer validation and the generated OpenRPC document.
 *
 * @module
 */
export * from './common.js';
export * from './connect.js';
export * from './events.js';
export * from './methods.js';
export * from './openrpc.js';
export * from './payments.js';
export * from './status.js';
export * from './sync.js';
export * from './validate.js';
