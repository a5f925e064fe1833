import {
  type Secp256k1Backend,
  SECP256K1_BACKEND_NAMES,
  type Secp256k1BackendName,
  loadSecp256k1Backend,
  useSecp256k1Backend,
} from '../../src/crypto/index.js';

/** Every known backend, loaded (a missing optional package fails the suite, as it should here). */
export async function loadAllBackends(): Promise<Secp256k1Backend[]> {
  return Promise.all(SECP256K1_BACKEND_NAMES.map((name) => loadSecp256k1Backend(name)));
}

/** The names of every backend, for `describe.each`. */
export const BACKEND_NAMES: readonly Secp256k1BackendName[] = SECP256K1_BACKEND_NAMES;

/**
 * What `fn` yields with each backend active in turn, then noble active again. A thrown error
 * becomes `{ error: code }`, so that outcomes compare with `toEqual`.
 */
export async function outcomesPerBackend<T>(fn: () => T): Promise<Array<T | { error: string }>> {
  const outcomes: Array<T | { error: string }> = [];
  for (const name of BACKEND_NAMES) {
    await useSecp256k1Backend(name);
    outcomes.push(outcome(fn));
  }
  await useSecp256k1Backend('noble');
  return outcomes;
}

/** The value of `fn`, or the stable code of what it threw. */
export function outcome<T>(fn: () => T): T | { error: string } {
  try {
    return fn();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { error: typeof code === 'string' ? code : `untyped: ${String(error)}` };
  }
}
