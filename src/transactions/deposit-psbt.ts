import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { bytesToHex, concatBytes, equalBytes } from '../bytes.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { hash160 } from '../scripts/hash.js';
import type { NetworkName } from '../scripts/networks.js';
import { p2shAddress, p2shOutputScript } from '../scripts/p2sh.js';
import { TRANSACTION_VERSION } from './commit-transaction.js';
import type { DepositTransaction } from './deposit-transaction.js';
import { TransactionError } from './errors.js';
import { assertAmount, assertFeeRate, dustThreshold } from './fees.js';
import {
  type TxData,
  type TxOutput,
  decodeTransaction,
  encodeTransaction,
  transactionId,
  virtualSizeOf,
} from './raw-transaction.js';
import { SIGHASH_ALL, assertValidSignature, legacySighash } from './signatures.js';

// ---------------------------------------------------------------------------------------------
// Limits and defaults.
// ---------------------------------------------------------------------------------------------

/** Default floor of the fee rate (sat/vB): Bitcoin Core's default minimum relay fee. */
export const DEFAULT_FUNDING_MIN_FEE_RATE = 1;

/**
 * Default ceiling of the fee rate (sat/vB). Far above any fee market seen so far, far below what
 * a wallet lying about its inputs could make the payer pay.
 */
export const DEFAULT_FUNDING_MAX_FEE_RATE = 1000;

/**
 * Default ceiling of a funded PSBT's size in bytes. `non_witness_utxo` carries whole previous
 * transactions, so a PSBT is legitimately larger than its transaction; 4 MB holds any of them.
 */
export const DEFAULT_MAX_FUNDING_PSBT_BYTES = 4_000_000;

/** Bitcoin Core's largest standard transaction weight. */
const MAX_STANDARD_TX_WEIGHT = 400_000;

const PSBT_MAGIC = Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff);
const PSBT_GLOBAL_UNSIGNED_TX = 0x00;
const PSBT_GLOBAL_VERSION = 0xfb;
const PSBT_IN_NON_WITNESS_UTXO = 0x00;
const PSBT_IN_WITNESS_UTXO = 0x01;
const PSBT_OUT_REDEEM_SCRIPT = 0x00;

// ---------------------------------------------------------------------------------------------
// The funding request handed to an external wallet.
// ---------------------------------------------------------------------------------------------

/** What an external wallet needs to fund a deposit. */
export interface DepositFundingRequest {
  /** P2SH(deposit script): the one output the funded transaction must contain. */
  readonly outputScript: Uint8Array;
  /** The P2SH address of the deposit on the network (what `walletcreatefundedpsbt` takes). */
  readonly address: string;
  /** The deposit amount, satoshis. */
  readonly amount: bigint;
  /** The same amount in BTC with eight decimals, as Bitcoin Core's RPC writes amounts. */
  readonly amountBtc: string;
  /**
   * An unsigned BIP174 PSBT with no inputs and the deposit as its only output (its redeem script
   * attached), for wallets that fund a PSBT by adding inputs and change.
   */
  readonly psbt: Uint8Array;
}

function assertDeposit(depositScript: Uint8Array, amount: bigint): Uint8Array {
  try {
    parseDepositScript(depositScript);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
  }
  assertAmount(amount, 'deposit amount');
  const outputScript = p2shOutputScript(depositScript);
  if (amount < dustThreshold(outputScript)) {
    throw new TransactionError('TX_AMOUNT_OUT_OF_RANGE', 'deposit amount is below dust');
  }
  return outputScript;
}

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  const out = new Uint8Array(5);
  out[0] = 0xfe;
  new DataView(out.buffer).setUint32(1, n, true);
  return out;
}

function uint32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
}

function uint64le(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

function keyValue(key: Uint8Array, value: Uint8Array): Uint8Array {
  return concatBytes(compactSize(key.length), key, compactSize(value.length), value);
}

/** `0.00100000` for 100000 satoshis. */
function satoshisToBtc(amount: bigint): string {
  const whole = amount / 100_000_000n;
  const fraction = (amount % 100_000_000n).toString().padStart(8, '0');
  return `${whole}.${fraction}`;
}

/**
 * The request an external wallet funds: the deposit's address and amount (for Bitcoin Core's
 * `walletcreatefundedpsbt`, which takes outputs rather than a PSBT), and an unsigned PSBT whose
 * only output is the deposit (for wallets that complete a PSBT). The wallet adds inputs and
 * change wherever it likes; {@link finalizeFundedDeposit} then finds the deposit again.
 *
 * @throws {@link TransactionError} `TX_BAD_SCRIPT` for a deposit script that does not parse,
 * `TX_INVALID_PARAMS` or `TX_AMOUNT_OUT_OF_RANGE` for the amount.
 */
export function depositFundingRequest(
  depositScript: Uint8Array,
  amount: bigint,
  network: NetworkName,
): DepositFundingRequest {
  const outputScript = assertDeposit(depositScript, amount);
  // A zero-input transaction, written without witness framing as BIP174 requires.
  const unsignedTx = concatBytes(
    uint32le(TRANSACTION_VERSION),
    compactSize(0),
    compactSize(1),
    uint64le(amount),
    compactSize(outputScript.length),
    outputScript,
    uint32le(0),
  );
  const psbt = concatBytes(
    PSBT_MAGIC,
    keyValue(Uint8Array.of(PSBT_GLOBAL_UNSIGNED_TX), unsignedTx),
    Uint8Array.of(0x00),
    keyValue(Uint8Array.of(PSBT_OUT_REDEEM_SCRIPT), depositScript),
    Uint8Array.of(0x00),
  );
  return {
    outputScript,
    address: p2shAddress(depositScript, network),
    amount,
    amountBtc: satoshisToBtc(amount),
    psbt,
  };
}

// ---------------------------------------------------------------------------------------------
// BIP174 framing, read by hand so that every raw field can be checked byte for byte.
// ---------------------------------------------------------------------------------------------

const malformed = (message: string) => new TransactionError('TX_PSBT_MALFORMED', message);

class Reader {
  #offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.#offset === this.bytes.length;
  }

  take(n: number): Uint8Array {
    if (n > this.bytes.length - this.#offset) throw malformed('PSBT is truncated');
    const out = this.bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /** A compact size, refusing non-canonical encodings as Bitcoin Core does. */
  compactSize(): number {
    const first = this.take(1)[0]!;
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    const raw = this.take(width);
    let value = 0n;
    for (let i = width - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    const min = first === 0xfd ? 0xfdn : first === 0xfe ? 0x10000n : 0x100000000n;
    if (value < min) throw malformed('non-canonical compact size');
    if (value > BigInt(this.bytes.length)) throw malformed('PSBT is truncated');
    return Number(value);
  }
}

/** One key-value map: raw values by hex key, refusing duplicate keys (BIP174). */
function readMap(reader: Reader, what: string): Map<string, Uint8Array> {
  const map = new Map<string, Uint8Array>();
  for (;;) {
    const keyLength = reader.compactSize();
    if (keyLength === 0) return map;
    const key = bytesToHex(reader.take(keyLength));
    const value = reader.take(reader.compactSize());
    if (map.has(key)) throw malformed(`duplicate key ${key} in the ${what} map`);
    map.set(key, value);
  }
}

const keyOf = (type: number) => bytesToHex(Uint8Array.of(type));

interface RawPsbtInput {
  readonly nonWitnessUtxo: Uint8Array | undefined;
  readonly witnessUtxo: Uint8Array | undefined;
}

interface RawPsbt {
  readonly unsignedTx: TxData;
  readonly inputs: readonly RawPsbtInput[];
}

/** Reads the framing of a version 0 PSBT: the unsigned transaction and each input's UTXO fields. */
function readPsbt(bytes: Uint8Array): RawPsbt {
  const reader = new Reader(bytes);
  if (bytes.length < PSBT_MAGIC.length || !equalBytes(reader.take(5), PSBT_MAGIC)) {
    throw malformed('missing the PSBT magic bytes');
  }
  const global = readMap(reader, 'global');
  const version = global.get(keyOf(PSBT_GLOBAL_VERSION));
  if (version !== undefined && !(version.length === 4 && version.every((b) => b === 0))) {
    throw malformed('only PSBT version 0 is accepted');
  }
  const rawTx = global.get(keyOf(PSBT_GLOBAL_UNSIGNED_TX));
  if (rawTx === undefined) throw malformed('no unsigned transaction');
  // BIP174 forbids witness framing here, so a zero after the version is an input count of zero.
  if (rawTx.length > 4 && rawTx[4] === 0) {
    throw new TransactionError('TX_UNSIGNED', 'the PSBT has no inputs: no wallet funded it');
  }
  let unsignedTx: TxData;
  try {
    unsignedTx = decodeTransaction(rawTx);
  } catch {
    throw malformed('the unsigned transaction does not parse');
  }
  if (unsignedTx.witnesses !== undefined || unsignedTx.inputs.some((i) => i.scriptSig.length)) {
    throw malformed('the unsigned transaction carries scriptSigs or witnesses');
  }
  if (!equalBytes(encodeTransaction(unsignedTx, false), rawTx)) {
    throw malformed('the unsigned transaction is not in canonical form');
  }
  const inputs = unsignedTx.inputs.map((): RawPsbtInput => {
    const map = readMap(reader, 'input');
    return {
      nonWitnessUtxo: map.get(keyOf(PSBT_IN_NON_WITNESS_UTXO)),
      witnessUtxo: map.get(keyOf(PSBT_IN_WITNESS_UTXO)),
    };
  });
  for (let i = 0; i < unsignedTx.outputs.length; i++) readMap(reader, 'output');
  if (!reader.done) throw malformed('bytes after the last output map');
  return { unsignedTx, inputs };
}

// ---------------------------------------------------------------------------------------------
// What each input spends.
// ---------------------------------------------------------------------------------------------

type InputKind = 'p2wpkh' | 'p2sh' | 'p2pkh' | 'p2tr';

function kindOf(script: Uint8Array): InputKind | null {
  if (script.length === 22 && script[0] === 0x00 && script[1] === 0x14) return 'p2wpkh';
  if (script.length === 34 && script[0] === 0x51 && script[1] === 0x20) return 'p2tr';
  if (script.length === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87) {
    return 'p2sh';
  }
  if (
    script.length === 25 &&
    script[0] === 0x76 &&
    script[1] === 0xa9 &&
    script[2] === 0x14 &&
    script[23] === 0x88 &&
    script[24] === 0xac
  ) {
    return 'p2pkh';
  }
  return null;
}

/** Bitcoin's money supply in satoshis: no output can hold more. */
const MAX_MONEY = 2_100_000_000_000_000n;

function decodeWitnessUtxo(value: Uint8Array, index: number): TxOutput {
  const reader = new Reader(value);
  const amountBytes = reader.take(8);
  const amount = new DataView(amountBytes.buffer, amountBytes.byteOffset).getBigUint64(0, true);
  const script = Uint8Array.from(reader.take(reader.compactSize()));
  if (!reader.done) throw malformed(`input ${index}: witness_utxo has trailing bytes`);
  if (amount > MAX_MONEY) throw malformed(`input ${index}: witness_utxo exceeds the money supply`);
  return { value: amount, script };
}

/**
 * The output input `index` spends, as the PSBT states it, trusted only when something commits
 * to it: a `non_witness_utxo` must hash to the spent txid. A lone `witness_utxo` is refused for
 * P2PKH, whose signature does not commit to the amount; for the other types the signature check
 * decides (segwit signatures commit to the amount, anything else is unsupported there).
 */
function prevoutOf(tx: TxData, raw: RawPsbtInput, index: number): TxOutput {
  const input = tx.inputs[index]!;
  const stated =
    raw.witnessUtxo === undefined ? undefined : decodeWitnessUtxo(raw.witnessUtxo, index);
  if (raw.nonWitnessUtxo !== undefined) {
    let previous: TxData;
    try {
      previous = decodeTransaction(raw.nonWitnessUtxo);
    } catch {
      throw new TransactionError(
        'TX_PREVOUT_MISMATCH',
        `input ${index}: non_witness_utxo is not a transaction`,
      );
    }
    if (transactionId(previous) !== bytesToHex(input.txid)) {
      throw new TransactionError(
        'TX_PREVOUT_MISMATCH',
        `input ${index}: non_witness_utxo does not hash to the spent txid`,
      );
    }
    const output = previous.outputs[input.index];
    if (output === undefined) {
      throw new TransactionError(
        'TX_PREVOUT_MISMATCH',
        `input ${index}: non_witness_utxo has no output ${input.index}`,
      );
    }
    if (stated && (stated.value !== output.value || !equalBytes(stated.script, output.script))) {
      throw new TransactionError(
        'TX_PREVOUT_MISMATCH',
        `input ${index}: witness_utxo disagrees with non_witness_utxo`,
      );
    }
    return output;
  }
  if (stated === undefined) {
    throw new TransactionError('TX_PREVOUT_MISSING', `input ${index}: no previous output`);
  }
  const kind = kindOf(stated.script);
  if (kind === 'p2pkh') {
    // A legacy signature does not commit to the amount: a lying witness_utxo would go unseen.
    throw new TransactionError(
      'TX_PREVOUT_MISSING',
      `input ${index}: a P2PKH input needs its non_witness_utxo`,
    );
  }
  return stated;
}

// ---------------------------------------------------------------------------------------------
// Signatures, checked with our own sighash code before anything relies on the transaction.
// ---------------------------------------------------------------------------------------------

const sha256d = (data: Uint8Array) => sha256(sha256(data));

/** `OP_DUP OP_HASH160 <hash> OP_EQUALVERIFY OP_CHECKSIG`. */
function p2pkhScriptCode(keyHash: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), keyHash, Uint8Array.of(0x88, 0xac));
}

function outpointBytes(tx: TxData, i: number): Uint8Array {
  const input = tx.inputs[i]!;
  return concatBytes(Uint8Array.from(input.txid).reverse(), uint32le(input.index));
}

/** The BIP143 signature hash of input `i` with SIGHASH_ALL. */
function witnessV0Sighash(tx: TxData, i: number, scriptCode: Uint8Array, value: bigint) {
  const prevouts = sha256d(concatBytes(...tx.inputs.map((_, j) => outpointBytes(tx, j))));
  const sequences = sha256d(concatBytes(...tx.inputs.map((input) => uint32le(input.sequence))));
  const outputs = sha256d(
    concatBytes(
      ...tx.outputs.map((o) =>
        concatBytes(uint64le(o.value), compactSize(o.script.length), o.script),
      ),
    ),
  );
  return sha256d(
    concatBytes(
      uint32le(tx.version),
      prevouts,
      sequences,
      outpointBytes(tx, i),
      compactSize(scriptCode.length),
      scriptCode,
      uint64le(value),
      uint32le(tx.inputs[i]!.sequence),
      outputs,
      uint32le(tx.lockTime),
      uint32le(SIGHASH_ALL),
    ),
  );
}

const TAP_SIGHASH_TAG = sha256(new TextEncoder().encode('TapSighash'));

/**
 * The BIP341 signature hash of a key-path spend of input `i` without annex, for SIGHASH_DEFAULT
 * (0x00) or SIGHASH_ALL: it commits to every input's amount and script, so one lying
 * `witness_utxo` anywhere in the PSBT breaks every taproot signature.
 */
function taprootKeySighash(tx: TxData, i: number, prevouts: readonly TxOutput[], hashType: number) {
  const single = (parts: Uint8Array[]) => sha256(concatBytes(...parts));
  const message = concatBytes(
    Uint8Array.of(0x00, hashType),
    uint32le(tx.version),
    uint32le(tx.lockTime),
    single(tx.inputs.map((_, j) => outpointBytes(tx, j))),
    single(prevouts.map((p) => uint64le(p.value))),
    single(prevouts.map((p) => concatBytes(compactSize(p.script.length), p.script))),
    single(tx.inputs.map((input) => uint32le(input.sequence))),
    single(
      tx.outputs.map((o) => concatBytes(uint64le(o.value), compactSize(o.script.length), o.script)),
    ),
    Uint8Array.of(0x00),
    uint32le(i),
  );
  return sha256(concatBytes(TAP_SIGHASH_TAG, TAP_SIGHASH_TAG, message));
}

/** Checks a taproot key-path spend: one 64-byte signature (or 65 with SIGHASH_ALL). */
function checkTaprootKeySpend(
  tx: TxData,
  i: number,
  prevouts: readonly TxOutput[],
  witness: readonly Uint8Array[],
): void {
  if (witness.length === 0) throw new TransactionError('TX_UNSIGNED', `input ${i} is not signed`);
  const signature = witness[0]!;
  if (witness.length !== 1) {
    throw new TransactionError(
      'TX_UNSUPPORTED_INPUT',
      `input ${i}: a taproot script-path spend or annex`,
    );
  }
  if (signature.length === 65 && signature[64] !== SIGHASH_ALL) {
    throw new TransactionError(
      'TX_BAD_SIGNATURE_FORMAT',
      `input ${i} signature is not SIGHASH_ALL`,
    );
  }
  if (signature.length !== 64 && signature.length !== 65) {
    throw new TransactionError('TX_BAD_SIGNATURE_FORMAT', `input ${i} signature is not 64 bytes`);
  }
  const hashType = signature.length === 65 ? SIGHASH_ALL : 0x00;
  const hash = taprootKeySighash(tx, i, prevouts, hashType);
  const outputKey = prevouts[i]!.script.subarray(2);
  let valid = false;
  try {
    valid = schnorr.verify(signature.subarray(0, 64), hash, outputKey);
  } catch {
    valid = false;
  }
  if (!valid)
    throw new TransactionError('TX_BAD_SIGNATURE', `input ${i} signature does not verify`);
}

/** The pushes of a push-only scriptSig, or null when it holds anything else. */
function pushes(script: Uint8Array): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < script.length) {
    const length = script[at]!;
    if (length < 1 || length > 0x4b || at + 1 + length > script.length) return null;
    out.push(script.subarray(at + 1, at + 1 + length));
    at += 1 + length;
  }
  return out;
}

function checkKeySignature(
  signature: Uint8Array | undefined,
  publicKey: Uint8Array | undefined,
  keyHash: Uint8Array,
  hash: (() => Uint8Array) | null,
  index: number,
): void {
  if (signature === undefined || publicKey === undefined || hash === null) {
    throw new TransactionError('TX_UNSIGNED', `input ${index} is not signed`);
  }
  if (publicKey.length !== 33 || !equalBytes(hash160(publicKey), keyHash)) {
    throw new TransactionError(
      'TX_UNSUPPORTED_INPUT',
      `input ${index}: the key is not the compressed key the output commits to`,
    );
  }
  assertValidSignature(signature, hash(), publicKey, `input ${index} signature`);
}

/** Checks the finalized input `i` against the output it spends. */
function checkInput(tx: TxData, i: number, prevouts: readonly TxOutput[]): void {
  const prevout = prevouts[i]!;
  const scriptSig = tx.inputs[i]!.scriptSig;
  const witness = tx.witnesses?.[i] ?? [];
  const kind = kindOf(prevout.script);
  const segwitKeySpend = (program: Uint8Array) => {
    if (witness.length !== 2) throw new TransactionError('TX_UNSIGNED', `input ${i} is not signed`);
    const hash = () => witnessV0Sighash(tx, i, p2pkhScriptCode(program), prevout.value);
    checkKeySignature(witness[0], witness[1], program, hash, i);
  };
  if (kind === 'p2wpkh') {
    if (scriptSig.length !== 0) {
      throw new TransactionError('TX_WRONG_FIELDS', `input ${i}: a P2WPKH spend has a scriptSig`);
    }
    segwitKeySpend(prevout.script.subarray(2));
    return;
  }
  if (kind === 'p2sh') {
    const redeem = pushes(scriptSig);
    const script = redeem?.length === 1 ? redeem[0]! : undefined;
    if (script === undefined || kindOf(script) !== 'p2wpkh') {
      throw new TransactionError(
        'TX_UNSUPPORTED_INPUT',
        `input ${i}: a P2SH input other than P2SH-P2WPKH`,
      );
    }
    if (!equalBytes(p2shOutputScript(script), prevout.script)) {
      throw new TransactionError(
        'TX_BAD_SCRIPT',
        `input ${i}: the redeem script is not the output's`,
      );
    }
    segwitKeySpend(script.subarray(2));
    return;
  }
  if (kind === 'p2tr') {
    if (scriptSig.length !== 0) {
      throw new TransactionError('TX_WRONG_FIELDS', `input ${i}: a P2TR spend has a scriptSig`);
    }
    checkTaprootKeySpend(tx, i, prevouts, witness);
    return;
  }
  if (kind === 'p2pkh') {
    if (witness.length !== 0) {
      throw new TransactionError('TX_WRONG_FIELDS', `input ${i}: a P2PKH spend has a witness`);
    }
    const items = pushes(scriptSig);
    const hash = items?.length === 2 ? () => legacySighash(tx, i, prevout.script) : null;
    checkKeySignature(items?.[0], items?.[1], prevout.script.subarray(3, 23), hash, i);
    return;
  }
  throw new TransactionError(
    'TX_UNSUPPORTED_INPUT',
    `input ${i} spends an output of a type whose signature is not checked here`,
  );
}

// ---------------------------------------------------------------------------------------------
// Finalization.
// ---------------------------------------------------------------------------------------------

/** What the funded deposit must contain, and the fee it may pay. */
export interface FundedDepositExpectation {
  /** The deposit script; the deposit output pays P2SH of it. */
  readonly depositScript: Uint8Array;
  /** Exactly the value of the deposit output, satoshis. */
  readonly amount: bigint;
  /** Lowest fee rate accepted, sat/vB ({@link DEFAULT_FUNDING_MIN_FEE_RATE} when omitted). */
  readonly minFeeRate?: number;
  /** Highest fee rate accepted, sat/vB ({@link DEFAULT_FUNDING_MAX_FEE_RATE} when omitted). */
  readonly maxFeeRate?: number;
  /** Largest PSBT accepted, bytes ({@link DEFAULT_MAX_FUNDING_PSBT_BYTES} when omitted). */
  readonly maxPsbtBytes?: number;
}

/** A deposit funded by an external wallet, finalized and checked. */
export interface FundedDeposit extends DepositTransaction {
  /** Every output other than the deposit, in transaction order, with its index. */
  readonly otherOutputs: readonly (TxOutput & { readonly vout: number })[];
  /** Total value of the spent outputs, satoshis. */
  readonly inputValue: bigint;
  /** Virtual size of the final transaction. */
  readonly vsize: number;
  /** The fee rate paid, sat/vB. */
  readonly feeRate: number;
}

function checkedLimits(expected: FundedDepositExpectation) {
  const minFeeRate = expected.minFeeRate ?? DEFAULT_FUNDING_MIN_FEE_RATE;
  const maxFeeRate = expected.maxFeeRate ?? DEFAULT_FUNDING_MAX_FEE_RATE;
  const maxPsbtBytes = expected.maxPsbtBytes ?? DEFAULT_MAX_FUNDING_PSBT_BYTES;
  assertFeeRate(minFeeRate);
  assertFeeRate(maxFeeRate);
  if (minFeeRate > maxFeeRate) {
    throw new TransactionError('TX_INVALID_PARAMS', 'minFeeRate is above maxFeeRate');
  }
  if (!Number.isSafeInteger(maxPsbtBytes) || maxPsbtBytes <= 0) {
    throw new TransactionError('TX_INVALID_PARAMS', 'maxPsbtBytes must be a positive integer');
  }
  return { minFeeRate, maxFeeRate, maxPsbtBytes };
}

function psbtBytes(psbt: Uint8Array | string, maxBytes: number): Uint8Array {
  if (typeof psbt === 'string') {
    // Base64 is 4/3 the size of the bytes; refuse before decoding anything oversized.
    if (psbt.length > Math.ceil(maxBytes / 3) * 4) {
      throw new TransactionError('TX_OVERSIZED', `PSBT is larger than ${maxBytes} bytes`);
    }
    try {
      psbt = base64.decode(psbt);
    } catch {
      throw malformed('PSBT string is not base64');
    }
  }
  if (!(psbt instanceof Uint8Array)) throw malformed('PSBT must be bytes or a base64 string');
  if (psbt.length > maxBytes) {
    throw new TransactionError('TX_OVERSIZED', `PSBT is larger than ${maxBytes} bytes`);
  }
  return psbt;
}

/** The single output paying exactly `amount` to `depositOut`; any other payment to it is refused. */
function depositVoutOf(tx: TxData, depositOut: Uint8Array, amount: bigint): number {
  const toDeposit = tx.outputs.flatMap((o, vout) =>
    equalBytes(o.script, depositOut) ? [vout] : [],
  );
  if (toDeposit.length !== 1) {
    throw new TransactionError(
      'TX_WRONG_OUTPUTS',
      `${toDeposit.length} outputs pay the deposit script, exactly one must`,
    );
  }
  const vout = toDeposit[0]!;
  if (tx.outputs[vout]!.value !== amount) {
    throw new TransactionError(
      'TX_WRONG_OUTPUTS',
      `the deposit output holds ${tx.outputs[vout]!.value}, not ${amount}`,
    );
  }
  return vout;
}

/** Finalizes the inputs that still hold partial signatures, then extracts the transaction. */
function finalizeAndExtract(bytes: Uint8Array): Uint8Array {
  let tx: Transaction;
  try {
    tx = Transaction.fromPSBT(bytes, { unknown: 'ignore' });
  } catch (cause) {
    throw malformed(`PSBT is refused by the finalizer: ${(cause as Error).message}`);
  }
  for (let i = 0; i < tx.inputsLength; i++) {
    const input = tx.getInput(i);
    if (input.finalScriptSig !== undefined || input.finalScriptWitness !== undefined) continue;
    try {
      tx.finalizeIdx(i);
    } catch (cause) {
      throw new TransactionError(
        'TX_UNSIGNED',
        `input ${i} cannot be finalized: ${(cause as Error).message}`,
      );
    }
  }
  try {
    return tx.extract();
  } catch (cause) {
    throw new TransactionError(
      'TX_UNSIGNED',
      `PSBT cannot be extracted: ${(cause as Error).message}`,
    );
  }
}

function sameUnsigned(a: TxData, b: TxData): boolean {
  const strip = (tx: TxData): TxData => ({
    ...tx,
    witnesses: undefined,
    inputs: tx.inputs.map((input) => ({ ...input, scriptSig: new Uint8Array(0) })),
  });
  return equalBytes(encodeTransaction(strip(a), false), encodeTransaction(strip(b), false));
}

/**
 * Checks and finalizes a deposit PSBT funded and signed by an external wallet (Bitcoin Core's
 * `walletcreatefundedpsbt` + `walletprocesspsbt`, a hardware signer, …), in bytes or base64.
 *
 * - The deposit output is found by script and amount: exactly one output pays P2SH of the
 *   deposit script, and it holds exactly `amount`. Other outputs (change, payments) may be any
 *   number, in any order.
 * - Every input's value comes from its `non_witness_utxo`, which must hash to the txid it spends,
 *   or from a `witness_utxo` for segwit outputs (P2WPKH, P2SH-P2WPKH, P2TR), whose signatures
 *   commit to the amount. P2PKH inputs need the full previous transaction.
 * - Inputs still holding partial signatures are finalized. Every input must then carry a valid
 *   SIGHASH_ALL signature by the key its output commits to (P2WPKH, P2SH-P2WPKH, P2PKH, or a
 *   P2TR key-path spend with SIGHASH_DEFAULT or SIGHASH_ALL),
 *   checked with our own sighash code, so that a lying `witness_utxo` amount is caught here and
 *   not by the network.
 * - The fee (inputs − outputs) must pay between `minFeeRate` and `maxFeeRate` on the final
 *   virtual size, and the transaction must stay within the standard weight.
 *
 * `change` in the result is the total of the other outputs. Nothing is broadcast and the input
 * is not modified.
 *
 * @throws {@link TransactionError} `TX_PSBT_MALFORMED`, `TX_OVERSIZED`, `TX_PREVOUT_MISSING`,
 * `TX_PREVOUT_MISMATCH`, `TX_WRONG_OUTPUTS`, `TX_INSUFFICIENT_FUNDS` (outputs above inputs),
 * `TX_UNSIGNED`, `TX_UNSUPPORTED_INPUT`, `TX_BAD_SIGNATURE_FORMAT`, `TX_BAD_SIGNATURE`,
 * `TX_BAD_SCRIPT`, `TX_WRONG_FIELDS`, `TX_FEE_TOO_LOW`, `TX_FEE_TOO_HIGH`, and
 * `TX_INVALID_PARAMS` / `TX_AMOUNT_OUT_OF_RANGE` for a bad expectation.
 */
export function finalizeFundedDeposit(
  psbt: Uint8Array | string,
  expected: FundedDepositExpectation,
): FundedDeposit {
  const depositOut = assertDeposit(expected.depositScript, expected.amount);
  const limits = checkedLimits(expected);
  const bytes = psbtBytes(psbt, limits.maxPsbtBytes);
  const { unsignedTx, inputs } = readPsbt(bytes);

  const spent = new Set(unsignedTx.inputs.map((i) => `${bytesToHex(i.txid)}:${i.index}`));
  if (spent.size !== unsignedTx.inputs.length) {
    throw new TransactionError('TX_WRONG_INPUT', 'the PSBT spends one outpoint twice');
  }
  const vout = depositVoutOf(unsignedTx, depositOut, expected.amount);
  const prevouts = inputs.map((raw, i) => prevoutOf(unsignedTx, raw, i));
  const inputValue = prevouts.reduce((sum, p) => sum + p.value, 0n);
  const outputValue = unsignedTx.outputs.reduce((sum, o) => sum + o.value, 0n);
  if (inputValue > MAX_MONEY) throw malformed('the inputs exceed the money supply');
  if (outputValue > inputValue) {
    throw new TransactionError(
      'TX_INSUFFICIENT_FUNDS',
      `outputs (${outputValue}) exceed inputs (${inputValue})`,
    );
  }

  const rawTx = finalizeAndExtract(bytes);
  const tx = decodeTransaction(rawTx);
  if (!sameUnsigned(tx, unsignedTx)) {
    throw malformed('the finalized transaction differs from the unsigned one');
  }
  prevouts.forEach((_, i) => {
    checkInput(tx, i, prevouts);
  });

  const vsize = virtualSizeOf(tx);
  if (vsize * 4 > MAX_STANDARD_TX_WEIGHT) {
    throw new TransactionError('TX_OVERSIZED', `transaction of ${vsize} vB is not standard`);
  }
  const fee = inputValue - outputValue;
  const feeRate = Number(fee) / vsize;
  if (feeRate < limits.minFeeRate) {
    throw new TransactionError(
      'TX_FEE_TOO_LOW',
      `fee rate ${feeRate.toFixed(3)} sat/vB is below ${limits.minFeeRate}`,
    );
  }
  if (feeRate > limits.maxFeeRate) {
    throw new TransactionError(
      'TX_FEE_TOO_HIGH',
      `fee rate ${feeRate.toFixed(3)} sat/vB is above ${limits.maxFeeRate}`,
    );
  }
  const txid = transactionId(tx);
  const otherOutputs = tx.outputs.flatMap((o, i) => (i === vout ? [] : [{ ...o, vout: i }]));
  return {
    rawTx,
    txid,
    depositOutpoint: { txid, vout },
    fee,
    change: otherOutputs.reduce((sum, o) => sum + o.value, 0n),
    otherOutputs,
    inputValue,
    vsize,
    feeRate,
  };
}
