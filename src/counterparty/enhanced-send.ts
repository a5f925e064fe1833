import { concatBytes } from '../bytes.js';
import type { NetworkName } from '../scripts/networks.js';
import {
  type UnpackedShortAddress,
  SHORT_ADDRESS_LENGTH,
  unpackShortAddress,
} from './addresses.js';
import { assetName } from './assets.js';
import { type CborValue, decodeCbor, encodeCbor } from './cbor.js';
import { CounterpartyError } from './errors.js';
import { MAX_QUANTITY, readU64, writeU64 } from './quantity.js';

/** Longest memo of an enhanced send, in bytes. */
export const MAX_MEMO_LENGTH = 34;
/** Fixed part of a legacy enhanced send: asset id, quantity (u64 each) and short address. */
export const LEGACY_ENHANCED_SEND_LENGTH = 8 + 8 + SHORT_ADDRESS_LENGTH;

/**
 * `legacy`: the fixed binary layout followed by the memo; `cbor`: the CBOR array
 * `[asset id, quantity, short address, memo]` Counterparty writes since its taproot upgrade.
 */
export type EnhancedSendLayout = 'legacy' | 'cbor';

/** The fields of an enhanced send payload. */
export interface EnhancedSendFields {
  readonly assetId: bigint;
  readonly asset: string;
  /** 1..2⁶³−1 is what moves anything; 0 is carried but makes the send invalid. */
  readonly quantity: bigint;
  /** The packed destination as carried. */
  readonly shortAddress: Uint8Array;
  readonly destination: UnpackedShortAddress;
  /** `null` when empty. */
  readonly memo: Uint8Array | null;
  readonly layout: EnhancedSendLayout;
}

/** Encodes an enhanced send payload (the caller checked every field). */
export function encodeEnhancedSendPayload(
  assetId: bigint,
  quantity: bigint,
  shortAddress: Uint8Array,
  memo: Uint8Array,
  layout: EnhancedSendLayout,
): Uint8Array {
  if (layout === 'legacy') {
    return concatBytes(writeU64(assetId), writeU64(quantity), shortAddress, memo);
  }
  return encodeCbor({
    type: 'array',
    value: [
      { type: 'uint', value: assetId },
      { type: 'uint', value: quantity },
      { type: 'bytes', value: shortAddress },
      { type: 'bytes', value: memo },
    ],
  });
}

/** Major type of CBOR arrays, in the top three bits of the first byte. */
const CBOR_ARRAY = 4;

/**
 * Decodes an enhanced send payload as Counterparty does: a payload that is a CBOR array of
 * four naming a valid asset and address is the CBOR layout; anything else is read with the
 * legacy layout (a legacy payload starts with the asset id, so only numeric assets of 2⁶³ and
 * above can look like a CBOR array). Once the CBOR layout is recognised, a bad quantity or memo
 * is final.
 *
 * @throws {@link CounterpartyError} `CBOR_MALFORMED` or `CBOR_SHAPE` (CBOR-looking payloads that
 *   the legacy layout cannot read either), `TRUNCATED`, `MEMO_INVALID`, `ASSET_ID_INVALID`,
 *   `ASSET_NOT_SENDABLE`, `SHORT_ADDRESS_INVALID`, `SHORT_ADDRESS_UNSUPPORTED`,
 *   `QUANTITY_INVALID` or `QUANTITY_OVERFLOW`.
 */
export function decodeEnhancedSendPayload(
  payload: Uint8Array,
  network: NetworkName,
): EnhancedSendFields {
  // Only an array can be the CBOR layout; the legacy layout is tried whenever CBOR fails.
  if (payload.length === 0 || payload[0]! >> 5 !== CBOR_ARRAY)
    return decodeLegacy(payload, network);
  let items: readonly CborValue[];
  let head: Pick<EnhancedSendFields, 'assetId' | 'asset' | 'shortAddress' | 'destination'>;
  try {
    items = cborArrayOfFour(payload);
    head = cborHead(items, network);
  } catch (cborError) {
    try {
      return decodeLegacy(payload, network);
    } catch {
      throw cborError;
    }
  }
  const quantity = items[1]!;
  if (quantity.type !== 'uint') {
    throw new CounterpartyError('QUANTITY_INVALID', `quantity is a CBOR ${quantity.type}`);
  }
  const memo = items[3]!;
  let memoBytes: Uint8Array | null;
  if (memo.type === 'bytes') memoBytes = memo.value.length === 0 ? null : memo.value;
  else if (memo.type === 'simple' && memo.value === null) memoBytes = null;
  else throw new CounterpartyError('MEMO_INVALID', `memo is a CBOR ${memo.type}`);
  checkMemo(memoBytes);
  checkQuantity(quantity.value);
  return { ...head, quantity: quantity.value, memo: memoBytes, layout: 'cbor' };
}

function cborArrayOfFour(payload: Uint8Array): readonly CborValue[] {
  const value = decodeCbor(payload);
  if (value.type !== 'array' || value.value.length !== 4) {
    throw new CounterpartyError('CBOR_SHAPE', 'enhanced send is not a CBOR array of four');
  }
  return value.value;
}

function cborHead(
  items: readonly CborValue[],
  network: NetworkName,
): Pick<EnhancedSendFields, 'assetId' | 'asset' | 'shortAddress' | 'destination'> {
  const [assetItem, , addressItem] = items;
  if (assetItem?.type !== 'uint') {
    throw new CounterpartyError('CBOR_SHAPE', 'asset id is not a CBOR unsigned integer');
  }
  if (addressItem?.type !== 'bytes') {
    throw new CounterpartyError('CBOR_SHAPE', 'short address is not a CBOR byte string');
  }
  const asset = sendableAsset(assetItem.value);
  return {
    assetId: assetItem.value,
    asset,
    shortAddress: addressItem.value,
    destination: unpackShortAddress(addressItem.value, network),
  };
}

function decodeLegacy(payload: Uint8Array, network: NetworkName): EnhancedSendFields {
  if (payload.length < LEGACY_ENHANCED_SEND_LENGTH) {
    throw new CounterpartyError('TRUNCATED', `enhanced send of ${payload.length} bytes`);
  }
  const memo = payload.slice(LEGACY_ENHANCED_SEND_LENGTH);
  checkMemo(memo);
  const shortAddress = payload.slice(16, LEGACY_ENHANCED_SEND_LENGTH);
  const destination = unpackShortAddress(shortAddress, network);
  const assetId = readU64(payload, 0);
  const asset = sendableAsset(assetId);
  const quantity = readU64(payload, 8);
  checkQuantity(quantity);
  return {
    assetId,
    asset,
    quantity,
    shortAddress,
    destination,
    memo: memo.length === 0 ? null : memo,
    layout: 'legacy',
  };
}

function sendableAsset(assetId: bigint): string {
  const asset = assetName(assetId);
  if (asset === 'BTC') throw new CounterpartyError('ASSET_NOT_SENDABLE', 'cannot send BTC');
  return asset;
}

function checkMemo(memo: Uint8Array | null): void {
  if (memo !== null && memo.length > MAX_MEMO_LENGTH) {
    throw new CounterpartyError('MEMO_INVALID', `memo of ${memo.length} bytes exceeds 34`);
  }
}

function checkQuantity(quantity: bigint): void {
  if (quantity > MAX_QUANTITY) {
    throw new CounterpartyError('QUANTITY_OVERFLOW', `quantity ${quantity} is above 2^63-1`);
  }
}
