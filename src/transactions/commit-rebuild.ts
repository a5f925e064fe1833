import { equalBytes, hexToBytes } from '../bytes.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { buildUnlockingScript, parseUnlockingScript } from '../scripts/unlocking-scripts.js';
import type { DepositOutput } from './commit-transaction.js';
import { PAYEE_SIGNATURE_PLACEHOLDER } from './p2sh-signing.js';
import {
  FINAL_SEQUENCE,
  type TxData,
  decodeTransaction,
  encodeTransaction,
} from './raw-transaction.js';

/**
 * Rebuilding a payer-signed commit transaction from the few fields that vary between commits
 * of one channel, so that a party can store those fields instead of the transaction.
 *
 * A commit of a channel is fixed by the deposit, the deposit script and the commit script
 * except for its amount, its fee and the payer's signature (see {@link createCommit}): one input
 * spending the deposit through the 2-of-2 branch with a final nSequence, version 2, nLockTime 0,
 * the commit output first and a remainder back to P2SH(deposit script) when the fee leaves one.
 *
 * @module
 */

/** What varies between the commits of one channel. */
export interface CommitParts {
  /** Amount paid to P2SH(commit script), satoshis. */
  readonly amount: bigint;
  /** Deposit value less the outputs, satoshis; the remainder output is absent when it leaves 0. */
  readonly fee: bigint;
  /** The payer's pushed signature (DER plus sighash byte). */
  readonly payerSignature: Uint8Array;
}

/** The channel constants a commit is rebuilt from. */
export interface CommitFrame {
  readonly deposit: DepositOutput;
  readonly depositScript: Uint8Array;
  readonly commitScript: Uint8Array;
}

function commitTx(frame: CommitFrame, amount: bigint, fee: bigint, scriptSig: Uint8Array): TxData {
  const remainder = frame.deposit.value - amount - fee;
  const outputs = [{ value: amount, script: p2shOutputScript(frame.commitScript) }];
  if (remainder > 0n)
    outputs.push({ value: remainder, script: p2shOutputScript(frame.depositScript) });
  return {
    version: 2,
    inputs: [
      {
        txid: hexToBytes(frame.deposit.outpoint.txid),
        index: frame.deposit.outpoint.vout,
        scriptSig,
        sequence: FINAL_SEQUENCE,
      },
    ],
    outputs,
    lockTime: 0,
  };
}

/**
 * The payer-signed commit (payee slot holding the placeholder) made of `parts` in `frame`, as
 * raw bytes. Its signature is not checked here: rebuilding only reproduces bytes.
 */
export function rebuildPayerSignedCommit(frame: CommitFrame, parts: CommitParts): Uint8Array {
  const scriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature: parts.payerSignature,
    payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
    depositScript: frame.depositScript,
  });
  return encodeTransaction(commitTx(frame, parts.amount, parts.fee, scriptSig));
}

/**
 * The parts of a payer-signed commit, when {@link rebuildPayerSignedCommit} gives back exactly
 * `rawTx` from them; null for any transaction that is not a canonical commit of `frame` (it must
 * then be kept whole).
 */
export function commitPartsOf(rawTx: Uint8Array, frame: CommitFrame): CommitParts | null {
  try {
    const tx = decodeTransaction(rawTx);
    const input = tx.inputs[0];
    const first = tx.outputs[0];
    if (!input || !first) return null;
    const spend = parseUnlockingScript(input.scriptSig);
    if (spend.kind !== 'commit') return null;
    const outputs = tx.outputs.reduce((sum, o) => sum + o.value, 0n);
    const parts = {
      amount: first.value,
      fee: frame.deposit.value - outputs,
      payerSignature: spend.payerSignature,
    };
    if (parts.fee < 0n) return null;
    return equalBytes(rebuildPayerSignedCommit(frame, parts), rawTx) ? parts : null;
  } catch {
    return null;
  }
}
