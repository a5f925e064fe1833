import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';

/** The fields of an 80-byte Bitcoin block header. */
export interface BlockHeaderFields {
  readonly version: number;
  /** Hash of the previous block, display (RPC) byte order. */
  readonly previousHash: string;
  /** Merkle root of the txids, display byte order. */
  readonly merkleRoot: string;
  /** UNIX time in seconds. */
  readonly time: number;
  readonly bits: number;
  readonly nonce: number;
}

/** Size of a serialized block header. */
export const BLOCK_HEADER_BYTES = 80;

/** Serializes a header: version, previous hash, merkle root, time, bits, nonce (all little-endian). */
export function encodeBlockHeader(fields: BlockHeaderFields): Uint8Array {
  const header = new Uint8Array(BLOCK_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setInt32(0, fields.version, true);
  header.set(hexToBytes(fields.previousHash).reverse(), 4);
  header.set(hexToBytes(fields.merkleRoot).reverse(), 36);
  view.setUint32(68, fields.time >>> 0, true);
  view.setUint32(72, fields.bits >>> 0, true);
  view.setUint32(76, fields.nonce >>> 0, true);
  return header;
}

/**
 * Parses an 80-byte header. Returns `null` for any other length so callers can refuse it with
 * their own error type.
 */
export function decodeBlockHeader(header: Uint8Array): BlockHeaderFields | null {
  if (header.length !== BLOCK_HEADER_BYTES) return null;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  return {
    version: view.getInt32(0, true),
    previousHash: bytesToHex(header.slice(4, 36).reverse()),
    merkleRoot: bytesToHex(header.slice(36, 68).reverse()),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  };
}

/** Block hash in display byte order: reversed double SHA-256 of the serialized header. */
export function blockHashOf(header: Uint8Array): string {
  return bytesToHex(sha256(sha256(header)).reverse());
}

/**
 * Merkle root of txids given in display order, as Bitcoin computes it (an odd last node is
 * paired with itself). An empty list gives 32 zero bytes, which no real block has.
 */
export function merkleRootOf(txids: readonly string[]): string {
  if (txids.length === 0) return '00'.repeat(32);
  let level = txids.map((txid) => hexToBytes(txid).reverse());
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256(sha256(concatBytes(left, right))));
    }
    level = next;
  }
  return bytesToHex(level[0]!.slice().reverse());
}
