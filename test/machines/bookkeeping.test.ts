import { describe, expect, test } from 'vitest';
import {
  addAmounts,
  revokeUntil,
  sortByAmount,
  transferredAmount,
} from '../../src/machines/bookkeeping.js';

const commits = (...amounts: number[]) => amounts.map((a, i) => ({ amount: String(a), id: i }));
const amountsOf = (list: readonly { amount: string }[]) => list.map((c) => Number(c.amount));

/**
 * PROTOCOL.md §6 worked example. Its list is written "1,3,5,…,41"; the outcomes it states
 * (q=15 leaves 17 and 15 is not a commit, six commits lie above 17, exactly two above 31) hold
 * for 1 and the odd primes up to 41, and for no arithmetic progression of odd numbers (with every
 * odd number, 15 is itself a commit and q=15 revokes the thirteen above it). The example is
 * therefore checked on 1,3,5,7,11,…,41, and the rule on the odd numbers separately below.
 */
const WORKED = commits(1, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41);

describe('revokeUntil: the PROTOCOL.md §6 worked example', () => {
  test('q=15 revokes six and leaves 17', () => {
    const { revoke, keep } = revokeUntil(WORKED, 15n, false);
    expect(amountsOf(revoke)).toEqual([41, 37, 31, 29, 23, 19]);
    expect(transferredAmount(keep)).toBe(17n);
  });

  test('q=15 with surpass revokes seven and leaves 13', () => {
    const { revoke, keep } = revokeUntil(WORKED, 15n, true);
    expect(revoke).toHaveLength(7);
    expect(transferredAmount(keep)).toBe(13n);
  });

  test('q=31 revokes two and leaves 31 (the walk stops on a commit equal to q)', () => {
    const { revoke, keep } = revokeUntil(WORKED, 31n, false);
    expect(amountsOf(revoke)).toEqual([41, 37]);
    expect(transferredAmount(keep)).toBe(31n);
    expect(amountsOf(revokeUntil(WORKED, 31n, true).revoke)).toEqual([41, 37]);
  });

  test('q=0 revokes all, with or without surpass', () => {
    for (const surpass of [false, true]) {
      const { revoke, keep } = revokeUntil(WORKED, 0n, surpass);
      expect(revoke).toHaveLength(WORKED.length);
      expect(keep).toEqual([]);
      expect(transferredAmount(keep)).toBe(0n);
    }
  });

  test('the rule on the odd numbers 1..41', () => {
    const odd = commits(...Array.from({ length: 21 }, (_, i) => 2 * i + 1));
    expect(revokeUntil(odd, 15n, false).revoke).toHaveLength(13);
    expect(transferredAmount(revokeUntil(odd, 15n, false).keep)).toBe(15n);
    expect(revokeUntil(odd, 16n, false).revoke).toHaveLength(12);
    expect(transferredAmount(revokeUntil(odd, 16n, false).keep)).toBe(17n);
    expect(transferredAmount(revokeUntil(odd, 16n, true).keep)).toBe(15n);
    expect(revokeUntil(odd, 41n, false).revoke).toEqual([]);
    expect(revokeUntil(odd, 100n, true).revoke).toEqual([]);
  });

  test('edge cases: no commits, all above q, unsorted input', () => {
    expect(revokeUntil([], 5n, false)).toEqual({ revoke: [], keep: [] });
    // All above q and no surpass: the lowest is kept so transferred stays above q.
    const above = revokeUntil(commits(30, 10, 20), 5n, false);
    expect(amountsOf(above.revoke)).toEqual([30, 20]);
    expect(amountsOf(above.keep)).toEqual([10]);
    expect(amountsOf(revokeUntil(commits(30, 10, 20), 5n, true).keep)).toEqual([]);
    // A single commit above q is kept unless surpass.
    expect(revokeUntil(commits(7), 5n, false).revoke).toEqual([]);
    expect(amountsOf(revokeUntil(commits(7), 5n, true).revoke)).toEqual([7]);
  });

  test('keep is sorted ascending and the input is not mutated', () => {
    const input = commits(5, 1, 9, 3, 7);
    const copy = JSON.stringify(input);
    const { keep } = revokeUntil(input, 4n, false);
    expect(amountsOf(keep)).toEqual([1, 3, 5]);
    expect(JSON.stringify(input)).toBe(copy);
  });
});

describe('transferredAmount, sortByAmount, addAmounts', () => {
  test('transferred is the highest amount, 0 with none', () => {
    expect(transferredAmount([])).toBe(0n);
    expect(transferredAmount(commits(3, 12, 7))).toBe(12n);
    expect(transferredAmount([{ amount: '2100000000000000' }, { amount: '1' }])).toBe(
      2_100_000_000_000_000n,
    );
  });

  test('sortByAmount is ascending, numeric (not lexicographic) and stable', () => {
    const input = [
      { amount: '100', id: 'a' },
      { amount: '20', id: 'b' },
      { amount: '100', id: 'c' },
      { amount: '3', id: 'd' },
    ];
    expect(sortByAmount(input).map((c) => c.id)).toEqual(['d', 'b', 'a', 'c']);
    expect(input.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('addAmounts adds a bigint to a decimal amount', () => {
    expect(addAmounts('999', 1n)).toBe('1000');
    expect(addAmounts('0', 0n)).toBe('0');
  });
});
