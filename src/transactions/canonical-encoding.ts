import { bytesToHex, hexToBytes } from '../bytes.js';
import { buildUnlockingScript, parseUnlockingScript } from '../scripts/unlocking-scripts.js';
import {
  type TxData,
  decodeTransaction,
  encodeTransaction,
  withScriptSig,
} from './raw-transaction.js';

/**
 * The transaction with each scriptSig that is one of our spend paths re-encoded canonically.
 * A transaction found on chain may carry a third party's re-encoding (same signatures, other
 * txid); its signatures are checked on the canonical form, which they equally cover.
 */
export function canonicalSpendEncoding(rawTx: string): string {
  let tx: TxData;
  try {
    tx = decodeTransaction(hexToBytes(rawTx));
  } catch {
    return rawTx; // Left to the caller's checks, which report it.
  }
  tx.inputs.forEach((input, index) => {
    try {
      const spend = parseUnlockingScript(input.scriptSig, { canonical: false });
      tx = withScriptSig(tx, index, buildUnlockingScript(spend));
    } catch {
      // Not one of our spend paths: kept as it is.
    }
  });
  return bytesToHex(encodeTransaction(tx));
}
