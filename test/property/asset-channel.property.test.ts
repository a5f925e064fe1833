import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  type Dishonest,
  assetActionsArb,
  assetParamsArb,
  runAssetScenario,
} from '../counterparty/asset-model.js';
import { propertyConfig } from '../support/property-config.js';

/**
 * The channel model of PROTOCOL.md §8 in asset mode: random parameters, payments and give-backs
 * (some messages lost), blocks, a payer that sleeps up to `delay_time - 2` blocks, and at most
 * one dishonest party — a payee that publishes given-back commits, pays out the moment the chain
 * allows and parks BTC at commit addresses; a payer that forges commits, expires early and parks
 * BTC at the deposit address before depositing. Payer and payee safety and conservation are
 * measured in asset units on the simulated Counterparty ledger, BTC separately.
 *
 * Budget: `FC_RUNS` scales the runs, `FC_SEED` replays.
 */
const MAX_ACTIONS = 30;

function suite(dishonest: Dishonest, name: string, runs: number, openDefect?: string) {
  // A suite with an open defect is skipped, saying why, until the defect is fixed.
  (openDefect ? it.skip : it)(openDefect ? `${name} (skipped: ${openDefect})` : name, async () => {
    await fc.assert(
      fc.asyncProperty(
        assetParamsArb,
        assetActionsArb(dishonest, MAX_ACTIONS),
        async (params, actions) => {
          await runAssetScenario(params, dishonest, actions);
        },
      ),
      { ...propertyConfig(`asset channel model: ${name}`, runs), verbose: 0 },
    );
  });
}

describe('asset channel model (PROTOCOL.md §8 in asset units)', () => {
  suite('none', 'honest parties, lost messages, a sleeping payer', 12);
  suite('payee', 'a dishonest payee never keeps a safely given-back commit', 15);
  suite('payer', 'a dishonest payer cannot forge, expire early or reuse the deposit address', 12);
});
