/**
 * picopayments — trustless micropayment channels on Bitcoin: a verified, sans-I/O protocol
 * engine. Layers, bottom up: scripts, transactions, guards, machines, runtime; the simulated
 * chain and in-memory store and transport are the embedded defaults.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './bytes.js';
export * from './scripts/index.js';
export * from './transactions/index.js';
export * from './messages/index.js';
export * from './guards/index.js';
export * from './machines/index.js';
export * from './chain/index.js';
export * from './runtime/index.js';
export * from './crypto/index.js';
export * from './snapshots/index.js';
export * from './counterparty/index.js';
export * from './storage/index.js';
export * from './manager/index.js';
