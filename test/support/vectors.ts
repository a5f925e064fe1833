import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Location of the reference implementation's test vectors (shared/ sits beside the checkout). */
export const VECTORS_PATH =
  process.env.PICOPAYMENTS_VECTORS ??
  fileURLToPath(new URL('../../../shared/vectors/reference-fixtures.json', import.meta.url));

interface SignCase {
  input: Record<string, string>;
  expected?: string;
}

/** The reference fixtures, typed loosely: every leaf is a hex string or a number. */
export interface ReferenceVectors {
  deposit: Record<string, string | number> & { script_hex: string; expire_time: number };
  commit: Record<string, string | number> & { script_hex: string; delay_time: number };
  payout: { commit_script_hex: string; spend_secret: string; rawtx: string; bad_rawtx: string };
  sign: Record<string, SignCase>;
  keys: Record<string, string>;
  transactions: Record<string, string>;
  scripts: Record<string, string>;
  auth_compatibility: { data: string; signature: string; pubkey: string };
  commit_scriptsig: Record<string, string>;
}

/** Loads the reference vectors once. */
export const vectors: ReferenceVectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));
