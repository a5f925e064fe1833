/**
 * The client library of the payment hub: connect, pay other clients through the hub, sync,
 * close; every request signed, every answer checked against the hub's key.
 *
 * @module
 */
export * from './errors.js';
export * from './hub-client.js';
export * from './subscription.js';
export * from './types.js';
