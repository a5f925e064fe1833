import { sha256 } from '@noble/hashes/sha2.js';
import { RawTx } from '@scure/btc-signer/script.js';
import { bytesToHex, equalBytes } from '../bytes.js';
import { ChainError } from './errors.js';

/** A transaction decoded by @scure/btc-signer's `RawTx` (input txids in display order). */
export type DecodedTransaction = ReturnType<typeof RawTx.decode>;

/**
 * Largest serialization accepted, in bytes: Bitcoin Core's standard weight limit (400 000)
 * bounds the size of any relayable transaction from above.
 */
export const MAX_TRANSACTION_BYTES = 400_000;

/** 21 million bitcoin in satoshis: no output nor sum of outputs may exceed it. */
export const MAX_MONEY = 2_100_000_000_000_000n;

/**
 * Decodes exactly one transaction, insisting that re-encoding gives the same bytes so that
 * trailing bytes and non-canonical encodings are refused.
 *
 * @throws {@link ChainError} `TX_MALFORMED`.
 */
export function decodeRawTransaction(rawTx: Uint8Array): DecodedTransaction {
  if (!(rawTx instanceof Uint8Array)) throw malformed('expected bytes');
  if (rawTx.length > MAX_TRANSACTION_BYTES) throw malformed(`${rawTx.length} bytes is oversized`);
  let tx: DecodedTransaction;
  try {
    tx = RawTx.decode(rawTx);
  } catch (cause: unknown) {
    const reason = cause instanceof Error ? cause.message : 'undecodable';
    throw malformed(`does not decode: ${reason}`);
  }
  let reencoded: Uint8Array;
  try {
    reencoded = RawTx.encode(tx);
  } catch {
    throw malformed('does not re-encode');
  }
  if (!equalBytes(reencoded, rawTx)) throw malformed('non-canonical encoding or trailing bytes');
  if (tx.inputs.length === 0) throw malformed('no inputs');
  if (tx.outputs.length === 0) throw malformed('no outputs');
  let total = 0n;
  for (const output of tx.outputs) {
    if (output.amount > MAX_MONEY) throw malformed('output value above 21 million BTC');
    total += output.amount;
  }
  if (total > MAX_MONEY) throw malformed('outputs sum above 21 million BTC');
  return tx;
}

/** Serialization without marker, flag and witnesses (what the txid commits to). */
export function strippedSerialization(tx: DecodedTransaction): Uint8Array {
  return RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined });
}

/** Txid in display (RPC) byte order: reversed double SHA-256 of the stripped serialization. */
export function txidOfDecoded(tx: DecodedTransaction): string {
  return bytesToHex(sha256(sha256(strippedSerialization(tx))).reverse());
}

function malformed(reason: string): ChainError {
  return new ChainError('TX_MALFORMED', reason);
}
