import { concatBytes } from '../bytes.js';
import { CounterpartyError } from './errors.js';

/** The CBOR items this reader accepts (RFC 8949 major types 0–4 and false/true/null). */
export type CborValue =
  | { readonly type: 'uint'; readonly value: bigint }
  | { readonly type: 'negative'; readonly value: bigint }
  | { readonly type: 'bytes'; readonly value: Uint8Array }
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'array'; readonly value: readonly CborValue[] }
  | { readonly type: 'simple'; readonly value: boolean | null };

/** Nesting deeper than this is refused rather than followed. */
const MAX_DEPTH = 16;

/**
 * Decodes exactly one CBOR item, strictly: definite lengths only, every integer and length in
 * its shortest form, no tags, maps, floats or undefined, text in valid UTF-8, no trailing bytes.
 *
 * @throws {@link CounterpartyError} `CBOR_MALFORMED`.
 */
export function decodeCbor(bytes: Uint8Array): CborValue {
  if (!(bytes instanceof Uint8Array)) throw malformed('expected bytes');
  const reader = { bytes, offset: 0 };
  const value = readItem(reader, 0);
  if (reader.offset !== bytes.length) {
    throw malformed(`${bytes.length - reader.offset} trailing bytes`);
  }
  return value;
}

interface Reader {
  readonly bytes: Uint8Array;
  offset: number;
}

function readItem(reader: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw malformed(`nesting deeper than ${MAX_DEPTH}`);
  const initial = readByte(reader);
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (major === 7) return readSimple(info);
  if (major === 5) throw malformed('maps are not accepted');
  if (major === 6) throw malformed('tags are not accepted');
  const argument = readArgument(reader, info);
  switch (major) {
    case 0:
      return { type: 'uint', value: argument };
    case 1:
      return { type: 'negative', value: -1n - argument };
    case 2:
      return { type: 'bytes', value: readBytes(reader, argument).slice() };
    case 3: {
      const raw = readBytes(reader, argument);
      try {
        return { type: 'text', value: new TextDecoder('utf-8', { fatal: true }).decode(raw) };
      } catch {
        throw malformed('text is not valid UTF-8');
      }
    }
    default: {
      // Every item takes at least one byte: a longer count cannot be honest.
      if (argument > BigInt(reader.bytes.length - reader.offset)) {
        throw malformed(
          `array of ${argument} items in ${reader.bytes.length - reader.offset} bytes`,
        );
      }
      const items: CborValue[] = [];
      for (let i = 0n; i < argument; i++) items.push(readItem(reader, depth + 1));
      return { type: 'array', value: items };
    }
  }
}

function readSimple(info: number): CborValue {
  if (info === 20) return { type: 'simple', value: false };
  if (info === 21) return { type: 'simple', value: true };
  if (info === 22) return { type: 'simple', value: null };
  if (info === 31) throw malformed('indefinite lengths are not accepted');
  throw malformed(`simple value or float ${info} is not accepted`);
}

/** The argument of an initial byte, refusing indefinite, reserved and non-shortest forms. */
function readArgument(reader: Reader, info: number): bigint {
  if (info < 24) return BigInt(info);
  if (info === 31) throw malformed('indefinite lengths are not accepted');
  if (info > 27) throw malformed(`reserved additional information ${info}`);
  const size = 1 << (info - 24);
  const raw = readBytes(reader, BigInt(size));
  let value = 0n;
  for (const byte of raw) value = (value << 8n) | BigInt(byte);
  const smallest = info === 24 ? 24n : 1n << BigInt(8 * (size / 2));
  if (value < smallest) throw malformed(`${value} is not in its shortest form`);
  return value;
}

function readByte(reader: Reader): number {
  const byte = reader.bytes[reader.offset];
  if (byte === undefined) throw malformed('truncated');
  reader.offset++;
  return byte;
}

function readBytes(reader: Reader, length: bigint): Uint8Array {
  if (length > BigInt(reader.bytes.length - reader.offset)) throw malformed('truncated');
  const start = reader.offset;
  reader.offset += Number(length);
  return reader.bytes.subarray(start, reader.offset);
}

function malformed(reason: string): CounterpartyError {
  return new CounterpartyError('CBOR_MALFORMED', reason);
}

/** Encodes the items {@link decodeCbor} reads, each in its shortest form. */
export function encodeCbor(value: CborValue): Uint8Array {
  switch (value.type) {
    case 'uint':
      return head(0, value.value);
    case 'negative':
      return head(1, -1n - value.value);
    case 'bytes':
      return concatBytes(head(2, BigInt(value.value.length)), value.value);
    case 'text': {
      const utf8 = new TextEncoder().encode(value.value);
      return concatBytes(head(3, BigInt(utf8.length)), utf8);
    }
    case 'array':
      return concatBytes(head(4, BigInt(value.value.length)), ...value.value.map(encodeCbor));
    case 'simple':
      return Uint8Array.of(value.value === null ? 0xf6 : value.value ? 0xf5 : 0xf4);
  }
}

function head(major: number, argument: bigint): Uint8Array {
  if (argument < 0n || argument >= 2n ** 64n) {
    throw new CounterpartyError('CBOR_SHAPE', `${argument} does not fit a CBOR head`);
  }
  if (argument < 24n) return Uint8Array.of((major << 5) | Number(argument));
  const size = argument < 0x100n ? 1 : argument < 0x10000n ? 2 : argument < 0x100000000n ? 4 : 8;
  const out = new Uint8Array(1 + size);
  out[0] = (major << 5) | (24 + Math.log2(size));
  for (let i = 0, n = argument; i < size; i++, n >>= 8n) out[size - i] = Number(n & 0xffn);
  return out;
}
