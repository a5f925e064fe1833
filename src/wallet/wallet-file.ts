import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ScryptParams } from '../storage/encryption-header.js';
import { StoreError } from '../storage/errors.js';
import { SnapshotCipher } from '../storage/snapshot-cipher.js';
import { WalletError } from './errors.js';

/** Associated data of the sealed wallet body: it cannot be swapped with a store row. */
const BODY_AAD = new TextEncoder().encode('picopayments/wallet/v1');
/** Wallet files are small; anything larger is not ours. */
const MAX_FILE_BYTES = 1_000_000;

/** On-disk layout: the store's encryption header, and the body sealed under its key. */
interface WalletFileJson {
  format: 'picopayments-wallet';
  version: 1;
  header: string;
  body: string;
}

/** Writes `text` to `path` atomically: a temporary file in the same directory, then rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text, { mode: 0o600, flush: true });
  await rename(temp, path);
}

/**
 * Seals `plaintext` (the wallet's JSON) under `passphrase` and writes it atomically to `path`.
 * The key derivation and AEAD are the SQLite store's (scrypt, XChaCha20-Poly1305).
 */
export async function writeWalletFile(
  path: string,
  plaintext: string,
  passphrase: string,
  kdf?: ScryptParams,
): Promise<WalletSealer> {
  const { cipher, header } = await SnapshotCipher.create({ passphrase, ...(kdf ? { kdf } : {}) });
  const sealer = sealerOf(path, cipher, header);
  await sealer(plaintext);
  return sealer;
}

/** Writes new plaintext under an already derived key (no scrypt per save; fresh nonce each time). */
export type WalletSealer = (plaintext: string) => Promise<void>;

function sealerOf(path: string, cipher: SnapshotCipher, header: string): WalletSealer {
  return async (plaintext) => {
    const body = cipher.seal(BODY_AAD, new TextEncoder().encode(plaintext)).toString('base64');
    const file: WalletFileJson = { format: 'picopayments-wallet', version: 1, header, body };
    await writeFileAtomic(path, `${JSON.stringify(file)}\n`);
  };
}

/**
 * Reads and opens a wallet file.
 *
 * @throws {@link WalletError} `WALLET_NOT_FOUND`, `WALLET_WRONG_PASSPHRASE` or `WALLET_CORRUPT`.
 */
export async function readWalletFile(
  path: string,
  passphrase: string,
): Promise<{ plaintext: string; save: WalletSealer }> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_FILE_BYTES)
      throw new WalletError('WALLET_CORRUPT', `${path} is too large`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof WalletError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new WalletError('WALLET_NOT_FOUND', `no wallet at ${path} (run init)`);
    throw error;
  }
  let file: Partial<WalletFileJson>;
  try {
    file = JSON.parse(text) as Partial<WalletFileJson>;
  } catch {
    throw new WalletError('WALLET_CORRUPT', `${path} is not JSON`);
  }
  if (
    file === null ||
    typeof file !== 'object' ||
    file.format !== 'picopayments-wallet' ||
    file.version !== 1 ||
    typeof file.header !== 'string' ||
    typeof file.body !== 'string'
  )
    throw new WalletError('WALLET_CORRUPT', `${path} is not a picopayments wallet file`);
  try {
    const cipher = await SnapshotCipher.unlock(file.header, passphrase);
    const plaintext = new TextDecoder('utf-8', { fatal: true }).decode(
      cipher.open(BODY_AAD, Buffer.from(file.body, 'base64')),
    );
    return { plaintext, save: sealerOf(path, cipher, file.header) };
  } catch (error) {
    if (error instanceof StoreError && error.code === 'WRONG_PASSPHRASE')
      throw new WalletError('WALLET_WRONG_PASSPHRASE', 'the passphrase does not open this wallet');
    if (error instanceof StoreError || error instanceof TypeError)
      throw new WalletError('WALLET_CORRUPT', `${path} is damaged: ${error.message}`);
    throw error;
  }
}
