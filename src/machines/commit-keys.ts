import { bytesToHex, hexToBytes } from '../bytes.js';
import { buildCommitScript } from '../scripts/commit-script.js';
import { hash160 } from '../scripts/hash.js';
import type { Hex, PayeeContext, PayerContext } from './context.js';
import { payeeScriptKey, payerScriptKey } from './history.js';

/**
 * The history key of a commit from its revoke hash: the commit script is rebuilt from the
 * channel's terms (both keys, the spend secret hash, the delay) and the revoke hash, and the key
 * names its HASH160, the hash its P2SH output carries on chain.
 *
 * @module
 */

const CACHE_SIZE = 256;
const scriptHashes = new Map<string, Hex>();

/**
 * HASH160 (hex) of the commit script of revoke hash `hash` in this channel, or null before the
 * terms are known (or for a hash that is not 20 bytes of hex).
 */
export function commitScriptHash(context: PayerContext | PayeeContext, hash: Hex): Hex | null {
  const { payerPubkey, payeePubkey, spendSecretHash, delayTime } = context;
  if (!payerPubkey || !payeePubkey || !spendSecretHash || delayTime === null) return null;
  if (!/^[0-9a-f]{40}$/.test(hash)) return null;
  const id = `${payerPubkey}${payeePubkey}${spendSecretHash}${delayTime}:${hash}`;
  const known = scriptHashes.get(id);
  if (known !== undefined) return known;
  let scriptHash: Hex;
  try {
    const script = buildCommitScript({
      payerPubkey: hexToBytes(payerPubkey),
      payeePubkey: hexToBytes(payeePubkey),
      spendSecretHash: hexToBytes(spendSecretHash),
      revokeSecretHash: hexToBytes(hash),
      delayTime,
    });
    scriptHash = bytesToHex(hash160(script));
  } catch {
    return null;
  }
  if (scriptHashes.size >= CACHE_SIZE) scriptHashes.delete(scriptHashes.keys().next().value!);
  scriptHashes.set(id, scriptHash);
  return scriptHash;
}

/** The `cb/` key of the payer commit with revoke hash `hash`, or null before the terms. */
export function payerRecordKey(context: PayerContext, hash: Hex): string | null {
  const scriptHash = commitScriptHash(context, hash);
  return scriptHash === null ? null : payerScriptKey(scriptHash);
}

/** The `ab/` key of the payee commit with revoke hash `hash`, or null before the terms. */
export function payeeRecordKey(context: PayeeContext, hash: Hex): string | null {
  const scriptHash = commitScriptHash(context, hash);
  return scriptHash === null ? null : payeeScriptKey(scriptHash);
}
