import { decodeRawTransaction, strippedSerialization } from './raw-transaction.js';

/**
 * Virtual size in vbytes: weight (3 × stripped size + total size) divided by 4, rounded up
 * (BIP141). Equal to the byte length for transactions without witnesses.
 *
 * @throws {@link ChainError} `TX_MALFORMED` when the bytes are not one transaction.
 */
export function virtualSize(rawTx: Uint8Array): number {
  const stripped = strippedSerialization(decodeRawTransaction(rawTx)).length;
  return Math.ceil((stripped * 3 + rawTx.length) / 4);
}
