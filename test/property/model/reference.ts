/**
 * Revoke-until as PROTOCOL.md §6 states it, written independently of the engine: walk the
 * accepted amounts from the highest down, collecting those above `q`; stop at the first at or
 * below `q`. Unless the last one looked at equals `q`, or `q` is 0, or `surpass` is set, the
 * lowest collected one is kept. Returns the amounts that stay active.
 */
export function referenceRevokeUntil(
  amounts: readonly bigint[],
  q: bigint,
  surpass: boolean,
): bigint[] {
  const descending = [...amounts].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  let collected = 0;
  let last: bigint | null = null;
  for (const amount of descending) {
    last = amount;
    if (amount <= q) break;
    collected++;
  }
  if (!(last === q || q === 0n || surpass) && collected > 0) collected--;
  return descending.slice(collected).reverse();
}
