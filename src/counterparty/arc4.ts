import { hexToBytes } from '../bytes.js';
import { CounterpartyError } from './errors.js';

/**
 * ARC4 (RC4) keystream XORed into `data`: encryption and decryption are the same operation.
 * Counterparty uses it only to make its data look random, not for secrecy.
 */
export function arc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length === 0 || key.length > 256) {
    throw new CounterpartyError('INVALID_ARGUMENT', 'ARC4 key must be 1..256 bytes');
  }
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

/**
 * The ARC4 key of a transaction: its first input's previous txid as bytes in display (RPC)
 * order, i.e. the hex string as written, not the reversed bytes serialized in the input.
 *
 * @throws {@link CounterpartyError} `TXID_INVALID` unless `txid` is 64 hex characters.
 */
export function arc4KeyOfTxid(txid: string): Uint8Array {
  if (typeof txid !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txid)) {
    throw new CounterpartyError('TXID_INVALID', 'first input txid must be 64 hex characters');
  }
  return hexToBytes(txid);
}
