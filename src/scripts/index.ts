/**
 * The byte-exact script layer: redeem-script templates, unlocking scripts for the five spend
 * paths, script numbers, HASH160, secrets and P2SH addressing. Pure; depends on nothing above it.
 *
 * @module
 */
export * from './errors.js';
export * from './opcodes.js';
export * from './script-tokens.js';
export * from './script-number.js';
export * from './hash.js';
export * from './keys.js';
export * from './secrets.js';
export * from './template.js';
export * from './deposit-script.js';
export * from './commit-script.js';
export * from './unlocking-scripts.js';
export * from './networks.js';
export * from './p2sh.js';
export * from './secret-extraction.js';
export * from './key-output-scripts.js';
