import type { Secp256k1Backend, Secp256k1BackendName } from './backend.js';
import { CryptoError } from './errors.js';
import { loadNativeSecp256k1Backend } from './native-backend.js';
import { nobleBackend } from './noble-backend.js';
import { assertBackendConforms } from './self-test.js';
import { loadTinySecp256k1Backend } from './tiny-secp256k1-backend.js';

/** Every backend name {@link loadSecp256k1Backend} accepts. */
export const SECP256K1_BACKEND_NAMES: readonly Secp256k1BackendName[] = [
  'noble',
  'tiny-secp256k1',
  'native',
];

const loaders: Record<Secp256k1BackendName, () => Promise<Secp256k1Backend>> = {
  noble: async () => nobleBackend,
  'tiny-secp256k1': loadTinySecp256k1Backend,
  native: loadNativeSecp256k1Backend,
};

/** Loads already attempted, so that a package is imported and self-tested once. */
const loading = new Map<Secp256k1BackendName, Promise<Secp256k1Backend>>();

let active: Secp256k1Backend = nobleBackend;

/**
 * A frozen copy of an embedder's backend, so that methods swapped on the original after the
 * known-answer tests cannot take effect unchecked.
 */
function snapshotOf(backend: Secp256k1Backend): Secp256k1Backend {
  if (typeof backend !== 'object' || backend === null) return backend;
  const bind = <K extends 'publicKeyCreate' | 'isPoint' | 'sign' | 'verify'>(key: K) =>
    (typeof backend[key] === 'function'
      ? backend[key].bind(backend)
      : backend[key]) as Secp256k1Backend[K];
  return Object.freeze({
    name: backend.name,
    implementation: backend.implementation,
    publicKeyCreate: bind('publicKeyCreate'),
    isPoint: bind('isPoint'),
    sign: bind('sign'),
    verify: bind('verify'),
  });
}

/** The backend every signature, verification and key operation currently goes through. */
export function activeSecp256k1Backend(): Secp256k1Backend {
  return active;
}

/**
 * Loads a backend by name (optional packages are imported only now) and checks it with
 * known-answer tests, without selecting it.
 *
 * @throws {@link CryptoError} `CRYPTO_UNKNOWN_BACKEND`, `CRYPTO_BACKEND_NOT_INSTALLED`,
 * `CRYPTO_BACKEND_LOAD_FAILED` or `CRYPTO_BACKEND_REJECTED`.
 */
export function loadSecp256k1Backend(name: Secp256k1BackendName): Promise<Secp256k1Backend> {
  if (!Object.hasOwn(loaders, name)) {
    return Promise.reject(
      new CryptoError(
        'CRYPTO_UNKNOWN_BACKEND',
        `unknown secp256k1 backend ${JSON.stringify(name)}; known: ${SECP256K1_BACKEND_NAMES.join(', ')}`,
      ),
    );
  }
  let pending = loading.get(name);
  if (!pending) {
    pending = loaders[name]().then((backend) => {
      assertBackendConforms(backend);
      return backend;
    });
    // A failed load may succeed later (e.g. after an install): do not remember failures.
    pending.catch(() => loading.delete(name));
    loading.set(name, pending);
  }
  return pending;
}

/**
 * Selects the secp256k1 backend for the whole library: a known name, or a backend object of
 * the embedder's own. Either is checked with known-answer tests first; on any failure the
 * active backend stays as it was.
 *
 * @example `await useSecp256k1Backend('native')`
 * @returns The backend now active.
 * @throws {@link CryptoError} as {@link loadSecp256k1Backend}.
 */
export async function useSecp256k1Backend(
  choice: Secp256k1BackendName | Secp256k1Backend,
): Promise<Secp256k1Backend> {
  let backend: Secp256k1Backend;
  if (typeof choice === 'string') {
    backend = await loadSecp256k1Backend(choice);
  } else {
    backend = snapshotOf(choice);
    assertBackendConforms(backend);
  }
  active = backend;
  return backend;
}
