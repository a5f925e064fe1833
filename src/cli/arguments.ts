import { CliError } from './errors.js';

/** A quantity in base units: a decimal integer, no sign, at most 2^63 - 1 (what an asset can hold). */
export function parseQuantity(name: string, text: string | undefined): bigint {
  if (text === undefined || !/^\d{1,19}$/.test(text))
    throw new CliError(
      'CLI_USAGE',
      `${name} must be a whole number of base units, not ${JSON.stringify(text)}`,
    );
  const value = BigInt(text);
  if (value <= 0n || value > 2n ** 63n - 1n)
    throw new CliError('CLI_USAGE', `${name} must be between 1 and 2^63-1`);
  return value;
}

/** A small whole number for an option (block counts, cost exponents), within `min..max`. */
export function parseBlocks(
  name: string,
  text: string | boolean | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  if (
    typeof text !== 'string' ||
    !/^\d{1,6}$/.test(text) ||
    Number(text) < min ||
    Number(text) > max
  )
    throw new CliError('CLI_USAGE', `${name} must be a whole number between ${min} and ${max}`);
  return Number(text);
}
