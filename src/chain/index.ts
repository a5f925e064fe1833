/**
 * The chain layer: the {@link Chain} interface the runtime talks to and the in-memory
 * {@link SimulatedChain} that is its embedded default.
 *
 * @module
 */
export type {
  Chain,
  ChainOutput,
  ChainTransaction,
  Outpoint,
  ScriptVerifier,
  ScriptVerifyResult,
} from './chain.js';
export { ChainError, type ChainErrorCode } from './errors.js';
export {
  type DecodedTransaction,
  decodeRawTransaction,
  MAX_MONEY,
  MAX_TRANSACTION_BYTES,
} from './raw-transaction.js';
export {
  type ReorgResult,
  SimulatedChain,
  type SimulatedBlock,
  type SimulatedChainOptions,
  type SimulatedUtxo,
  type SpendRecord,
} from './simulated-chain.js';
export { virtualSize } from './vsize.js';
