/**
 * The channel manager: many channels over one chain, one store and one transport factory,
 * with a chain follower, message routing by channel id and typed events.
 *
 * @module
 */
export * from './errors.js';
export * from './events.js';
export * from './channel-index.js';
export * from './channel-manager.js';
export type { AnyChannel } from './channel-observer.js';
export * from './fee-bump-policy.js';
export { type BumpReport, FeeBumper, type PendingSpend, pendingSpends } from './fee-bumper.js';
export {
  affordableFeeRate,
  type BumpableSpend,
  paidFeeRate,
  readBumpableSpend,
} from './fee-bump-spend.js';
