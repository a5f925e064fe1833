/**
 * Child process for the SQLite locking test: opens the store at argv[2], reports `open`
 * (or the error code), then holds the database until killed.
 */
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { StoreError } from '../../src/storage/errors.js';

try {
  const store = await SqliteStore.open(process.argv[2]!);
  await store.save('held', 'by the child');
  process.stdout.write('open\n');
  setInterval(() => undefined, 1000);
} catch (error) {
  process.stdout.write(`${error instanceof StoreError ? error.code : String(error)}\n`);
  process.exit(0);
}
