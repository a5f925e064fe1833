import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import fc from 'fast-check';
import { bytesToHex, concatBytes } from '../../src/bytes.js';
import {
  MAX_ASSET_ID,
  MAX_QUANTITY,
  MIN_NAMED_ASSET_ID,
  MIN_NUMERIC_ASSET_ID,
} from '../../src/counterparty/index.js';
import { type NetworkName, networkParams } from '../../src/scripts/networks.js';

const base58check = createBase58check(sha256);
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A named asset built letter by letter (independent of the id arithmetic under test). */
export const namedAssetArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...LETTERS.slice(1)),
    fc.array(fc.constantFrom(...LETTERS), { minLength: 3, maxLength: 11 }),
  )
  .map(([first, rest]) => first + rest.join(''));

/** A numeric asset name `A<id>`. */
export const numericAssetArb: fc.Arbitrary<string> = fc
  .bigInt({ min: MIN_NUMERIC_ASSET_ID, max: MAX_ASSET_ID })
  .map((id) => `A${id}`);

/** Any sendable asset name. */
export const sendableAssetArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant('XCP'),
  namedAssetArb,
  numericAssetArb,
);

/** Every valid asset id, boundaries weighted in. */
export const assetIdArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, MIN_NAMED_ASSET_ID, 26n ** 12n - 1n, MIN_NUMERIC_ASSET_ID, MAX_ASSET_ID),
  fc.bigInt({ min: MIN_NAMED_ASSET_ID, max: 26n ** 12n - 1n }),
  fc.bigInt({ min: MIN_NUMERIC_ASSET_ID, max: MAX_ASSET_ID }),
);

/** A quantity Counterparty can send: 1..2^63-1, boundaries weighted in. */
export const quantityArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(1n, MAX_QUANTITY),
  fc.bigInt({ min: 1n, max: MAX_QUANTITY }),
  fc.bigInt({ min: 1n, max: 100_000_000n }),
);

export const networkArb: fc.Arbitrary<NetworkName> = fc.constantFrom(
  'mainnet',
  'testnet',
  'regtest',
);

/** A base58 P2PKH or P2SH address of `network`. */
export function addressArb(network: NetworkName): fc.Arbitrary<string> {
  const params = networkParams(network);
  return fc
    .tuple(
      fc.constantFrom(params.pubKeyHash, params.scriptHash),
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
    )
    .map(([version, hash]) => base58check.encode(concatBytes(Uint8Array.of(version), hash)));
}

export const memoArb: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 34 });

export const txidArb: fc.Arbitrary<string> = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map(bytesToHex);
