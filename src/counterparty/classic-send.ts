import { concatBytes } from '../bytes.js';
import { assetName } from './assets.js';
import { CounterpartyError } from './errors.js';
import { readU64, writeU64 } from './quantity.js';

/** Length of a classic send payload: asset id and quantity, both u64 big-endian. */
export const CLASSIC_SEND_LENGTH = 16;

/** The fields of a classic send payload. */
export interface ClassicSendFields {
  readonly assetId: bigint;
  readonly asset: string;
  /**
   * As carried: up to 2⁶⁴−1. Counterparty sends at most the source's balance, so a quantity
   * above it (or above 2⁶³−1) moves the whole balance.
   */
  readonly quantity: bigint;
}

/** Asset id then quantity, both u64 big-endian (the caller checked both). */
export function encodeClassicSendPayload(assetId: bigint, quantity: bigint): Uint8Array {
  return concatBytes(writeU64(assetId), writeU64(quantity));
}

/**
 * Decodes a classic send payload, which must be exactly 16 bytes.
 *
 * @throws {@link CounterpartyError} `TRUNCATED`, `OVERSIZED`, `ASSET_ID_INVALID` or
 *   `ASSET_NOT_SENDABLE` (BTC).
 */
export function decodeClassicSendPayload(payload: Uint8Array): ClassicSendFields {
  if (payload.length < CLASSIC_SEND_LENGTH) {
    throw new CounterpartyError('TRUNCATED', `classic send of ${payload.length} bytes`);
  }
  if (payload.length > CLASSIC_SEND_LENGTH) {
    throw new CounterpartyError('OVERSIZED', `classic send of ${payload.length} bytes`);
  }
  const assetId = readU64(payload, 0);
  const asset = assetName(assetId);
  if (asset === 'BTC') throw new CounterpartyError('ASSET_NOT_SENDABLE', 'cannot send BTC');
  return { assetId, asset, quantity: readU64(payload, 8) };
}
