/**
 * Child process for the PostgreSQL lease test: opens the store (URL and schema in argv), leases
 * channel `ch`, writes under the lease, reports `locked` (or the error code) and holds on until killed.
 */
import { StoreError } from '../../src/storage/errors.js';
import { PostgresStore } from '../../src/storage/postgres-store.js';

try {
  const store = await PostgresStore.open({
    connectionString: process.argv[2]!,
    schema: process.argv[3]!,
  });
  await store.lockChannel('ch', { waitMs: 5000 });
  await store.save('ch', 'written by the child under its lease');
  process.stdout.write('locked\n');
  setInterval(() => undefined, 1000);
} catch (error) {
  process.stdout.write(`${error instanceof StoreError ? error.code : String(error)}\n`);
  process.exit(0);
}
