import type { Secp256k1Backend } from './backend.js';
import { CryptoError } from './errors.js';
import { importOptional, moduleExports } from './optional-import.js';

/** The part of the `secp256k1` package's API the backend uses (declared here: it is optional). */
interface NativeSecp256k1 {
  publicKeyCreate(privateKey: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyVerify(publicKey: Uint8Array): boolean;
  ecdsaSign(hash: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaVerify(signature: Uint8Array, hash: Uint8Array, publicKey: Uint8Array): boolean;
}

/**
 * The module that holds the compiled binding. The package's main entry falls back silently to
 * a slow pure-JS implementation (elliptic) when the binding does not load; importing the
 * binding module directly makes that case an error instead.
 */
export const NATIVE_BINDING_SPECIFIER = 'secp256k1/bindings.js';

/**
 * Loads the `secp256k1` package's native binding (libsecp256k1 compiled for this platform;
 * the package ships prebuilt binaries). `specifier` names the binding module, by default the
 * installed package's; another copy of the package can be named by its file URL.
 *
 * @throws {@link CryptoError} `CRYPTO_BACKEND_NOT_INSTALLED` when the package is absent, or
 * `CRYPTO_BACKEND_LOAD_FAILED` when the binding cannot be loaded here (the pure-JS fallback is
 * never used).
 */
export async function loadNativeSecp256k1Backend(
  specifier: string = NATIVE_BINDING_SPECIFIER,
): Promise<Secp256k1Backend> {
  const native = moduleExports(
    await importOptional(specifier, 'secp256k1'),
  ) as unknown as NativeSecp256k1;
  if (typeof native.ecdsaSign !== 'function' || typeof native.ecdsaVerify !== 'function') {
    throw new CryptoError('CRYPTO_BACKEND_LOAD_FAILED', 'secp256k1 has an unknown API');
  }
  return {
    name: 'native',
    implementation: 'secp256k1 package, native libsecp256k1 binding (not the elliptic fallback)',
    publicKeyCreate: (privateKey) => native.publicKeyCreate(privateKey, true),
    isPoint: (publicKey) => {
      try {
        return native.publicKeyVerify(publicKey);
      } catch {
        return false;
      }
    },
    sign: (hash, privateKey) => native.ecdsaSign(hash, privateKey).signature,
    verify: (signature, hash, publicKey) => {
      try {
        return native.ecdsaVerify(signature, hash, publicKey);
      } catch {
        return false;
      }
    },
  };
}
