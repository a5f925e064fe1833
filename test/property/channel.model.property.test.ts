import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyConfig } from '../support/property-config.js';
import { actionsArb, paramsArb, runScenario } from './model/actions.js';
import { referenceRevokeUntil } from './model/reference.js';
import type { Dishonest } from './model/world.js';

/**
 * Model-based suites of PROTOCOL.md §8: random channel parameters, random interleavings of
 * payments, give-backs, blocks, reorganisations, message loss/duplication/reordering, crashes and
 * restarts from any persisted snapshot, and at most one dishonest party per run. After recovery
 * every run checks payer safety, payee safety, conservation, liveness, and (at every refusal)
 * rejection without state change.
 *
 * Watching assumption: an honest party syncs after every block unless crashed, and a crashed
 * party misses at most `delay_time - 2` blocks (payer: it must get its revoke in before the payout
 * of a revoked commit is valid) or `clearance - 3` blocks (payee: it must publish before the
 * payer's expire is valid). The bound is tight: letting the payer miss one block more lets a
 * cheating payee pay out a revoked commit first.
 *
 * Budget: CI runs `MAX_ACTIONS` actions per run; `FC_RUNS` scales the runs, `FC_SEED` replays.
 */
const MAX_ACTIONS = 40;
/** Skips shrinking (mutation runs only need to know that a property fails). */
const noShrink = process.env.FC_NO_SHRINK === '1';

function suite(dishonest: Dishonest, name: string, runs: number) {
  it(name, async () => {
    await fc.assert(
      fc.asyncProperty(paramsArb, actionsArb(dishonest, MAX_ACTIONS), async (params, actions) => {
        await runScenario(params, dishonest, actions);
      }),
      {
        ...propertyConfig(`channel model: ${name}`, runs),
        endOnFailure: noShrink,
        verbose: 0,
        includeErrorInReport: true,
      },
    );
  });
}

describe('channel model (PROTOCOL.md §8)', () => {
  suite('none', 'honest parties over a lossy link, crashes and reorgs', 40);
  suite('payee', 'a dishonest payee never takes a revoked commit', 50);
  suite('payer', 'a dishonest payer cannot forge, underfund or expire early', 40);
});

describe('the reference revoke-until of the model', () => {
  it('reproduces the worked example of PROTOCOL.md §6', () => {
    // The example's commits "1,3,5,…,41" are read as 1,3,5,7 and the primes up to 41, the only
    // reading under which q=15 revokes six and leaves 17.
    const worked = [1n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n];
    expect(referenceRevokeUntil(worked, 15n, false).at(-1)).toBe(17n);
    expect(referenceRevokeUntil(worked, 15n, true).at(-1)).toBe(13n);
    expect(referenceRevokeUntil(worked, 31n, false).at(-1)).toBe(31n);
    expect(referenceRevokeUntil(worked, 0n, false)).toEqual([]);
  });
});
