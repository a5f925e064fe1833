import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { expect } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/bytes.js';
import {
  buildCommitScript,
  buildDepositScript,
  buildUnlockingScript,
  hash160,
  p2shOutputScript,
} from '../../src/scripts/index.js';
import {
  type DepositOutput,
  PAYEE_SIGNATURE_PLACEHOLDER,
  TransactionError,
  type TransactionErrorCode,
  type TxData,
  decodeTransaction,
  encodeTransaction,
  signP2shInput,
  withScriptSig,
} from '../../src/transactions/index.js';
import { verifyInputWithBitcore } from '../support/bitcore-verifier.js';

/**
 * Every code of {@link TransactionErrorCode}; a record so that a new code without an entry here
 * is a compile error.
 */
const CODE_RECORD: Record<TransactionErrorCode, true> = {
  TX_MALFORMED: true,
  TX_INVALID_PARAMS: true,
  TX_INVALID_KEY: true,
  TX_WRONG_KEY: true,
  TX_WRONG_SECRET: true,
  TX_BAD_SCRIPT: true,
  TX_UNSIGNED: true,
  TX_BAD_SIGNATURE_FORMAT: true,
  TX_BAD_SIGNATURE: true,
  TX_WRONG_INPUT: true,
  TX_WRONG_OUTPUTS: true,
  TX_WRONG_FIELDS: true,
  TX_AMOUNT_OUT_OF_RANGE: true,
  TX_FEE_TOO_LOW: true,
  TX_INSUFFICIENT_FUNDS: true,
};

/** All transaction error codes. */
export const TX_ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(CODE_RECORD));

/** Order of the secp256k1 group. */
export const CURVE_N = secp256k1.Point.CURVE().n;

/** A deterministic private key derived from a label (never a CSPRNG, so failures replay). */
export function keyFromLabel(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(`picopayments test key ${label}`));
}

/** A deterministic 32-byte secret derived from a label. */
export function secretFromLabel(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(`picopayments test secret ${label}`));
}

/** A 64-hex txid derived from a label. */
export function txidFromLabel(label: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(`picopayments test txid ${label}`)));
}

/** Compressed public key of a private key. */
export const pub = (priv: Uint8Array): Uint8Array => secp256k1.getPublicKey(priv, true);

/** A payer/payee channel with one deposit, one commit script and the secrets behind them. */
export interface Channel {
  readonly payerKey: Uint8Array;
  readonly payeeKey: Uint8Array;
  readonly spendSecret: Uint8Array;
  readonly revokeSecret: Uint8Array;
  readonly expireTime: number;
  readonly delayTime: number;
  readonly depositScript: Uint8Array;
  readonly commitScript: Uint8Array;
  readonly deposit: DepositOutput;
  /** P2SH(deposit script). */
  readonly depositOut: Uint8Array;
  /** P2SH(commit script). */
  readonly commitOut: Uint8Array;
}

/** Options of {@link makeChannel}. */
export interface ChannelOptions {
  readonly label?: string;
  readonly payerKey?: Uint8Array;
  readonly payeeKey?: Uint8Array;
  readonly spendSecret?: Uint8Array;
  readonly revokeSecret?: Uint8Array;
  readonly expireTime?: number;
  readonly delayTime?: number;
  readonly value?: bigint;
  readonly outpoint?: { txid: string; vout: number };
}

/** Builds a channel from options, filling the rest deterministically from `label`. */
export function makeChannel(options: ChannelOptions = {}): Channel {
  const label = options.label ?? 'default';
  const payerKey = options.payerKey ?? keyFromLabel(`${label} payer`);
  const payeeKey = options.payeeKey ?? keyFromLabel(`${label} payee`);
  const spendSecret = options.spendSecret ?? secretFromLabel(`${label} spend`);
  const revokeSecret = options.revokeSecret ?? secretFromLabel(`${label} revoke`);
  const expireTime = options.expireTime ?? 144;
  const delayTime = options.delayTime ?? 5;
  const depositScript = buildDepositScript({
    payerPubkey: pub(payerKey),
    payeePubkey: pub(payeeKey),
    spendSecretHash: hash160(spendSecret),
    expireTime,
  });
  const commitScript = buildCommitScript({
    payerPubkey: pub(payerKey),
    payeePubkey: pub(payeeKey),
    spendSecretHash: hash160(spendSecret),
    revokeSecretHash: hash160(revokeSecret),
    delayTime,
  });
  return {
    payerKey,
    payeeKey,
    spendSecret,
    revokeSecret,
    expireTime,
    delayTime,
    depositScript,
    commitScript,
    deposit: {
      outpoint: options.outpoint ?? { txid: txidFromLabel(`${label} funding`), vout: 1 },
      value: options.value ?? 100_000n,
    },
    depositOut: p2shOutputScript(depositScript),
    commitOut: p2shOutputScript(commitScript),
  };
}

/**
 * Runs `fn`, requires a {@link TransactionError} with `code`, and returns it.
 */
export function expectTxError(fn: () => unknown, code: TransactionErrorCode): TransactionError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code} to be thrown`).toBeInstanceOf(TransactionError);
  const error = thrown as TransactionError;
  expect(error.code, error.message).toBe(code);
  return error;
}

/** bitcore's verdict on input `inputIndex` of `tx` spending (`script`, `value`), standard flags unless given. */
export function bitcore(
  tx: Uint8Array,
  script: Uint8Array,
  value: bigint,
  inputIndex = 0,
  flags?: number,
): { ok: true } | { ok: false; error: string } {
  return verifyInputWithBitcore({
    tx,
    inputIndex,
    prevOutScript: script,
    prevOutValue: value,
    ...(flags === undefined ? {} : { flags }),
  });
}

/** Minimal DER encoding of an unsigned integer for a signature (leading 0x00 when the top bit is set). */
function derInteger(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const digits = hexToBytes(hex);
  const bytes = digits[0]! & 0x80 ? concatBytes(Uint8Array.of(0), digits) : digits;
  return concatBytes(Uint8Array.of(0x02, bytes.length), bytes);
}

/** A DER signature with sighash byte from (r, s). */
export function encodeSignature(r: bigint, s: bigint, sighash = 0x01): Uint8Array {
  const body = concatBytes(derInteger(r), derInteger(s));
  return concatBytes(Uint8Array.of(0x30, body.length), body, Uint8Array.of(sighash));
}

/** The (r, s) of a DER signature with sighash byte. */
export function decodeSignature(sig: Uint8Array): { r: bigint; s: bigint } {
  const lenR = sig[3]!;
  const lenS = sig[5 + lenR]!;
  const big = (b: Uint8Array) => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
  return { r: big(sig.subarray(4, 4 + lenR)), s: big(sig.subarray(6 + lenR, 6 + lenR + lenS)) };
}

/** The high-S twin (r, n - s) of a valid low-S signature: mathematically valid, non-standard. */
export function highS(sig: Uint8Array): Uint8Array {
  const { r, s } = decodeSignature(sig);
  return encodeSignature(r, CURVE_N - s, sig[sig.length - 1]!);
}

/** Re-signs a (modified) commit as the payer, leaving the payee placeholder in place. */
export function resignCommit(tx: TxData, channel: Channel, payerKey = channel.payerKey): TxData {
  const payerSignature = signP2shInput(tx, 0, channel.depositScript, payerKey);
  return withScriptSig(
    tx,
    0,
    buildUnlockingScript({
      kind: 'commit',
      payerSignature,
      payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
      depositScript: channel.depositScript,
    }),
  );
}

/** Decodes, applies `edit`, re-signs as payer, and encodes. */
export function editCommit(
  raw: Uint8Array,
  channel: Channel,
  edit: (tx: TxData) => TxData,
): Uint8Array {
  return encodeTransaction(resignCommit(edit(decodeTransaction(raw)), channel));
}

/** Sum of output values. */
export function outputTotal(tx: TxData): bigint {
  return tx.outputs.reduce((sum, o) => sum + o.value, 0n);
}

/** Output scripts of a public key, from the script layer. */
export {
  p2pkhOutputScript as p2pkhScript,
  p2wpkhOutputScript as p2wpkhScript,
} from '../../src/scripts/key-output-scripts.js';
