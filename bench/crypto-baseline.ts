/** The limit: raw secp256k1 signing and verification with the backend the library uses. */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Benchmark } from './harness.js';

const OPTIONS = { prehash: false, lowS: true, format: 'der' } as const;

/** Raw signing and verification over 32-byte hashes, as the transaction layer calls them. */
export function cryptoBaseline(): { sign: Benchmark<void>; verify: Benchmark<void> } {
  const privateKey = sha256(new TextEncoder().encode('bench signing key'));
  const publicKey = secp256k1.getPublicKey(privateKey, true);
  // Distinct hashes, so that no cache of the backend could flatter the figures.
  const hashes = Array.from({ length: 256 }, (_, i) => sha256(Uint8Array.of(i, i >> 8)));
  const signatures = hashes.map((h) => secp256k1.sign(h, privateKey, OPTIONS));
  return {
    sign: {
      name: 'secp256k1.sign (DER, low-S)',
      run: (n) => {
        for (let i = 0; i < n; i++) secp256k1.sign(hashes[i & 255]!, privateKey, OPTIONS);
      },
    },
    verify: {
      name: 'secp256k1.verify (DER, low-S)',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          const j = i & 255;
          if (!secp256k1.verify(signatures[j]!, hashes[j]!, publicKey, OPTIONS)) {
            throw new Error('baseline signature does not verify');
          }
        }
      },
    },
  };
}
