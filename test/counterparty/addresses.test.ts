import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Address, NETWORK, OutScript, TEST_NETWORK, p2tr } from '@scure/btc-signer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, hexToBytes } from '../../src/bytes.js';
import {
  packShortAddress,
  outputScriptAddress,
  standardOutput,
  unpackShortAddress,
} from '../../src/counterparty/index.js';
import type { NetworkName } from '../../src/scripts/networks.js';
import { propertyConfig } from '../support/property-config.js';
import { addressArb, networkArb } from './arbitraries.js';

const params = (network: NetworkName) =>
  network === 'mainnet'
    ? NETWORK
    : network === 'testnet'
      ? TEST_NETWORK
      : { ...TEST_NETWORK, bech32: 'bcrt' };

const hashArb = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const scriptArb = fc.oneof(
  hashArb(20).map((h) =>
    concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), h, Uint8Array.of(0x88, 0xac)),
  ),
  hashArb(20).map((h) => concatBytes(Uint8Array.of(0xa9, 0x14), h, Uint8Array.of(0x87))),
  hashArb(20).map((h) => concatBytes(Uint8Array.of(0x00, 0x14), h)),
  hashArb(32).map((h) => concatBytes(Uint8Array.of(0x00, 0x20), h)),
  // Taproot outputs of real keys (the encoder checks that the program is a curve point).
  hashArb(32).map(
    (seed) =>
      p2tr(secp256k1.getPublicKey(sha256(seed), true).subarray(1), undefined, undefined, true)
        .script,
  ),
);

describe('addresses', () => {
  it('agrees with @scure/btc-signer on every standard output script', () => {
    fc.assert(
      fc.property(scriptArb, networkArb, (script, network) => {
        const expected = Address(params(network)).encode(OutScript.decode(script));
        expect(outputScriptAddress(script, network)).toBe(expected);
      }),
      propertyConfig('counterparty output addresses', 200),
    );
  });

  it('reads no address from other scripts', () => {
    for (const hex of [
      '',
      '51',
      '6a0100',
      '0014',
      `0015${'00'.repeat(21)}`,
      `5214${'00'.repeat(20)}`,
    ]) {
      const script = hexToBytes(hex);
      expect(standardOutput(script)).toBeNull();
      expect(outputScriptAddress(script, 'mainnet')).toBeNull();
    }
  });

  it('packs and unpacks short addresses in both formats', () => {
    fc.assert(
      fc.property(
        networkArb.chain((network) => fc.tuple(fc.constant(network), addressArb(network))),
        fc.constantFrom('legacy', 'typed'),
        ([network, address], format) => {
          const packed = packShortAddress(address, network, format);
          expect(packed).toHaveLength(21);
          expect(unpackShortAddress(packed, network).address).toBe(address);
        },
      ),
      propertyConfig('counterparty short addresses', 200),
    );
  });

  it('credits unknown legacy version bytes to their base58 string, as Counterparty does', () => {
    const bytes = concatBytes(Uint8Array.of(0x30), new Uint8Array(20));
    const unpacked = unpackShortAddress(bytes, 'mainnet');
    expect(unpacked.kind).toBe('unknown');
    expect(unpacked.address.startsWith('L')).toBe(true);
  });
});
