import { hexToBytes } from '../bytes.js';
import { TransactionError } from './errors.js';
import { assertPrivateKey } from './keys.js';
import type { TxData } from './raw-transaction.js';
import { legacySighash, signHash } from './signatures.js';

/**
 * The placeholder the reference implementation puts in the payee's signature slot of a
 * payer-signed commit: a maximal-size DER signature (r = n-1, s = n/2) with SIGHASH_ALL. Keeping
 * it makes our half-signed commits byte-identical to the reference's.
 */
export const PAYEE_SIGNATURE_PLACEHOLDER = hexToBytes(
  '3045022100fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140' +
    '02207fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a001',
);

/** A stand-in for a signature of the largest size (73 bytes), used to size transactions before signing. */
export const MAX_SIZE_SIGNATURE = new Uint8Array(73).fill(0x30);

/**
 * Signs input `inputIndex` of `tx`, which spends a P2SH output with `redeemScript`, with
 * SIGHASH_ALL. Returns the pushed signature bytes (DER plus sighash byte).
 *
 * @throws {@link TransactionError} `TX_INVALID_KEY` or `TX_INVALID_PARAMS`.
 */
export function signP2shInput(
  tx: TxData,
  inputIndex: number,
  redeemScript: Uint8Array,
  privateKey: Uint8Array,
): Uint8Array {
  assertPrivateKey(privateKey);
  if (inputIndex < 0 || inputIndex >= tx.inputs.length) {
    throw new TransactionError('TX_INVALID_PARAMS', `no input ${inputIndex}`);
  }
  return signHash(legacySighash(tx, inputIndex, redeemScript), privateKey);
}
