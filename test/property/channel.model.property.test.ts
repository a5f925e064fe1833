import { describe, expect, it } from 'vitest';
import { defaultChainBackend } from '../support/chain-backend.js';
import { referenceRevokeUntil } from './model/reference.js';
import { describeChannelModel } from './model/suites.js';

// The suites themselves (and their watching assumption) are described in ./model/suites.ts;
// channel.model.bitcoin-core.property.test.ts runs them through BitcoinCoreChain as well.
describeChannelModel({
  chain: defaultChainBackend(),
  runs: { none: 40, payee: 50, payer: 40 },
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
