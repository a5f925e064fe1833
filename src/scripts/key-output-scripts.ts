import { concatBytes } from '../bytes.js';
import { hash160 } from './hash.js';

/** `OP_0 <HASH160(pubkey)>`: the P2WPKH output script of a compressed public key. */
export function p2wpkhOutputScript(publicKey: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x00, 0x14), hash160(publicKey));
}

/** `OP_DUP OP_HASH160 <HASH160(pubkey)> OP_EQUALVERIFY OP_CHECKSIG`: the P2PKH output script of a public key. */
export function p2pkhOutputScript(publicKey: Uint8Array): Uint8Array {
  return concatBytes(
    Uint8Array.of(0x76, 0xa9, 0x14),
    hash160(publicKey),
    Uint8Array.of(0x88, 0xac),
  );
}
