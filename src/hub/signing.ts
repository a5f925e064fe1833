import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { signDigest, verifyDigest } from '../crypto/ecdsa.js';

/** JSON with object keys sorted at every level: the canonical form that is signed. */
export function canonicalJson(value: unknown): string {
  // One string built in place (no entry arrays): every request and answer is encoded twice.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // As Array.prototype.join: holes and values JSON leaves out are empty.
      const item = i in value ? canonicalJson(value[i]) : undefined;
      if (item !== undefined) out += item;
    }
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Code-unit order, as the `<` comparison.
    const keys = Object.keys(record).sort();
    let out = '{';
    let first = true;
    for (const k of keys) {
      const v = record[k];
      if (v === undefined) continue;
      if (!first) out += ',';
      first = false;
      out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

/** Digest a request signature covers: hub id, method, params, nonce and expiry, domain-tagged. */
export function requestDigest(
  hubId: string,
  method: string,
  params: unknown,
  nonce: number,
  expiry: number,
): Uint8Array {
  return sha256(
    utf8ToBytes(canonicalJson(['picopayments-hub-request', hubId, method, params, nonce, expiry])),
  );
}

/** Digest a response signature covers: the request it answers and the result. */
export function responseDigest(
  hubId: string,
  method: string,
  requestSignature: string,
  result: unknown,
): Uint8Array {
  return sha256(
    utf8ToBytes(
      canonicalJson(['picopayments-hub-response', hubId, method, requestSignature, result]),
    ),
  );
}

/** Signs a digest, hex compact r||s. */
export function signHex(digest: Uint8Array, privateKey: Uint8Array): string {
  return bytesToHex(signDigest(digest, privateKey));
}

/** Verifies a hex compact r||s signature; false (never a throw) on malformed input. */
export function verifyHex(digest: Uint8Array, signature: string, publicKey: Uint8Array): boolean {
  try {
    return verifyDigest(hexToBytes(signature), digest, publicKey) === true;
  } catch {
    return false;
  }
}
