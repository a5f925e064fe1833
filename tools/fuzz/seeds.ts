/**
 * The seed of round `round` (0-based) of a campaign: a 32-bit mix of the campaign seed and the
 * round number, so that rounds get unrelated seeds and a whole campaign replays from its seed.
 * Always in 0..2147483647 (fast-check accepts any 32-bit integer; non-negative reads better).
 */
export function roundSeed(campaignSeed: number, round: number): number {
  // splitmix32 finaliser over the pair: cheap, well spread, deterministic.
  let x = (Math.imul(campaignSeed | 0, 0x9e3779b9) + Math.imul(round + 1, 0x85ebca6b)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) & 0x7fffffff;
}

/** A campaign seed drawn from the clock, when none was given. */
export function clockSeed(now: number = Date.now()): number {
  return now % 2_147_483_647;
}
