import { RawTx } from '@scure/btc-signer/script.js';
import { equalBytes } from '../bytes.js';
import { parseCommitScript } from './commit-script.js';
import { hash160 } from './hash.js';
import { type UnlockingScript, parseUnlockingScript } from './unlocking-scripts.js';

function inputSpends(rawTx: Uint8Array): UnlockingScript[] {
  let scriptSigs: Uint8Array[];
  try {
    scriptSigs = RawTx.decode(rawTx).inputs.map((input) => input.finalScriptSig);
  } catch {
    return [];
  }
  const spends: UnlockingScript[] = [];
  for (const scriptSig of scriptSigs) {
    try {
      // Read as consensus does: a third party may have re-encoded the pushes.
      spends.push(parseUnlockingScript(scriptSig, { canonical: false }));
    } catch {
      // Inputs that are not one of our spend paths are simply not of interest here.
    }
  }
  return spends;
}

/**
 * Reads the spend secret out of a payout transaction of `commitScript`: the first input whose
 * scriptSig is a payout spend of exactly that commit script and whose secret hashes to the
 * script's spend secret hash.
 *
 * @returns the 32-byte spend secret, or `null` when `rawTx` is no such payout (a revoke, another
 * commit's payout, or bytes that are not a transaction at all).
 */
export function extractSpendSecret(rawTx: Uint8Array, commitScript: Uint8Array): Uint8Array | null {
  let expectedHash: Uint8Array;
  try {
    expectedHash = parseCommitScript(commitScript).spendSecretHash;
  } catch {
    return null;
  }
  for (const spend of inputSpends(rawTx)) {
    if (
      spend.kind === 'payout' &&
      equalBytes(spend.commitScript, commitScript) &&
      equalBytes(hash160(spend.spendSecret), expectedHash)
    ) {
      return spend.spendSecret;
    }
  }
  return null;
}

/**
 * Reads the revoke secret out of a revoke transaction of `commitScript`.
 *
 * @returns the 32-byte revoke secret, or `null` when `rawTx` is no such revoke.
 */
export function extractRevokeSecret(
  rawTx: Uint8Array,
  commitScript: Uint8Array,
): Uint8Array | null {
  let expectedHash: Uint8Array;
  try {
    expectedHash = parseCommitScript(commitScript).revokeSecretHash;
  } catch {
    return null;
  }
  for (const spend of inputSpends(rawTx)) {
    if (
      spend.kind === 'revoke' &&
      equalBytes(spend.commitScript, commitScript) &&
      equalBytes(hash160(spend.revokeSecret), expectedHash)
    ) {
      return spend.revokeSecret;
    }
  }
  return null;
}
