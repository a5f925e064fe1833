import { NETWORK, TEST_NETWORK, p2sh } from '@scure/btc-signer';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  MAX_SCRIPT_ELEMENT_SIZE,
  NETWORK_NAMES,
  type NetworkName,
  hash160,
  networkParams,
  p2shAddress,
  p2shOutputScript,
} from '../../src/scripts/index.js';
import { vectors } from '../support/vectors.js';
import { expectScriptError, filled, h } from './helpers.js';

const base58check = createBase58check(sha256);
const DEPOSIT = h(vectors.deposit.script_hex);
const COMMIT = h(vectors.commit.script_hex);

describe('p2shOutputScript', () => {
  it('is OP_HASH160 <HASH160(script)> OP_EQUAL', () => {
    expect(bytesToHex(p2shOutputScript(DEPOSIT))).toBe(`a914${bytesToHex(hash160(DEPOSIT))}87`);
  });

  it('agrees with @scure/btc-signer', () => {
    const script = { type: 'unknown', script: COMMIT } as const;
    expect(bytesToHex(p2shOutputScript(COMMIT))).toBe(bytesToHex(p2sh(script).script));
  });

  it('accepts 520 bytes and rejects 521, the consensus limit of a pushed redeem script', () => {
    expect(p2shOutputScript(filled(MAX_SCRIPT_ELEMENT_SIZE, 0x51)).length).toBe(23);
    expectScriptError(
      () => p2shOutputScript(filled(MAX_SCRIPT_ELEMENT_SIZE + 1, 0x51)),
      'SCRIPT_TOO_LARGE',
    );
  });
});

describe('p2shAddress', () => {
  it('starts with 3 on mainnet and 2 on testnet and regtest', () => {
    for (const script of [DEPOSIT, COMMIT]) {
      expect(p2shAddress(script, 'mainnet')).toMatch(/^3/);
      expect(p2shAddress(script, 'testnet')).toMatch(/^2/);
      expect(p2shAddress(script, 'regtest')).toMatch(/^2/);
    }
  });

  it('gives the reference testnet addresses', () => {
    expect(p2shAddress(DEPOSIT, 'testnet')).toBe('2N1fyEhjTHqdN1PNfDVpkn1CNh3gWPC7Dq2');
    expect(p2shAddress(COMMIT, 'testnet')).toBe('2MzVDsJnzoWRPwo4amfaVJyKi6LqsCj2sX1');
  });

  it('agrees with @scure/btc-signer on mainnet and testnet', () => {
    const script = { type: 'unknown', script: DEPOSIT } as const;
    expect(p2shAddress(DEPOSIT, 'mainnet')).toBe(p2sh(script, NETWORK).address);
    expect(p2shAddress(DEPOSIT, 'testnet')).toBe(p2sh(script, TEST_NETWORK).address);
  });

  it.each([
    ['mainnet', 0x05],
    ['testnet', 0xc4],
    ['regtest', 0xc4],
  ] as const)('%s encodes version byte 0x%s and the script hash', (network, version) => {
    const payload = base58check.decode(p2shAddress(COMMIT, network));
    expect(payload[0]).toBe(version);
    expect(bytesToHex(payload.subarray(1))).toBe(bytesToHex(hash160(COMMIT)));
  });

  it('rejects an oversized redeem script', () => {
    expectScriptError(() => p2shAddress(filled(521, 0), 'mainnet'), 'SCRIPT_TOO_LARGE');
  });

  it.each(['signet', 'Mainnet', '', 'toString', '__proto__', 'constructor'])(
    'rejects the unknown network "%s"',
    (name) => {
      expectScriptError(() => p2shAddress(DEPOSIT, name as NetworkName), 'UNKNOWN_NETWORK');
    },
  );
});

describe('networkParams', () => {
  it('knows exactly mainnet, testnet and regtest', () => {
    expect([...NETWORK_NAMES]).toEqual(['mainnet', 'testnet', 'regtest']);
  });

  it('has the P2SH version bytes and bech32 prefixes of each network', () => {
    expect(networkParams('mainnet')).toMatchObject({ scriptHash: 0x05, bech32: 'bc' });
    expect(networkParams('testnet')).toMatchObject({ scriptHash: 0xc4, bech32: 'tb' });
    expect(networkParams('regtest')).toMatchObject({ scriptHash: 0xc4, bech32: 'bcrt' });
  });

  it('rejects an unknown network with a message naming it', () => {
    const error = expectScriptError(
      () => networkParams('litecoin' as NetworkName),
      'UNKNOWN_NETWORK',
    );
    expect(error.message).toContain('litecoin');
  });
});
