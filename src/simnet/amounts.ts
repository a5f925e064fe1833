/** Satoshis in one bitcoin. */
export const COIN = 100_000_000n;

/**
 * Satoshis as the JSON number of bitcoin Core writes (`0.001` for 100 000 sat). Exact for every
 * amount up to 21 million BTC: the nearest double prints as the 8-decimal value.
 */
export function satsToBtc(sats: bigint): number {
  return Number(sats) / 1e8;
}

/**
 * A JSON amount in bitcoin (number, or decimal string as Core also accepts) as satoshis, or
 * `null` when it is not a non-negative amount with at most 8 decimals.
 */
export function btcToSats(value: unknown): bigint | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > 21e6) return null;
    // More than 8 decimals is refused, as Core refuses it.
    if (Math.round(value * 1e8) / 1e8 !== value) return null;
    text = value.toFixed(8);
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return null;
  }
  const match = /^(\d{1,8})(?:\.(\d{1,8}))?$/.exec(text);
  if (match === null) return null;
  return BigInt(match[1]!) * COIN + BigInt((match[2] ?? '').padEnd(8, '0'));
}
