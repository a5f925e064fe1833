import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './signing.js';

/** Longest time ahead an events token may expire, seconds: a leaked token is short-lived. */
export const EVENTS_TOKEN_MAX_AHEAD = 3600;

/**
 * Digest an events subscription token signs: hub id, handle and expiry, domain-tagged so that
 * it can never pass for a request signature.
 */
export function eventsDigest(hubId: string, handle: string, expiry: number): Uint8Array {
  return sha256(utf8ToBytes(canonicalJson(['picopayments-hub-events', hubId, handle, expiry])));
}
