/**
 * The chain layer: the {@link Chain} interface the runtime talks to, the in-memory
 * {@link SimulatedChain} that is its embedded default, and two adapters to real chains:
 * {@link BitcoinCoreChain} over Bitcoin Core's JSON-RPC and {@link EsploraChain} over the
 * Esplora REST API.
 *
 * @module
 */
export type {
  Chain,
  ChainOutput,
  ChainTransaction,
  ChainWatchRequest,
  Outpoint,
  ScriptVerifier,
  ScriptVerifyResult,
} from './chain.js';
export { DEFAULT_DUST_RELAY_FEE_RATE, type RelayPolicy } from './relay-policy.js';
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
  type SimulatedBlockDetail,
  type SimulatedChainOptions,
  type SimulatedUtxo,
  type SpendRecord,
} from './simulated-chain.js';
export { virtualSize } from './vsize.js';
export {
  BLOCK_HEADER_BYTES,
  type BlockHeaderFields,
  blockHashOf,
  decodeBlockHeader,
  encodeBlockHeader,
  merkleRootOf,
} from './block-header.js';
export {
  BitcoinCoreChain,
  type BitcoinCoreChainOptions,
} from './bitcoin-core/bitcoin-core-chain.js';
export {
  type ChainCursorStore,
  type FollowerState,
  type IndexedConfirmation,
  JsonFileCursorStore,
  MemoryCursorStore,
  parseFollowerState,
} from './bitcoin-core/cursor-store.js';
export { codeOfRejectReason } from './bitcoin-core/reject-reasons.js';
export {
  type CoreRpcAuth,
  CoreRpcClient,
  type CoreRpcClientOptions,
} from './bitcoin-core/rpc-client.js';
export { EsploraChain, type EsploraChainOptions } from './esplora/esplora-chain.js';
export { DEFAULT_RETRY, type RetryPolicy } from './http/retry.js';
export * from './esplora/esplora-address-index.js';
