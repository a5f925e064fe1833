import { CounterpartyError } from './errors.js';

/** Asset id of BTC (never sendable through Counterparty messages). */
export const BTC_ASSET_ID = 0n;
/** Asset id of XCP, Counterparty's native asset. */
export const XCP_ASSET_ID = 1n;
/** Smallest id of a named asset: `BAAA` = 26³. */
export const MIN_NAMED_ASSET_ID = 26n ** 3n;
/** Smallest id of a numeric asset (`A<id>`): 26¹² + 1. */
export const MIN_NUMERIC_ASSET_ID = 26n ** 12n + 1n;
/** Largest asset id: 2⁶⁴ − 1, the range of the u64 field that carries it. */
export const MAX_ASSET_ID = 2n ** 64n - 1n;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** `A` followed by a decimal without leading zeros; the range check does the rest. */
const NUMERIC_NAME = /^A[1-9][0-9]{0,19}$/;
const NAMED_NAME = /^[B-Z][A-Z]{3,11}$/;

/**
 * The asset id of an asset name: BTC is 0, XCP is 1, named assets (4–12 upper-case letters,
 * not starting with `A`) are base 26 with `A` = 0, and numeric assets are `A<id>` with
 * 26¹²+1 ≤ id ≤ 2⁶⁴−1 written in canonical decimal. Sub-asset long names are not names.
 *
 * @throws {@link CounterpartyError} `ASSET_NAME_INVALID`.
 */
export function assetId(name: string): bigint {
  if (typeof name !== 'string') throw invalidName('asset name must be a string');
  if (name === 'BTC') return BTC_ASSET_ID;
  if (name === 'XCP') return XCP_ASSET_ID;
  if (name.startsWith('A')) {
    // Counterparty reads the digits with Python's int(), which also takes leading zeros,
    // signs and underscores; only the canonical spelling is accepted so that names and ids
    // map one to one.
    if (!NUMERIC_NAME.test(name)) throw invalidName(`${quote(name)} is not A<canonical decimal>`);
    const id = BigInt(name.slice(1));
    if (id < MIN_NUMERIC_ASSET_ID || id > MAX_ASSET_ID) {
      throw invalidName(`numeric asset ${quote(name)} is outside 26^12+1..2^64-1`);
    }
    return id;
  }
  if (!NAMED_NAME.test(name)) {
    const reason =
      name.length < 4
        ? 'is shorter than 4 letters'
        : name.length > 12
          ? 'is longer than 12 letters (long names must be numeric)'
          : 'has a character outside A-Z';
    throw invalidName(`${quote(name)} ${reason}`);
  }
  let id = 0n;
  for (const letter of name) id = id * 26n + BigInt(LETTERS.indexOf(letter));
  return id;
}

/**
 * The asset name of an asset id, the inverse of {@link assetId}.
 *
 * @throws {@link CounterpartyError} `ASSET_ID_INVALID` for an id that names no asset.
 */
export function assetName(id: bigint): string {
  if (typeof id !== 'bigint') throw invalidId('asset id must be a bigint');
  if (id === BTC_ASSET_ID) return 'BTC';
  if (id === XCP_ASSET_ID) return 'XCP';
  if (id < MIN_NAMED_ASSET_ID) throw invalidId(`asset id ${id} is too low`);
  if (id > MAX_ASSET_ID) throw invalidId(`asset id ${id} is above 2^64-1`);
  if (id >= MIN_NUMERIC_ASSET_ID) return `A${id}`;
  // 26^12 itself would be a 13-letter name, which no issuance can create.
  if (id === MIN_NUMERIC_ASSET_ID - 1n) throw invalidId('asset id 26^12 names no asset');
  let name = '';
  for (let n = id; n > 0n; n /= 26n) name = LETTERS[Number(n % 26n)] + name;
  return name;
}

function quote(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

function invalidName(reason: string): CounterpartyError {
  return new CounterpartyError('ASSET_NAME_INVALID', reason);
}

function invalidId(reason: string): CounterpartyError {
  return new CounterpartyError('ASSET_ID_INVALID', reason);
}
