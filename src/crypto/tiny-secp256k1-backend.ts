import type { Secp256k1Backend } from './backend.js';
import { CryptoError } from './errors.js';
import { importOptional, moduleExports } from './optional-import.js';

/** The part of tiny-secp256k1's API the backend uses (declared here: the package is optional). */
interface TinySecp256k1 {
  isPoint(p: Uint8Array): boolean;
  pointFromScalar(d: Uint8Array, compressed?: boolean): Uint8Array | null;
  sign(h: Uint8Array, d: Uint8Array): Uint8Array;
  verify(h: Uint8Array, q: Uint8Array, signature: Uint8Array, strict?: boolean): boolean;
}

/**
 * Loads tiny-secp256k1 (libsecp256k1 compiled to WebAssembly).
 *
 * @throws {@link CryptoError} `CRYPTO_BACKEND_NOT_INSTALLED` or `CRYPTO_BACKEND_LOAD_FAILED`.
 */
export async function loadTinySecp256k1Backend(): Promise<Secp256k1Backend> {
  const tiny = moduleExports(
    await importOptional('tiny-secp256k1', 'tiny-secp256k1'),
  ) as unknown as TinySecp256k1;
  if (typeof tiny.sign !== 'function' || typeof tiny.pointFromScalar !== 'function') {
    throw new CryptoError('CRYPTO_BACKEND_LOAD_FAILED', 'tiny-secp256k1 has an unknown API');
  }
  return {
    name: 'tiny-secp256k1',
    implementation: 'tiny-secp256k1 (libsecp256k1 as WebAssembly)',
    publicKeyCreate: (privateKey) => {
      const key = tiny.pointFromScalar(privateKey, true);
      if (!key) throw new CryptoError('CRYPTO_BACKEND_FAULT', 'tiny-secp256k1 derived no key');
      return key;
    },
    isPoint: (publicKey) => {
      try {
        return tiny.isPoint(publicKey);
      } catch {
        return false;
      }
    },
    sign: (hash, privateKey) => tiny.sign(hash, privateKey),
    verify: (signature, hash, publicKey) => {
      try {
        // strict: a high s is refused rather than normalised, like the other backends.
        return tiny.verify(hash, publicKey, signature, true);
      } catch {
        return false;
      }
    },
  };
}
