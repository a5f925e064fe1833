/**
 * A direct coder for the common shape of transaction: no witness, every field in range. It
 * writes and reads exactly the bytes of `@scure/btc-signer`'s `RawTx` for that shape and
 * answers `null` for anything else, so that callers fall back to `RawTx` (and keep its
 * behaviour, errors included) for every other input. A channel step encodes several
 * transactions (sizing, sighash, the result) and decodes a few: the generic coder's per-field
 * machinery was a tenth of a commit check.
 */
import type { TxData, TxInput, TxOutput } from './raw-transaction.js';

/** The fields the coder covers: a transaction without witness data. */
export type WireTransaction = Omit<TxData, 'witnesses'>;

const MAX_U64 = (1n << 64n) - 1n;

const isU32 = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

const isI32 = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;

/** Bytes of the CompactSize prefix of `n` (n a safe non-negative integer). */
function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/**
 * Serialized length of `tx` without witness, or null when the coder does not cover it (a field
 * out of range or of another type: `RawTx` decides then).
 */
export function wireLength(tx: WireTransaction): number | null {
  if (!isI32(tx.version) || !isU32(tx.lockTime)) return null;
  if (!Array.isArray(tx.inputs) || !Array.isArray(tx.outputs)) return null;
  let size = 8 + compactSizeLength(tx.inputs.length) + compactSizeLength(tx.outputs.length);
  for (const input of tx.inputs) {
    if (
      !(input.txid instanceof Uint8Array) ||
      input.txid.length !== 32 ||
      !isU32(input.index) ||
      !isU32(input.sequence) ||
      !(input.scriptSig instanceof Uint8Array)
    )
      return null;
    size += 40 + compactSizeLength(input.scriptSig.length) + input.scriptSig.length;
  }
  for (const output of tx.outputs) {
    if (
      typeof output.value !== 'bigint' ||
      output.value < 0n ||
      output.value > MAX_U64 ||
      !(output.script instanceof Uint8Array)
    )
      return null;
    size += 8 + compactSizeLength(output.script.length) + output.script.length;
  }
  return size;
}

function writeU32(out: Uint8Array, at: number, n: number): number {
  out[at] = n & 0xff;
  out[at + 1] = (n >>> 8) & 0xff;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = (n >>> 24) & 0xff;
  return at + 4;
}

function writeCompactSize(out: Uint8Array, at: number, n: number): number {
  if (n < 0xfd) {
    out[at] = n;
    return at + 1;
  }
  if (n <= 0xffff) {
    out[at] = 0xfd;
    out[at + 1] = n & 0xff;
    out[at + 2] = n >>> 8;
    return at + 3;
  }
  // Lengths of byte arrays: never 2^32 or more.
  out[at] = 0xfe;
  return writeU32(out, at + 1, n);
}

function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  at = writeCompactSize(out, at, bytes.length);
  out.set(bytes, at);
  return at + bytes.length;
}

/**
 * The serialization of `tx` without witness, with `tail` appended (the sighash type), or null
 * when the coder does not cover it. `scriptSigOf(i)` replaces input i's script when given.
 */
export function encodeWire(
  tx: WireTransaction,
  tail?: Uint8Array,
  scriptSigOf?: (index: number) => Uint8Array,
): Uint8Array | null {
  const view = scriptSigOf
    ? { ...tx, inputs: tx.inputs.map((input, i) => ({ ...input, scriptSig: scriptSigOf(i) })) }
    : tx;
  const length = wireLength(view);
  if (length === null) return null;
  const out = new Uint8Array(length + (tail?.length ?? 0));
  let at = writeU32(out, 0, view.version >>> 0);
  at = writeCompactSize(out, at, view.inputs.length);
  for (const input of view.inputs) {
    // Display order in memory, reversed on the wire.
    for (let i = 0; i < 32; i++) out[at + i] = input.txid[31 - i]!;
    at = writeU32(out, at + 32, input.index);
    at = writeBytes(out, at, input.scriptSig);
    at = writeU32(out, at, input.sequence);
  }
  at = writeCompactSize(out, at, view.outputs.length);
  for (const output of view.outputs) {
    const low = Number(output.value & 0xffffffffn);
    const high = Number(output.value >> 32n);
    at = writeU32(out, at, low);
    at = writeU32(out, at, high);
    at = writeBytes(out, at, output.script);
  }
  at = writeU32(out, at, view.lockTime);
  if (tail) out.set(tail, at);
  return out;
}

/** Reads the wire form; every read is bounds-checked by its caller through `need`. */
class WireReader {
  at = 0;
  constructor(private readonly raw: Uint8Array) {}

  /** False once a read would run past the end. */
  need(n: number): boolean {
    return this.at + n <= this.raw.length;
  }

  u32(): number {
    const r = this.raw;
    const a = this.at;
    this.at += 4;
    return (r[a]! | (r[a + 1]! << 8) | (r[a + 2]! << 16) | (r[a + 3]! << 24)) >>> 0;
  }

  /** A minimally encoded CompactSize below 2^32, or -1 (anything else goes to `RawTx`). */
  compactSize(): number {
    if (!this.need(1)) return -1;
    const b0 = this.raw[this.at++]!;
    if (b0 < 0xfd) return b0;
    if (b0 === 0xfd) {
      if (!this.need(2)) return -1;
      const n = this.raw[this.at]! | (this.raw[this.at + 1]! << 8);
      this.at += 2;
      return n >= 0xfd ? n : -1;
    }
    if (b0 === 0xfe) {
      if (!this.need(4)) return -1;
      const n = this.u32();
      return n > 0xffff ? n : -1;
    }
    return -1;
  }

  bytes(n: number): Uint8Array | null {
    if (n < 0 || !this.need(n)) return null;
    const out = this.raw.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/**
 * Decodes a transaction without witness marker, exactly as `RawTx` would; null for anything
 * else (a witness marker, a truncated or over-long input, a non-minimal length), which `RawTx`
 * then decodes or refuses.
 */
export function decodeWire(raw: Uint8Array): WireTransaction | null {
  // Byte 4 = 0 is a witness marker (or an empty input list, which RawTx reads as one).
  if (raw.length < 10 || raw[4] === 0) return null;
  const r = new WireReader(raw);
  const version = r.u32() | 0;
  const inputCount = r.compactSize();
  if (inputCount < 0 || !r.need(inputCount * 41)) return null;
  const inputs: TxInput[] = [];
  for (let i = 0; i < inputCount; i++) {
    if (!r.need(36)) return null;
    const txid = new Uint8Array(32);
    for (let b = 0; b < 32; b++) txid[b] = raw[r.at + 31 - b]!;
    r.at += 32;
    const index = r.u32();
    const scriptSig = r.bytes(r.compactSize());
    if (!scriptSig || !r.need(4)) return null;
    inputs.push({ txid, index, scriptSig, sequence: r.u32() });
  }
  const outputCount = r.compactSize();
  if (outputCount < 0 || !r.need(outputCount * 9)) return null;
  const outputs: TxOutput[] = [];
  for (let i = 0; i < outputCount; i++) {
    if (!r.need(8)) return null;
    const low = r.u32();
    const high = r.u32();
    const script = r.bytes(r.compactSize());
    if (!script) return null;
    outputs.push({ value: (BigInt(high) << 32n) | BigInt(low), script });
  }
  if (!r.need(4)) return null;
  const lockTime = r.u32();
  // RawTx refuses unread bytes: let it say so.
  if (r.at !== raw.length) return null;
  return { version, inputs, outputs, lockTime };
}
