import { CryptoError } from './errors.js';

/** Whether a failed import says that `packageName` itself cannot be found. */
function isMissingPackage(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return error.message.includes(`'${packageName}`);
}

/**
 * Imports an optional package by a specifier held in a variable, so that bundlers neither
 * include it in nor demand it for the default bundle.
 *
 * @throws {@link CryptoError} `CRYPTO_BACKEND_NOT_INSTALLED` when the package is absent, or
 * `CRYPTO_BACKEND_LOAD_FAILED` when it is present but fails to load.
 */
export async function importOptional(specifier: string, packageName: string): Promise<unknown> {
  try {
    return await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
  } catch (cause) {
    if (isMissingPackage(cause, packageName)) {
      throw new CryptoError(
        'CRYPTO_BACKEND_NOT_INSTALLED',
        `the optional package '${packageName}' is not installed`,
        { cause },
      );
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CryptoError(
      'CRYPTO_BACKEND_LOAD_FAILED',
      `the package '${packageName}' could not be loaded: ${reason}`,
      { cause },
    );
  }
}

/** The CommonJS `module.exports` or ESM namespace behind a dynamic import's result. */
export function moduleExports(imported: unknown): Record<string, unknown> {
  const namespace = imported as Record<string, unknown>;
  const fallback = namespace.default as Record<string, unknown> | undefined;
  // CommonJS packages arrive as `default`; ESM ones carry named exports.
  return typeof namespace.sign === 'function' || typeof namespace.ecdsaSign === 'function'
    ? namespace
    : (fallback ?? namespace);
}
