import { checkRowDigest, decodeValue, encodeValue, rowDigest } from './encoding.js';
import { StoreError } from './errors.js';
import { type EncryptionOptions, SnapshotCipher, rowAad } from './snapshot-cipher.js';
import { RECORD_TAG, SNAPSHOT_TAG } from './write-operations.js';

/** A value ready for a row: the stored bytes and their integrity digest. */
export interface EncodedRow {
  readonly stored: Buffer;
  readonly digest: Buffer;
}

/** What {@link openCodec} needs from a backend to find or write the encryption header. */
export interface HeaderAccess {
  /** The header text, or null when the database has none. */
  readHeader(): Promise<string | null>;
  /** Writes `header` unless one exists; resolves the header now stored (ours or a racing writer's). */
  insertHeader(header: string): Promise<string>;
  /** True when any snapshot or record is stored. */
  hasValues(): Promise<boolean>;
}

/**
 * Turns values into row bytes and back: UTF-8, sealed when the store is encrypted, and always
 * under a digest that binds the bytes to their key (and position), checked on every read.
 */
export class ValueCodec {
  constructor(
    private readonly cipher: SnapshotCipher | null,
    private readonly maxValueBytes: number,
  ) {}

  /** True when values are sealed. */
  get encrypted(): boolean {
    return this.cipher !== null;
  }

  /** Row bytes of a snapshot. */
  encodeSnapshot(key: Buffer, value: unknown): EncodedRow {
    return this.encode(SNAPSHOT_TAG, key, value, () => rowAad('snapshot', key));
  }

  /** Row bytes of log record `seq`. */
  encodeRecord(key: Buffer, seq: number, value: unknown): EncodedRow {
    return this.encode(RECORD_TAG, key, value, () => rowAad('record', key, seq));
  }

  /** The snapshot text of a row; `STORE_CORRUPT` when the row was damaged. */
  decodeSnapshot(key: Buffer, stored: Uint8Array, digest: Uint8Array): string {
    return this.decode(SNAPSHOT_TAG, key, stored, digest, () => rowAad('snapshot', key));
  }

  /** The text of log record `seq`; `STORE_CORRUPT` when the row was damaged. */
  decodeRecord(key: Buffer, seq: number, stored: Uint8Array, digest: Uint8Array): string {
    return this.decode(RECORD_TAG, key, stored, digest, () => rowAad('record', key, seq));
  }

  private encode(tag: string, key: Buffer, value: unknown, aad: () => Uint8Array): EncodedRow {
    const plain = encodeValue(value, this.maxValueBytes);
    const stored = this.cipher ? this.cipher.seal(aad(), plain) : plain;
    return { stored, digest: rowDigest(tag, key, stored) };
  }

  private decode(
    tag: string,
    key: Buffer,
    stored: Uint8Array,
    digest: Uint8Array,
    aad: () => Uint8Array,
  ): string {
    checkRowDigest(tag, key, stored, digest);
    return decodeValue(this.cipher ? this.cipher.open(aad(), stored) : stored);
  }
}

/**
 * The codec of a database: plain, or encrypted with the header found (or created, when the
 * database is still empty). Key derivation happens here, once per open.
 *
 * @throws {@link StoreError} `STORE_ENCRYPTED` (encrypted but no passphrase), `STORE_NOT_ENCRYPTED`
 *   (passphrase but plaintext values exist), `WRONG_PASSPHRASE`, `STORE_CORRUPT`.
 */
export async function openCodec(
  access: HeaderAccess,
  encryption: EncryptionOptions | undefined,
  maxValueBytes: number,
): Promise<ValueCodec> {
  const header = await access.readHeader();
  if (!encryption) {
    if (header !== null)
      throw new StoreError(
        'STORE_ENCRYPTED',
        'the database is encrypted: open it with its passphrase',
      );
    return new ValueCodec(null, maxValueBytes);
  }
  if (header !== null)
    return new ValueCodec(
      await SnapshotCipher.unlock(header, encryption.passphrase),
      maxValueBytes,
    );
  if (await access.hasValues())
    throw new StoreError('STORE_NOT_ENCRYPTED', 'the database already holds unencrypted values');
  const created = await SnapshotCipher.create(encryption);
  const stored = await access.insertHeader(created.header);
  const cipher =
    stored === created.header
      ? created.cipher
      : await SnapshotCipher.unlock(stored, encryption.passphrase);
  return new ValueCodec(cipher, maxValueBytes);
}
