import { MessageError } from './errors.js';

/** The largest amount a message may carry: 21 million BTC in satoshis. */
export const MAX_AMOUNT = 2_100_000_000_000_000n;

/**
 * Pattern of an amount string: a decimal integer without sign, exponent, fraction or leading
 * zeros, at most 16 digits (the range check against {@link MAX_AMOUNT} is semantic).
 */
export const AMOUNT_PATTERN = '^(?:0|[1-9][0-9]{0,15})$';

const AMOUNT_REGEX = new RegExp(AMOUNT_PATTERN);

/**
 * Parses a wire amount string into satoshis.
 *
 * @param path - JSON Pointer reported in the error.
 * @throws {@link MessageError} `MESSAGE_INVALID_FIELD` for a malformed or out-of-range amount.
 */
export function parseAmount(text: string, path = ''): bigint {
  if (typeof text !== 'string' || !AMOUNT_REGEX.test(text)) {
    throw new MessageError(
      'MESSAGE_INVALID_FIELD',
      'amount must be a decimal integer string without leading zeros',
      path,
    );
  }
  const value = BigInt(text);
  if (value > MAX_AMOUNT) {
    throw new MessageError('MESSAGE_INVALID_FIELD', `amount exceeds ${MAX_AMOUNT}`, path);
  }
  return value;
}

/**
 * Formats satoshis as a wire amount string.
 *
 * @throws {@link MessageError} `MESSAGE_INVALID_FIELD` for a negative amount or one above
 * {@link MAX_AMOUNT}.
 */
export function formatAmount(value: bigint): string {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_AMOUNT) {
    throw new MessageError('MESSAGE_INVALID_FIELD', `amount must be a bigint in 0..${MAX_AMOUNT}`);
  }
  return value.toString(10);
}
