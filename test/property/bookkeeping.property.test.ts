import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { revokeUntil, transferredAmount } from '../../src/machines/bookkeeping.js';
import { propertyConfig } from '../support/property-config.js';

const CONFIG = propertyConfig('bookkeeping', 300);

/** Smallest and largest of non-empty bigint lists (Math.min/max take numbers only). */
const minOf = (xs: readonly bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : 1))[0]!;
const maxOf = (xs: readonly bigint[]) => [...xs].sort((a, b) => (a < b ? 1 : -1))[0]!;

/** Active commits have distinct cumulative amounts (each commit raises the transferred amount). */
const activeCommits = fc
  .uniqueArray(fc.bigInt({ min: 1n, max: 10_000n }), { maxLength: 25 })
  .map((amounts) => amounts.map((a, i) => ({ amount: a.toString(), id: i })));
const quantity = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 10_500n }));

/**
 * Invariants that follow from the rule of PROTOCOL.md §6. With `A` the input amounts,
 * `T' = transferred(keep)`:
 * - partition: keep ∪ revoke = input, disjoint;
 * - only commits above `q` are revoked, and they are the highest ones (every revoked amount
 *   exceeds every kept one);
 * - q = 0 revokes everything;
 * - without surpass: `T' >= q` whenever some commit was at or above `q` to begin with, and `T'`
 *   is the smallest amount `>= q` (so never above the smallest amount `> q` when `q` is not
 *   itself a commit); when every commit is below `q` nothing is revoked;
 * - with surpass: every commit above `q` is revoked, so `T' <= q` and `T'` is the largest
 *   amount `<= q` (0 if none).
 */
describe('revokeUntil properties', () => {
  test('keep and revoke partition the input', () => {
    fc.assert(
      fc.property(activeCommits, quantity, fc.boolean(), (input, q, surpass) => {
        const { keep, revoke } = revokeUntil(input, q, surpass);
        const ids = (l: readonly { id: number }[]) => l.map((c) => c.id);
        expect(keep.length + revoke.length).toBe(input.length);
        expect(new Set([...ids(keep), ...ids(revoke)])).toEqual(new Set(ids(input)));
        expect(ids(keep).filter((id) => ids(revoke).includes(id))).toEqual([]);
      }),
      CONFIG,
    );
  });

  test('only commits above q are revoked, highest first, all above every kept one', () => {
    fc.assert(
      fc.property(activeCommits, quantity, fc.boolean(), (input, q, surpass) => {
        const { keep, revoke } = revokeUntil(input, q, surpass);
        const revoked = revoke.map((c) => BigInt(c.amount));
        for (const r of revoked) expect(r > q).toBe(true);
        for (let i = 1; i < revoked.length; i++) expect(revoked[i - 1]! > revoked[i]!).toBe(true);
        const kept = keep.map((c) => BigInt(c.amount));
        for (let i = 1; i < kept.length; i++) expect(kept[i - 1]! < kept[i]!).toBe(true);
        if (revoked.length > 0) expect(transferredAmount(keep) < revoked.at(-1)!).toBe(true);
        if (q === 0n) expect(keep).toEqual([]);
      }),
      CONFIG,
    );
  });

  test('without surpass the transferred amount becomes the smallest amount at or above q', () => {
    fc.assert(
      fc.property(activeCommits, quantity, (input, q) => {
        fc.pre(q > 0n);
        const amounts = input.map((c) => BigInt(c.amount));
        const before = transferredAmount(input);
        const after = transferredAmount(revokeUntil(input, q, false).keep);
        const atOrAbove = amounts.filter((a) => a >= q);
        if (atOrAbove.length === 0) {
          expect(after).toBe(before);
        } else {
          const smallest = minOf(atOrAbove);
          expect(after).toBe(smallest);
          expect(after >= q).toBe(true);
          const above = amounts.filter((a) => a > q);
          if (above.length > 0 && !amounts.includes(q)) expect(after <= minOf(above)).toBe(true);
        }
      }),
      CONFIG,
    );
  });

  test('with surpass the transferred amount becomes the largest amount at or below q', () => {
    fc.assert(
      fc.property(activeCommits, quantity, (input, q) => {
        const after = transferredAmount(revokeUntil(input, q, true).keep);
        const atOrBelow = input.map((c) => BigInt(c.amount)).filter((a) => a <= q);
        expect(after).toBe(atOrBelow.length === 0 ? 0n : maxOf(atOrBelow));
        expect(after <= q).toBe(true);
      }),
      CONFIG,
    );
  });
});
