import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Secp256k1Backend } from './backend.js';

const SIGN = { prehash: false, lowS: true, format: 'compact', extraEntropy: false } as const;
const VERIFY = { prehash: false, lowS: true, format: 'compact' } as const;

/** @noble/curves: pure JavaScript, works in browsers; the default backend. */
export const nobleBackend: Secp256k1Backend = {
  name: 'noble',
  implementation: '@noble/curves (pure JavaScript)',
  publicKeyCreate: (privateKey) => secp256k1.getPublicKey(privateKey, true),
  isPoint: (publicKey) => {
    try {
      secp256k1.Point.fromBytes(publicKey).assertValidity();
      return true;
    } catch {
      return false;
    }
  },
  sign: (hash, privateKey) => secp256k1.sign(hash, privateKey, SIGN),
  verify: (signature, hash, publicKey) => {
    try {
      return secp256k1.verify(signature, hash, publicKey, VERIFY);
    } catch {
      return false;
    }
  },
};
