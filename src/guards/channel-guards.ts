import { hexToBytes } from '../bytes.js';
import type { Outpoint, TxData } from '../transactions/raw-transaction.js';
import { decodeTransaction, transactionId } from '../transactions/raw-transaction.js';
import { type Check, attempt, fail, pass } from './check.js';

/** Refuses a message addressed to another channel. */
export function checkChannelId(expected: string, message: { readonly channelId: string }): Check {
  return message.channelId === expected
    ? pass(true)
    : fail('WRONG_CHANNEL', `message for channel ${message.channelId}, this is ${expected}`);
}

/** Decodes a chain-reported transaction and checks that it has the reported txid. */
export function checkReportedTransaction(txid: string, rawTx: string): Check<TxData> {
  const decoded = attempt(() => decodeTransaction(hexToBytes(rawTx)));
  if (!decoded.ok) return decoded;
  if (transactionId(decoded.value) !== txid)
    return fail('UNRELATED_TRANSACTION', 'transaction bytes do not match the txid');
  return decoded;
}

/** True when the two outpoints are the same output. */
export function sameOutpoint(a: Outpoint, b: Outpoint): boolean {
  return a.txid === b.txid && a.vout === b.vout;
}

/**
 * Blocks still to be mined before a relative lock of `lock` blocks on an output confirmed at
 * `confirmedHeight` is satisfied: 1 means a spend can go into the next block (BIP68).
 */
export function blocksUntilUnlocked(confirmedHeight: number, lock: number, height: number): number {
  return confirmedHeight + lock - height;
}

/** True when a spend with relative lock `lock` of an output confirmed at `confirmedHeight` can be mined in the next block. */
export function relativeLockPassed(
  confirmedHeight: number | null,
  lock: number,
  height: number,
): boolean {
  return confirmedHeight !== null && blocksUntilUnlocked(confirmedHeight, lock, height) <= 1;
}
