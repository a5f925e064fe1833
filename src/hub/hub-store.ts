import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Store } from '../runtime/store.js';
import type { EncryptionOptions } from '../storage/snapshot-cipher.js';
import { PostgresStore, SqliteStore } from '../storage/index.js';

/** A hub's opened store and how the hub must use it. */
export interface HubStore {
  readonly store: Store & { close(): Promise<void> };
  /** True for PostgreSQL: other hub processes may share the database (see `HubOptions.shared`). */
  readonly shared: boolean;
  readonly kind: 'sqlite' | 'postgres';
}

/** `postgres://` or `postgresql://`: the hub's database is a PostgreSQL server. */
const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * The key the hub's store is encrypted under, derived from the hub key: channel keys, spend
 * secrets and revoke seeds never reach the disk in plaintext, and the operator keeps one secret
 * only. It is already a 256-bit key, so scrypt's cost is kept at its floor.
 */
export function hubStoreEncryption(hubPrivateKey: Uint8Array): EncryptionOptions {
  return {
    passphrase: sha256(concatBytes(utf8ToBytes('picopayments/hub-store-key/v1'), hubPrivateKey)),
    kdf: { N: 2 ** 10, r: 8, p: 1 },
  };
}

/**
 * Opens the hub's database: a PostgreSQL URL opens a {@link PostgresStore} (shared by every hub
 * process pointed at it, in `schema`), anything else is the path of a {@link SqliteStore} file.
 * Either way every value is encrypted at rest: under `passphrase` when one is given (scrypt at
 * its default cost), else with {@link hubStoreEncryption}.
 *
 * @throws `StoreError` when the database cannot be opened, or `WRONG_PASSPHRASE` when it
 *   was written under another hub key or passphrase.
 */
export async function openHubStore(
  db: string,
  hubPrivateKey: Uint8Array,
  schema?: string,
  passphrase?: string,
): Promise<HubStore> {
  const encryption = passphrase ? { passphrase } : hubStoreEncryption(hubPrivateKey);
  if (POSTGRES_URL.test(db))
    return {
      store: await PostgresStore.open({
        connectionString: db,
        encryption,
        ...(schema ? { schema } : {}),
      }),
      shared: true,
      kind: 'postgres',
    };
  return { store: await SqliteStore.open(db, { encryption }), shared: false, kind: 'sqlite' };
}
