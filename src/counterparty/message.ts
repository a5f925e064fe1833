import { equalBytes } from '../bytes.js';
import type { NetworkName } from '../scripts/networks.js';
import { type ShortAddressFormat, packShortAddress } from './addresses.js';
import { arc4, arc4KeyOfTxid } from './arc4.js';
import { assetId } from './assets.js';
import {
  type ClassicSendFields,
  decodeClassicSendPayload,
  encodeClassicSendPayload,
} from './classic-send.js';
import {
  type EnhancedSendFields,
  type EnhancedSendLayout,
  MAX_MEMO_LENGTH,
  decodeEnhancedSendPayload,
  encodeEnhancedSendPayload,
} from './enhanced-send.js';
import { CounterpartyError } from './errors.js';
import {
  CLASSIC_SEND_TYPE,
  ENHANCED_SEND_TYPE,
  joinMessage,
  prefixBytes,
  unpackMessageType,
} from './message-type.js';
import { MAX_OP_RETURN_DATA } from './op-return.js';
import { assertSendQuantity } from './quantity.js';

/** A classic send (type 0): the destination is the transaction's first output. */
export interface ClassicSend {
  readonly type: 'classic';
  readonly asset: string;
  readonly quantity: bigint;
}

/** An enhanced send (type 2): the destination and an optional memo travel in the message. */
export interface EnhancedSend {
  readonly type: 'enhanced';
  readonly asset: string;
  readonly quantity: bigint;
  /** A base58 P2PKH or P2SH address of the network. */
  readonly destination: string;
  /** At most 34 bytes; none when omitted. */
  readonly memo?: Uint8Array;
}

/** A send to encode. */
export type CounterpartySend = ClassicSend | EnhancedSend;

/** A decoded classic send. */
export interface DecodedClassicSend extends ClassicSendFields {
  readonly type: 'classic';
  readonly typeId: number;
}

/** A decoded enhanced send. */
export interface DecodedEnhancedSend extends EnhancedSendFields {
  readonly type: 'enhanced';
  readonly typeId: number;
}

/** A decoded send message. */
export type DecodedCounterpartySend = DecodedClassicSend | DecodedEnhancedSend;

/** Options shared by encoding and decoding. */
export interface CounterpartyCodecOptions {
  /** Network of addresses (default `mainnet`). */
  readonly network?: NetworkName;
  /** The 8-byte prefix (default `CNTRPRTY`). */
  readonly prefix?: string;
  /**
   * Encoding: write ids 1–255 in one byte (default true). Decoding: accept one-byte ids
   * (default true, the rule since the short type id activation).
   */
  readonly shortTypeId?: boolean;
  /** Encoding of enhanced sends only (default `cbor`, what Counterparty writes today). */
  readonly layout?: EnhancedSendLayout;
}

/** Options of {@link encodeCounterpartySend}. */
export interface EncodeSendOptions extends CounterpartyCodecOptions {
  /** The txid (display order) of the first input's previous output: the ARC4 key. */
  readonly firstInputTxid: string;
}

/**
 * The plaintext of a send: prefix, message type id and payload. Enhanced sends pack their
 * destination in the legacy format for the legacy layout and in the typed format for CBOR.
 *
 * @throws {@link CounterpartyError} `ASSET_NAME_INVALID`, `ASSET_NOT_SENDABLE`,
 *   `QUANTITY_INVALID`, `QUANTITY_OVERFLOW`, `ADDRESS_INVALID`, `MEMO_INVALID`,
 *   `PREFIX_INVALID` or `INVALID_ARGUMENT`.
 */
export function encodeCounterpartyMessage(
  send: CounterpartySend,
  options: CounterpartyCodecOptions = {},
): Uint8Array {
  const prefix = prefixBytes(options.prefix);
  const short = options.shortTypeId ?? true;
  if (typeof send !== 'object' || send === null) {
    throw new CounterpartyError('INVALID_ARGUMENT', 'send must be an object');
  }
  const id = assetId(send.asset);
  if (id === 0n) throw new CounterpartyError('ASSET_NOT_SENDABLE', 'cannot send BTC');
  assertSendQuantity(send.quantity);
  if (send.type === 'classic') {
    return joinMessage(
      prefix,
      CLASSIC_SEND_TYPE,
      encodeClassicSendPayload(id, send.quantity),
      short,
    );
  }
  if (send.type !== 'enhanced') {
    throw new CounterpartyError('INVALID_ARGUMENT', 'send type must be classic or enhanced');
  }
  const layout = options.layout ?? 'cbor';
  if (layout !== 'legacy' && layout !== 'cbor') {
    throw new CounterpartyError('INVALID_ARGUMENT', `unknown layout ${String(layout)}`);
  }
  const memo = send.memo ?? new Uint8Array(0);
  if (!(memo instanceof Uint8Array) || memo.length > MAX_MEMO_LENGTH) {
    throw new CounterpartyError('MEMO_INVALID', 'memo must be at most 34 bytes');
  }
  const format: ShortAddressFormat = layout === 'legacy' ? 'legacy' : 'typed';
  const shortAddress = packShortAddress(send.destination, options.network ?? 'mainnet', format);
  const payload = encodeEnhancedSendPayload(id, send.quantity, shortAddress, memo, layout);
  return joinMessage(prefix, ENHANCED_SEND_TYPE, payload, short);
}

/**
 * The OP_RETURN data of a send: its plaintext ARC4-encrypted with the first input's txid.
 *
 * @throws {@link CounterpartyError} as {@link encodeCounterpartyMessage}, `TXID_INVALID`, or
 *   `DATA_TOO_LONG` above 80 bytes.
 */
export function encodeCounterpartySend(
  send: CounterpartySend,
  options: EncodeSendOptions,
): Uint8Array {
  const key = arc4KeyOfTxid(options?.firstInputTxid);
  const plaintext = encodeCounterpartyMessage(send, options);
  if (plaintext.length > MAX_OP_RETURN_DATA) {
    throw new CounterpartyError('DATA_TOO_LONG', `${plaintext.length} bytes exceed 80`);
  }
  return arc4(key, plaintext);
}

/**
 * Decodes a message whose prefix is already removed: type id and payload of a send.
 *
 * @throws {@link CounterpartyError} `TRUNCATED`, `UNSUPPORTED_MESSAGE_TYPE` or any error of the
 *   payload decoders.
 */
export function decodeCounterpartyMessage(
  message: Uint8Array,
  options: CounterpartyCodecOptions = {},
): DecodedCounterpartySend {
  if (!(message instanceof Uint8Array)) {
    throw new CounterpartyError('INVALID_ARGUMENT', 'message must be bytes');
  }
  const { typeId, payload } = unpackMessageType(message, options.shortTypeId ?? true);
  if (typeId === CLASSIC_SEND_TYPE) {
    return { type: 'classic', typeId, ...decodeClassicSendPayload(payload) };
  }
  if (typeId === ENHANCED_SEND_TYPE) {
    const fields = decodeEnhancedSendPayload(payload, options.network ?? 'mainnet');
    return { type: 'enhanced', typeId, ...fields };
  }
  throw new CounterpartyError('UNSUPPORTED_MESSAGE_TYPE', `message type ${typeId}`);
}

/**
 * Decrypts OP_RETURN data with the first input's txid, checks the prefix and decodes the send.
 *
 * @throws {@link CounterpartyError} `TXID_INVALID`, `DATA_TOO_LONG`, `PREFIX_MISMATCH` or any
 *   error of {@link decodeCounterpartyMessage}.
 */
export function decodeCounterpartyData(
  data: Uint8Array,
  firstInputTxid: string,
  options: CounterpartyCodecOptions = {},
): DecodedCounterpartySend {
  if (!(data instanceof Uint8Array)) {
    throw new CounterpartyError('INVALID_ARGUMENT', 'data must be bytes');
  }
  if (data.length > MAX_OP_RETURN_DATA) {
    throw new CounterpartyError('DATA_TOO_LONG', `${data.length} bytes exceed 80`);
  }
  const plaintext = arc4(arc4KeyOfTxid(firstInputTxid), data);
  return decodeCounterpartyMessage(stripPrefix(plaintext, options.prefix), options);
}

/**
 * The message after the prefix of decrypted data.
 *
 * @throws {@link CounterpartyError} `PREFIX_MISMATCH` or `PREFIX_INVALID`.
 */
export function stripPrefix(plaintext: Uint8Array, prefix?: string): Uint8Array {
  const expected = prefixBytes(prefix);
  if (!equalBytes(plaintext.subarray(0, expected.length), expected)) {
    throw new CounterpartyError('PREFIX_MISMATCH', 'data does not start with the prefix');
  }
  return plaintext.subarray(expected.length);
}
