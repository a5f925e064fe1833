/**
 * When and how high a single-signer spend (payout, revoke, change, expire) is re-signed when
 * it has not confirmed: a pure schedule, so that it can be tested and reasoned about apart
 * from the chain.
 */

/** Options of fee bumping (the `feeBumping` option of `ChannelManager`). */
export interface FeeBumpOptions {
  /** Blocks a spend without a deadline may wait unconfirmed before it is bumped (default 2). */
  readonly patience?: number;
  /** Factor of each bump over the last rate (default 1.5). */
  readonly step?: number;
  /** Highest fee rate ever paid, sat/vB (default 500); the output's value bounds it too. */
  readonly maxFeeRate?: number;
}

/** {@link FeeBumpOptions} with every default filled in. */
export interface FeeBumpPolicy {
  readonly patience: number;
  readonly step: number;
  readonly maxFeeRate: number;
}

/** What the schedule looks at for one unconfirmed spend. */
export interface BumpSituation {
  /** Fee rate of the version last offered to the network, sat/vB. */
  readonly currentRate: number;
  /** Blocks mined since that version was offered. */
  readonly waited: number;
  /**
   * Blocks that can still be mined before the spend loses its race (a revoke: before the
   * payee's payout of the revoked commit becomes valid); `null` when it races nothing.
   */
  readonly blocksLeft: number | null;
  /** The chain's fee estimate for confirmation within the blocks left, `null` if none. */
  readonly estimate: number | null;
  /** The minimum relay fee rate: a replacement must add at least this per vbyte (BIP125). */
  readonly relayFloor: number;
}

/**
 * Fills in the defaults and checks the options.
 *
 * @throws RangeError for a value outside its range (the manager turns it into a typed error).
 */
export function feeBumpPolicy(options: FeeBumpOptions = {}): FeeBumpPolicy {
  const patience = options.patience ?? 2;
  const step = options.step ?? 1.5;
  const maxFeeRate = options.maxFeeRate ?? 500;
  if (!Number.isSafeInteger(patience) || patience < 1 || patience > 10_000)
    throw new RangeError('feeBumping.patience must be an integer in 1..10000');
  if (!Number.isFinite(step) || step <= 1 || step > 100)
    throw new RangeError('feeBumping.step must be a number above 1 and at most 100');
  if (!Number.isFinite(maxFeeRate) || maxFeeRate < 1 || maxFeeRate > 1_000_000)
    throw new RangeError('feeBumping.maxFeeRate must be a fee rate in 1..1000000 sat/vB');
  return { patience, step, maxFeeRate };
}

/**
 * The confirmation target to ask the chain's fee estimator for: the blocks left before the
 * deadline (at least 1), or 6 without one.
 */
export function confirmationTarget(blocksLeft: number | null): number {
  return blocksLeft === null ? 6 : Math.min(1008, Math.max(1, blocksLeft));
}

/**
 * The fee rate to re-sign a spend at, or `null` when it is not due or cannot go higher.
 *
 * Without a deadline a spend is bumped after `patience` blocks unconfirmed, to the larger of
 * the fee estimate, `step` times its rate and its rate plus the relay floor. With a deadline
 * it is bumped at every block it stays unconfirmed, and never below `maxFeeRate / 2^(left-1)`:
 * the rate doubles as the deadline nears and reaches `maxFeeRate` in the last block — losing
 * the race costs the whole output, any fee costs less.
 */
export function nextFeeRate(situation: BumpSituation, policy: FeeBumpPolicy): number | null {
  const { currentRate, waited, blocksLeft, estimate, relayFloor } = situation;
  const due = blocksLeft === null ? waited >= policy.patience : waited >= 1;
  if (!due) return null;
  let rate = Math.max(currentRate * policy.step, currentRate + relayFloor, estimate ?? 0);
  if (blocksLeft !== null) {
    const left = Math.max(1, blocksLeft);
    rate = Math.max(rate, policy.maxFeeRate / 2 ** (left - 1));
  }
  // Whole hundredths of a sat/vB keep the fees reproducible.
  rate = Math.ceil(Math.min(rate, policy.maxFeeRate) * 100) / 100;
  return rate > currentRate ? rate : null;
}
