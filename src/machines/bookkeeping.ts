import { formatAmount, parseAmount } from '../messages/amount.js';
import type { AmountText } from './context.js';

/** Anything with a cumulative amount. */
export interface HasAmount {
  readonly amount: AmountText;
}

/** Sorts commits ascending by amount (stable). */
export function sortByAmount<T extends HasAmount>(commits: readonly T[]): T[] {
  return [...commits].sort((a, b) => {
    const x = parseAmount(a.amount);
    const y = parseAmount(b.amount);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** `transferred`: the amount of the highest active commit, 0 when there is none (PROTOCOL.md §6). */
export function transferredAmount(activeCommits: readonly HasAmount[]): bigint {
  return activeCommits.reduce((max, c) => {
    const amount = parseAmount(c.amount);
    return amount > max ? amount : max;
  }, 0n);
}

/** The commits to revoke and to keep after revoke-until. */
export interface RevokeUntilResult<T> {
  readonly revoke: T[];
  readonly keep: T[];
}

/**
 * Revoke-until(`q`, `surpass`) of PROTOCOL.md §6: walk active commits from the highest down,
 * collecting every commit above `q`, stopping at the first at or below `q`. Unless the last commit
 * looked at equals `q`, or `q` is 0, or `surpass` is set, the lowest collected commit is kept, so
 * that the transferred amount never falls below `q`.
 */
export function revokeUntil<T extends HasAmount>(
  activeCommits: readonly T[],
  quantity: bigint,
  surpass: boolean,
): RevokeUntilResult<T> {
  const descending = sortByAmount(activeCommits).reverse();
  const collected: T[] = [];
  let lastLookedAt: bigint | null = null;
  for (const commit of descending) {
    const amount = parseAmount(commit.amount);
    lastLookedAt = amount;
    if (amount <= quantity) break;
    collected.push(commit);
  }
  const exact = lastLookedAt === quantity;
  if (!exact && quantity !== 0n && !surpass && collected.length > 0) collected.pop();
  const revoked = new Set(collected);
  return { revoke: collected, keep: sortByAmount(activeCommits.filter((c) => !revoked.has(c))) };
}

/** Adds two decimal amounts. */
export function addAmounts(a: AmountText, b: bigint): AmountText {
  return formatAmount(parseAmount(a) + b);
}
