import { sha256 } from '@noble/hashes/sha2.js';
import { RawTx } from '@scure/btc-signer/script.js';
import { bytesToHex } from '../bytes.js';
import { TransactionError } from './errors.js';
import { decodeWire, encodeWire, wireLength } from './wire-coder.js';

/** A transaction input as carried in raw bytes. `txid` is in display (RPC) byte order. */
export interface TxInput {
  readonly txid: Uint8Array;
  readonly index: number;
  readonly scriptSig: Uint8Array;
  readonly sequence: number;
}

/** A transaction output. */
export interface TxOutput {
  readonly value: bigint;
  readonly script: Uint8Array;
}

/** A decoded transaction. Witness data, when present, is kept opaque. */
export interface TxData {
  readonly version: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  readonly lockTime: number;
  readonly witnesses?: readonly (readonly Uint8Array[])[] | undefined;
}

/** An output reference: transaction id (hex, display order) and output index. */
export interface Outpoint {
  readonly txid: string;
  readonly vout: number;
}

/** nSequence of an input without relative lock and without replaceability. */
export const FINAL_SEQUENCE = 0xffffffff;

/**
 * Decodes a raw transaction, requiring every byte to be consumed.
 *
 * @throws {@link TransactionError} `TX_MALFORMED` for anything else.
 */
export function decodeTransaction(raw: Uint8Array): TxData {
  if (!(raw instanceof Uint8Array))
    throw new TransactionError('TX_MALFORMED', 'transaction must be bytes');
  const wire = decodeWire(raw);
  if (wire) return { ...wire, witnesses: undefined };
  try {
    return decodeWithRawTx(raw);
  } catch (cause) {
    throw new TransactionError('TX_MALFORMED', `not a transaction: ${(cause as Error).message}`);
  }
}

/**
 * Decodes with `@scure/btc-signer`'s generic `RawTx` coder: the path for every shape the wire
 * coder does not cover, and the reference the wire coder is tested against.
 *
 * @throws whatever `RawTx` throws for bytes it refuses.
 */
export function decodeWithRawTx(raw: Uint8Array): TxData {
  const tx = RawTx.decode(raw);
  return {
    version: tx.version,
    inputs: tx.inputs.map((i) => ({
      txid: Uint8Array.from(i.txid),
      index: i.index,
      scriptSig: Uint8Array.from(i.finalScriptSig),
      sequence: i.sequence,
    })),
    outputs: tx.outputs.map((o) => ({ value: o.amount, script: Uint8Array.from(o.script) })),
    lockTime: tx.lockTime,
    witnesses: tx.segwitFlag ? tx.witnesses : undefined,
  };
}

/** Serializes a transaction (with witnesses when it has any). */
export function encodeTransaction(tx: TxData, withWitness = true): Uint8Array {
  const segwit = withWitness && tx.witnesses?.some((w) => w.length > 0);
  if (!segwit) {
    const wire = encodeWire(tx);
    if (wire) return wire;
  }
  return RawTx.encode({
    version: tx.version,
    segwitFlag: segwit,
    inputs: tx.inputs.map((i) => ({
      txid: i.txid,
      index: i.index,
      finalScriptSig: i.scriptSig,
      sequence: i.sequence,
    })),
    outputs: tx.outputs.map((o) => ({ amount: o.value, script: o.script })),
    witnesses: segwit ? tx.witnesses?.map((w) => [...w]) : undefined,
    lockTime: tx.lockTime,
  });
}

/** The transaction id: double SHA-256 of the serialization without witnesses, byte-reversed, as hex. */
export function transactionId(tx: TxData): string {
  return bytesToHex(sha256(sha256(encodeTransaction(tx, false))).reverse());
}

/** The transaction id of raw bytes. @throws {@link TransactionError} `TX_MALFORMED`. */
export function rawTransactionId(raw: Uint8Array): string {
  return transactionId(decodeTransaction(raw));
}

/** Virtual size (weight / 4, rounded up) of a transaction. */
export function virtualSizeOf(tx: TxData): number {
  // Without witness data both encodings are the same bytes: their length is enough.
  if (!tx.witnesses?.some((w) => w.length > 0)) {
    const length = wireLength(tx);
    if (length !== null) return length;
  }
  const base = encodeTransaction(tx, false).length;
  const total = encodeTransaction(tx, true).length;
  return Math.ceil((base * 3 + total) / 4);
}

/** Replaces the scriptSig of one input, returning a new transaction. */
export function withScriptSig(tx: TxData, inputIndex: number, scriptSig: Uint8Array): TxData {
  return {
    ...tx,
    inputs: tx.inputs.map((input, i) => (i === inputIndex ? { ...input, scriptSig } : input)),
  };
}
