/**
 * Payer and payee lifecycles as XState v5 machines over pure guards; effects as data.
 *
 * @module
 */
export * from './context.js';
export * from './effects.js';
export * from './events.js';
export * from './bookkeeping.js';
export * from './revoke-secrets.js';
export * from './initial-context.js';
export * from './asset-mode.js';
export * from './asset-readings.js';
export * from './payee-machine.js';
export * from './payer-machine.js';
