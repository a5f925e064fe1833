/**
 * The six channel transactions: built, signed and verified. Foreign signatures are checked
 * strictly (DER, low-S, SIGHASH_ALL) before anything relies on them.
 *
 * @module
 */
export * from './errors.js';
export * from './raw-transaction.js';
export * from './fees.js';
export * from './signatures.js';
export * from './keys.js';
export * from './p2sh-signing.js';
export * from './commit-transaction.js';
export * from './spend-transactions.js';
export * from './sign-unsigned.js';
export * from './deposit-transaction.js';
export * from './deposit-psbt.js';
