/**
 * Counterparty encoding: asset names and ids, classic and enhanced sends (legacy and CBOR
 * layouts), ARC4 obfuscation, the OP_RETURN carrier, the reading of whole transactions, the
 * Counterparty ledgers, and the channel transactions of asset mode.
 *
 * @module
 */
export * from './errors.js';
export * from './assets.js';
export { MAX_QUANTITY, assertSendQuantity } from './quantity.js';
export { arc4, arc4KeyOfTxid } from './arc4.js';
export {
  CLASSIC_SEND_TYPE,
  COUNTERPARTY_PREFIX,
  ENHANCED_SEND_TYPE,
  TEST_PREFIX,
  packMessageType,
  unpackMessageType,
  type UnpackedMessage,
} from './message-type.js';
export {
  SHORT_ADDRESS_LENGTH,
  type ShortAddressFormat,
  type StandardOutput,
  type UnpackedShortAddress,
  outputScriptAddress,
  packShortAddress,
  standardOutput,
  unpackShortAddress,
} from './addresses.js';
export { type CborValue, decodeCbor, encodeCbor } from './cbor.js';
export { CLASSIC_SEND_LENGTH, type ClassicSendFields } from './classic-send.js';
export {
  type EnhancedSendFields,
  type EnhancedSendLayout,
  LEGACY_ENHANCED_SEND_LENGTH,
  MAX_MEMO_LENGTH,
} from './enhanced-send.js';
export { MAX_OP_RETURN_DATA, opReturnData, opReturnScript } from './op-return.js';
export * from './message.js';
export * from './transaction.js';
export * from './send-outputs.js';
export { firstInputSighashFlags, counterpartySource } from './source.js';
export type { CounterpartyLedger, CounterpartyLedgerTransaction } from './ledger.js';
export { CounterpartyBalances } from './balances.js';
export * from './apply-transaction.js';
export * from './simulated-ledger.js';
export * from './core-rest-ledger.js';
export { type LosslessJson, parseLosslessJson } from './lossless-json.js';
// Asset channels: the six channel transactions as classic sends between the same P2SH addresses.
export * from '../transactions/asset-terms.js';
export * from '../transactions/asset-deposit.js';
export * from '../transactions/asset-commit.js';
export * from '../transactions/asset-spends.js';
export * from '../transactions/asset-budget.js';
export * from './asset-address-guards.js';
export { simulatedAddressHistory } from './simulated-address-history.js';
