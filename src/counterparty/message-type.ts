import { concatBytes } from '../bytes.js';
import { CounterpartyError } from './errors.js';

/** Counterparty's prefix on mainnet, testnet and regtest. */
export const COUNTERPARTY_PREFIX = 'CNTRPRTY';
/** The prefix counterparty-lib's unit tests use. */
export const TEST_PREFIX = 'TESTXXXX';

/** Message type id of a classic send. */
export const CLASSIC_SEND_TYPE = 0;
/** Message type id of an enhanced send. */
export const ENHANCED_SEND_TYPE = 2;

/**
 * The bytes of a prefix: exactly 8 printable ASCII characters.
 *
 * @throws {@link CounterpartyError} `PREFIX_INVALID`.
 */
export function prefixBytes(prefix: string = COUNTERPARTY_PREFIX): Uint8Array {
  if (typeof prefix !== 'string' || !/^[\x21-\x7e]{8}$/.test(prefix)) {
    throw new CounterpartyError('PREFIX_INVALID', 'prefix must be 8 printable ASCII characters');
  }
  return new TextEncoder().encode(prefix);
}

/**
 * Packs a message type id: one byte for ids 1–255 when `short` (the rule since the short
 * type id activation), otherwise four bytes big-endian.
 *
 * @throws {@link CounterpartyError} `INVALID_ARGUMENT` for an id outside 0..2³²−1.
 */
export function packMessageType(typeId: number, short = true): Uint8Array {
  if (!Number.isInteger(typeId) || typeId < 0 || typeId > 0xffffffff) {
    throw new CounterpartyError('INVALID_ARGUMENT', `message type id ${typeId} is out of range`);
  }
  if (short && typeId > 0 && typeId < 256) return Uint8Array.of(typeId);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, typeId, false);
  return out;
}

/** A message type id and the payload after it. */
export interface UnpackedMessage {
  readonly typeId: number;
  readonly payload: Uint8Array;
}

/**
 * Splits a message (prefix removed) into type id and payload as Counterparty does: a non-zero
 * first byte is a one-byte id when short ids are allowed (and something follows it); otherwise
 * the first four bytes are the id, and something must follow them.
 *
 * @throws {@link CounterpartyError} `TRUNCATED`.
 */
export function unpackMessageType(message: Uint8Array, allowShort = true): UnpackedMessage {
  if (allowShort && message.length > 1 && message[0] !== 0) {
    return { typeId: message[0]!, payload: message.subarray(1) };
  }
  if (message.length <= 4) {
    throw new CounterpartyError('TRUNCATED', `${message.length} bytes hold no message type`);
  }
  const typeId = new DataView(message.buffer, message.byteOffset, 4).getUint32(0, false);
  return { typeId, payload: message.subarray(4) };
}

/** Prefix, type id and payload, concatenated. */
export function joinMessage(
  prefix: Uint8Array,
  typeId: number,
  payload: Uint8Array,
  short: boolean,
): Uint8Array {
  return concatBytes(prefix, packMessageType(typeId, short), payload);
}
