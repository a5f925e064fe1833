import { describe, test } from 'vitest';
import { PG_REQUIRED, PG_URL } from './stores.js';

/**
 * `describe` for suites that need a PostgreSQL server. Without `PICOPAYMENTS_PG_URL` the suite is
 * skipped with one line per suite saying why and how to run it — unless CI (`CI=1`) or
 * `PICOPAYMENTS_REQUIRE_PG=1` demands it, in which case it fails.
 */
export function describePostgres(name: string, body: () => void): void {
  if (PG_URL) {
    describe(name, body);
    return;
  }
  if (PG_REQUIRED) {
    describe(name, () => {
      test('PostgreSQL server available', () => {
        throw new Error(
          'PICOPAYMENTS_PG_URL is not set, but CI=1 or PICOPAYMENTS_REQUIRE_PG=1 requires the PostgreSQL suite',
        );
      });
    });
    return;
  }
  process.stdout.write(
    `[postgres] SKIPPED "${name}": PICOPAYMENTS_PG_URL is not set, so there is no PostgreSQL server to test against. To run it, point it at one, e.g. PICOPAYMENTS_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres npx vitest run test/storage (CI starts its own and never skips)\n`,
  );
  describe.skip(name, body);
}
