import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import {
  DEFAULT_SCRYPT_PARAMS,
  type EncryptionHeader,
  type ScryptParams,
  checkScryptParams,
  decodeHeader,
  encodeHeader,
} from './encryption-header.js';
import { StoreError } from './errors.js';

/** Encryption at rest: the passphrase, and scrypt cost for a store created now. */
export interface EncryptionOptions {
  /** Text (NFKC-normalised, UTF-8) or raw bytes; must not be empty. */
  readonly passphrase: string | Uint8Array;
  /** scrypt cost when the store is created; an existing store keeps the cost in its header. */
  readonly kdf?: ScryptParams;
}

/** Sealed value layout version (first byte), so that the layout can change later. */
const SEALED_VERSION = 1;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const SALT_BYTES = 32;
const CHECK_TEXT = new TextEncoder().encode('picopayments store key check v1');
const CHECK_AAD = new TextEncoder().encode('picopayments/header/v1');

function passphraseBytes(passphrase: string | Uint8Array): Uint8Array {
  const bytes =
    typeof passphrase === 'string'
      ? new TextEncoder().encode(passphrase.normalize('NFKC'))
      : passphrase instanceof Uint8Array
        ? passphrase
        : null;
  if (!bytes || bytes.length === 0)
    throw new StoreError('STORE_INVALID_OPTIONS', 'passphrase must be a non-empty string or bytes');
  return bytes;
}

async function deriveKey(
  passphrase: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
): Promise<Uint8Array> {
  // The async variant yields to the event loop, so a server keeps answering while a store opens.
  return scryptAsync(passphrase, salt, {
    ...params,
    dkLen: 32,
    maxmem: 128 * params.N * params.r * 2 + 1024,
  });
}

/**
 * Seals and opens stored values with XChaCha20-Poly1305 under a key derived once, at open,
 * from the passphrase with scrypt. Every value gets a fresh random nonce, and its associated
 * data names the row (kind, key, position) so that a sealed value cannot be moved to another row.
 */
export class SnapshotCipher {
  private constructor(private readonly key: Uint8Array) {}

  /** A new header (fresh salt) and the cipher it describes. */
  static async create(
    options: EncryptionOptions,
  ): Promise<{ cipher: SnapshotCipher; header: string }> {
    const params = checkScryptParams(options.kdf ?? DEFAULT_SCRYPT_PARAMS, 'STORE_INVALID_OPTIONS');
    const salt = new Uint8Array(randomBytes(SALT_BYTES));
    const cipher = new SnapshotCipher(
      await deriveKey(passphraseBytes(options.passphrase), salt, params),
    );
    const header: EncryptionHeader = {
      format: 'picopayments-store-encryption',
      version: 1,
      kdf: { name: 'scrypt', salt, ...params },
      aead: 'xchacha20poly1305',
      check: cipher.seal(CHECK_AAD, CHECK_TEXT),
    };
    return { cipher, header: encodeHeader(header) };
  }

  /**
   * The cipher of an existing header.
   *
   * @throws {@link StoreError} `WRONG_PASSPHRASE`, or `STORE_CORRUPT` for a damaged header.
   */
  static async unlock(
    headerText: string,
    passphrase: string | Uint8Array,
  ): Promise<SnapshotCipher> {
    const bytes = passphraseBytes(passphrase);
    const header = decodeHeader(headerText);
    const cipher = new SnapshotCipher(await deriveKey(bytes, header.kdf.salt, header.kdf));
    let check: Uint8Array;
    try {
      check = cipher.open(CHECK_AAD, header.check);
    } catch {
      throw new StoreError('WRONG_PASSPHRASE', 'the passphrase does not open this store');
    }
    if (Buffer.compare(check, CHECK_TEXT) !== 0)
      throw new StoreError('STORE_CORRUPT', 'encryption header check text differs');
    return cipher;
  }

  /** version ‖ nonce ‖ ciphertext ‖ tag. */
  seal(aad: Uint8Array, plaintext: Uint8Array): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const sealed = xchacha20poly1305(this.key, nonce, aad).encrypt(plaintext);
    return Buffer.concat([Buffer.of(SEALED_VERSION), nonce, sealed]);
  }

  /** The plaintext; `STORE_CORRUPT` when the value was altered, moved or sealed under another key. */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== SEALED_VERSION)
      throw new StoreError('STORE_CORRUPT', 'sealed value is malformed');
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    try {
      return xchacha20poly1305(this.key, nonce, aad).decrypt(sealed.subarray(1 + NONCE_BYTES));
    } catch {
      throw new StoreError('STORE_CORRUPT', 'sealed value fails authentication');
    }
  }
}

/** Associated data naming one row: kind, key and (for log records) position. */
export function rowAad(kind: 'snapshot' | 'record', key: Uint8Array, seq = 0): Uint8Array {
  const head = Buffer.from(`picopayments/${kind}/v1\0`);
  const position = Buffer.alloc(8);
  position.writeBigUInt64BE(BigInt(seq));
  return Buffer.concat([head, position, key]);
}
