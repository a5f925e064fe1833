import { WIF } from '@scure/btc-signer';
import { derivePublicKey } from '../crypto/ecdsa.js';
import { isValidPrivateKey, randomPrivateKey } from '../crypto/private-keys.js';
import { type NetworkName, networkParams } from '../scripts/networks.js';
import { TransactionError } from './errors.js';

/**
 * Checks that `key` is a valid 32-byte secp256k1 private key (0 < key < n).
 *
 * @throws {@link TransactionError} `TX_INVALID_KEY` otherwise.
 */
export function assertPrivateKey(key: Uint8Array): void {
  if (!isValidPrivateKey(key)) {
    throw new TransactionError(
      'TX_INVALID_KEY',
      'private key must be a valid 32-byte secp256k1 scalar',
    );
  }
}

/**
 * The 33-byte compressed public key of a private key, derived by the active secp256k1 backend.
 *
 * @throws {@link TransactionError} `TX_INVALID_KEY`.
 */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  assertPrivateKey(privateKey);
  return derivePublicKey(privateKey);
}

/** A fresh private key from the platform CSPRNG. */
export function generatePrivateKey(): Uint8Array {
  return randomPrivateKey();
}

/**
 * Decodes a WIF private key (compressed form) of the given network.
 *
 * @throws {@link TransactionError} `TX_INVALID_KEY` for a bad checksum, network or length.
 */
export function privateKeyFromWif(wif: string, network: NetworkName = 'testnet'): Uint8Array {
  try {
    const key = WIF(networkParams(network)).decode(wif);
    assertPrivateKey(key);
    return key;
  } catch (cause) {
    if (cause instanceof TransactionError) throw cause;
    throw new TransactionError('TX_INVALID_KEY', `not a ${network} WIF key`);
  }
}

/** Encodes a private key as compressed WIF for the given network. */
export function privateKeyToWif(privateKey: Uint8Array, network: NetworkName = 'testnet'): string {
  assertPrivateKey(privateKey);
  return WIF(networkParams(network)).encode(privateKey);
}
