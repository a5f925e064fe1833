import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { signDigest, verifyDigest } from '../crypto/ecdsa.js';

/** JSON with object keys sorted at every level: the canonical form that is signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
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
