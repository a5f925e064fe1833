import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../bytes.js';
import { isLowScalarBytes, isNonZeroScalarBytes } from '../crypto/curve.js';
import { compactToDer, derToCompactOrNull } from '../crypto/der.js';
import { signDigest, verifyDigest } from '../crypto/ecdsa.js';
import { TransactionError } from './errors.js';
import { type TxData, encodeTransaction } from './raw-transaction.js';
import { encodeWire } from './wire-coder.js';

/** The only sighash type the protocol uses. */
export const SIGHASH_ALL = 0x01;

/**
 * The legacy (pre-segwit) signature hash of one input with SIGHASH_ALL: the transaction with
 * every scriptSig emptied except this input's, which holds `scriptCode` (the redeem script for
 * P2SH, the output script for P2PKH), followed by the 4-byte sighash type, double SHA-256.
 */
export function legacySighash(tx: TxData, inputIndex: number, scriptCode: Uint8Array): Uint8Array {
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length) {
    throw new TransactionError('TX_INVALID_PARAMS', `no input ${inputIndex}`);
  }
  const type = Uint8Array.of(SIGHASH_ALL, 0, 0, 0);
  const empty = new Uint8Array(0);
  const direct = encodeWire(tx, type, (i) => (i === inputIndex ? scriptCode : empty));
  if (direct) return sha256(sha256(direct));
  const stripped: TxData = {
    ...tx,
    witnesses: undefined,
    inputs: tx.inputs.map((input, i) => ({
      ...input,
      scriptSig: i === inputIndex ? scriptCode : new Uint8Array(0),
    })),
  };
  return sha256(sha256(concatBytes(encodeTransaction(stripped, false), type)));
}

/**
 * BIP66 strict DER check of a signature followed by its sighash byte, as Bitcoin Core's
 * `IsValidSignatureEncoding`.
 */
export function isStrictDerSignature(sig: Uint8Array): boolean {
  if (sig.length < 9 || sig.length > 73) return false;
  if (sig[0] !== 0x30 || sig[1] !== sig.length - 3) return false;
  const lenR = sig[3]!;
  if (5 + lenR >= sig.length) return false;
  const lenS = sig[5 + lenR]!;
  if (lenR + lenS + 7 !== sig.length) return false;
  if (sig[2] !== 0x02 || lenR === 0 || sig[4]! & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5]! & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02 || lenS === 0 || sig[lenR + 6]! & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7]! & 0x80)) return false;
  return true;
}

/**
 * Checks a pushed signature (DER plus sighash byte): strict DER, 0 < r, s < n, low S, SIGHASH_ALL.
 *
 * @throws {@link TransactionError} `TX_BAD_SIGNATURE_FORMAT` naming the first rule broken.
 */
export function assertSignatureEncoding(sig: Uint8Array, name = 'signature'): void {
  checkedCompact(sig, name);
}

/** {@link assertSignatureEncoding}, returning the signature's r || s for the backend. */
function checkedCompact(sig: Uint8Array, name: string): Uint8Array {
  if (!isStrictDerSignature(sig))
    throw new TransactionError('TX_BAD_SIGNATURE_FORMAT', `${name} is not strict DER`);
  if (sig[sig.length - 1] !== SIGHASH_ALL) {
    throw new TransactionError('TX_BAD_SIGNATURE_FORMAT', `${name} is not SIGHASH_ALL`);
  }
  const compact = derToCompactOrNull(sig);
  if (
    !compact ||
    !isNonZeroScalarBytes(compact.subarray(0, 32)) ||
    !isNonZeroScalarBytes(compact.subarray(32))
  ) {
    throw new TransactionError('TX_BAD_SIGNATURE_FORMAT', `${name} has r or s out of range`);
  }
  if (!isLowScalarBytes(compact.subarray(32))) {
    throw new TransactionError('TX_BAD_SIGNATURE_FORMAT', `${name} is not low-S`);
  }
  return compact;
}

/**
 * Deterministic (RFC 6979) low-S ECDSA signature of a 32-byte hash, DER-encoded with the
 * SIGHASH_ALL byte appended — the bytes pushed in a scriptSig. The active secp256k1 backend
 * computes r and s; the encoding is ours, so every backend yields the same bytes.
 */
export function signHash(hash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return concatBytes(compactToDer(signDigest(hash, privateKey)), Uint8Array.of(SIGHASH_ALL));
}

/**
 * Verifies a pushed signature over a 32-byte hash, enforcing the encoding rules of
 * {@link assertSignatureEncoding} first; only then is the active secp256k1 backend asked.
 *
 * @throws {@link TransactionError} `TX_BAD_SIGNATURE_FORMAT` or `TX_BAD_SIGNATURE`.
 */
export function assertValidSignature(
  sig: Uint8Array,
  hash: Uint8Array,
  publicKey: Uint8Array,
  name = 'signature',
): void {
  const compact = checkedCompact(sig, name);
  if (hash.length !== 32) throw new TransactionError('TX_INVALID_PARAMS', 'hash must be 32 bytes');
  if (!verifyDigest(compact, hash, publicKey))
    throw new TransactionError('TX_BAD_SIGNATURE', `${name} does not verify`);
}
