import { hexToBytes } from '../bytes.js';
import { decodeTransaction, virtualSizeOf } from '../transactions/raw-transaction.js';

/**
 * Incremental relay fee rate (sat/vB) a replacement pays on its own size on top of what it
 * evicts: Bitcoin Core's default `-incrementalrelayfee` (0.00001 BTC/kvB).
 */
export const INCREMENTAL_RELAY_FEE_RATE = 1;

/** What a replacement has to beat: the fee and virtual size of the transaction it evicts. */
export interface ConflictingSpend {
  readonly fee: bigint;
  readonly vsize: number;
}

/**
 * The fee and size of a transaction spending one output of `spentValue`, read from its raw
 * bytes; null when the bytes do not decode or pay out more than they spend.
 */
export function conflictingSpendOf(rawTx: string, spentValue: bigint): ConflictingSpend | null {
  let tx: ReturnType<typeof decodeTransaction>;
  try {
    tx = decodeTransaction(hexToBytes(rawTx));
  } catch {
    return null;
  }
  const paid = tx.outputs.reduce((sum, output) => sum + output.value, 0n);
  if (paid > spentValue) return null;
  return { fee: spentValue - paid, vsize: virtualSizeOf(tx) };
}

/**
 * The smallest fee with which a transaction of `vsize` virtual bytes replaces `conflict` in a
 * mempool with full replace-by-fee (BIP125 rules 3 and 4 as Bitcoin Core applies them): more
 * than the conflict's absolute fee by the incremental relay fee on its own size (at least
 * `bumpRate` sat/vB), and a strictly higher fee rate.
 */
export function replacementFee(
  conflict: ConflictingSpend,
  vsize: number,
  bumpRate: number,
): bigint {
  const rate = Math.max(INCREMENTAL_RELAY_FEE_RATE, bumpRate);
  const byAbsolute = conflict.fee + BigInt(Math.ceil(rate * vsize));
  // fee / vsize > conflict.fee / conflict.vsize, in whole satoshis.
  const byRate = (conflict.fee * BigInt(vsize)) / BigInt(conflict.vsize) + 1n;
  return byAbsolute > byRate ? byAbsolute : byRate;
}

/** The fee a spend of one output of `spentValue` pays, read from its raw bytes (0 when unreadable). */
export function feeOfSpend(rawTx: string, spentValue: bigint): bigint {
  return conflictingSpendOf(rawTx, spentValue)?.fee ?? 0n;
}
