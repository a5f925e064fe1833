import {
  type DecodedTransaction,
  decodeRawTransaction,
  strippedSerialization,
} from './raw-transaction.js';

/**
 * Virtual size in vbytes of an already decoded transaction whose full serialization is
 * `totalBytes` long: weight (3 × stripped size + total size) divided by 4, rounded up (BIP141).
 */
export function decodedVirtualSize(tx: DecodedTransaction, totalBytes: number): number {
  return Math.ceil((strippedSerialization(tx).length * 3 + totalBytes) / 4);
}

/**
 * Virtual size in vbytes of a serialized transaction. Equal to the byte length for transactions
 * without witnesses.
 *
 * @throws {@link ChainError} `TX_MALFORMED` when the bytes are not one transaction.
 */
export function virtualSize(rawTx: Uint8Array): number {
  return decodedVirtualSize(decodeRawTransaction(rawTx), rawTx.length);
}
