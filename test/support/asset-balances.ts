import { outputScriptAddress } from '../../src/counterparty/addresses.js';
import type { TestChannel } from './channel-harness.js';
import { destinationOf, testPrivateKey } from './channel-harness.js';

/** The asset the asset-mode channel tests carry. */
export const TEST_ASSET = 'PICOTOKEN';

/** The regtest address of test key `n`'s destination (and wallet) script. */
export const testAddressOf = (n: number): string =>
  outputScriptAddress(destinationOf(testPrivateKey(n)), 'regtest')!;

/**
 * Units of {@link TEST_ASSET} the payer (key 1) and the payee (key 2) hold, as the channel's
 * simulated Counterparty ledger computes them.
 */
export async function assetBalances(t: TestChannel): Promise<{ payer: bigint; payee: bigint }> {
  return {
    payer: await t.ledger!.getBalance(testAddressOf(1), TEST_ASSET),
    payee: await t.ledger!.getBalance(testAddressOf(2), TEST_ASSET),
  };
}
