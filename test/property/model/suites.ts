import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { ChainBackend } from '../../support/chain-backend.js';
import { propertyConfig } from '../../support/property-config.js';
import { actionsArb, paramsArb, runScenario } from './actions.js';
import type { Dishonest } from './world.js';

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
 * payer's expire is valid). The payer's margin is shared between missed blocks and the depth of
 * reorganisations (PROTOCOL.md §7a: its watching interval plus a confirmation margin). The bound
 * is tight: letting the payer miss one block more, or reorganising one block deeper, lets a
 * cheating payee pay out a revoked commit first.
 *
 * Budget: CI runs `MAX_ACTIONS` actions per run; `FC_RUNS` scales the runs, `FC_SEED` replays.
 */
export const MAX_ACTIONS = 40;

/** The three suites, by dishonest party, with their names. */
export const MODEL_SUITES: readonly { readonly dishonest: Dishonest; readonly name: string }[] = [
  { dishonest: 'none', name: 'honest parties over a lossy link, crashes and reorgs' },
  { dishonest: 'payee', name: 'a dishonest payee never takes a revoked commit' },
  { dishonest: 'payer', name: 'a dishonest payer cannot forge, underfund or expire early' },
];

/** Options of {@link describeChannelModel}. */
export interface ChannelModelOptions {
  /** How the parties reach the chain in every run. */
  readonly chain: ChainBackend;
  /** Runs per suite (the CI budget; `FC_RUNS` overrides it). */
  readonly runs: Readonly<Record<Dishonest, number>>;
}

/** Skips shrinking (mutation runs only need to know that a property fails). */
const noShrink = process.env.FC_NO_SHRINK === '1';

/** Declares the {@link MODEL_SUITES} as vitest tests, each run on `options.chain`. */
export function describeChannelModel(options: ChannelModelOptions): void {
  const { chain, runs } = options;
  // The simulated suites keep their historical labels (fuzz reports and seeds refer to them).
  const label = (name: string) =>
    chain === 'simulated' ? `channel model: ${name}` : `channel model (${chain}): ${name}`;
  const title =
    chain === 'simulated'
      ? 'channel model (PROTOCOL.md §8)'
      : `channel model (PROTOCOL.md §8) through the ${chain} backend`;
  describe(title, () => {
    for (const { dishonest, name } of MODEL_SUITES) {
      it(name, async () => {
        await fc.assert(
          fc.asyncProperty(
            paramsArb,
            actionsArb(dishonest, MAX_ACTIONS),
            async (params, actions) => {
              await runScenario(params, dishonest, actions, { chain });
            },
          ),
          {
            ...propertyConfig(label(name), runs[dishonest]),
            endOnFailure: noShrink,
            verbose: 0,
            includeErrorInReport: true,
          },
        );
      });
    }
  });
}
