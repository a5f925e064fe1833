import { CounterpartyError } from './errors.js';

/** Largest quantity Counterparty stores (its SQLite integers are signed 64-bit): 2⁶³ − 1. */
export const MAX_QUANTITY = 2n ** 63n - 1n;

const MAX_U64 = 2n ** 64n - 1n;

/**
 * Checks a quantity to be sent: a bigint in 1..2⁶³−1.
 *
 * @throws {@link CounterpartyError} `QUANTITY_INVALID` (not a bigint, zero or negative) or
 *   `QUANTITY_OVERFLOW` (above {@link MAX_QUANTITY}).
 */
export function assertSendQuantity(quantity: bigint): void {
  if (typeof quantity !== 'bigint') {
    throw new CounterpartyError('QUANTITY_INVALID', 'quantity must be a bigint');
  }
  if (quantity <= 0n) {
    throw new CounterpartyError('QUANTITY_INVALID', `quantity ${quantity} is not positive`);
  }
  if (quantity > MAX_QUANTITY) {
    throw new CounterpartyError('QUANTITY_OVERFLOW', `quantity ${quantity} is above 2^63-1`);
  }
}

/** Writes an unsigned 64-bit big-endian integer (the caller has range-checked it). */
export function writeU64(value: bigint): Uint8Array {
  if (value < 0n || value > MAX_U64) {
    throw new CounterpartyError('QUANTITY_OVERFLOW', `${value} does not fit in 64 bits`);
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, false);
  return out;
}

/** Reads an unsigned 64-bit big-endian integer at `offset` (the caller checked the length). */
export function readU64(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, false);
}
