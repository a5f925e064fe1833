/**
 * The payment hub: connections of two one-way channels, payments routed between clients,
 * every request signed by the client and every response by the hub, JSON-RPC 2.0 over HTTP.
 *
 * @module
 */
export * from './errors.js';
export * from './deferring-chain.js';
export * from './hub.js';
export * from './journal-store.js';
export * from './outbox.js';
export * from './server.js';
export * from './signing.js';
export * from './stored-wallet.js';
export * from './supervisor.js';
export * from './events.js';
export * from './events-token.js';
export * from './events-http.js';
export * from './config.js';
export * from './config-schema.js';
