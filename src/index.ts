/**
 * picopayments — trustless micropayment channels on Bitcoin.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './bytes.js';
export * from './scripts/index.js';
