import { describe, expect, test } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { UnknownChainBackendError, parseChainBackend } from '../support/chain-backend.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';
import { describeFinality } from './scenarios/finality.js';
import { describeLifecycle } from './scenarios/lifecycle.js';
import { describeRecoveryPaths } from './scenarios/recovery.js';
import { describeStaleRestarts } from './scenarios/stale-close.js';

// The lifecycle scenarios of lifecycle, recovery, stale-close and finality.test.ts again, with
// the payer, the payee and the wallet reaching the chain only through BitcoinCoreChain clients
// over the simulated node on loopback: an honest close with payout and change, a revoked commit
// published and punished, a vanished payee ending in expire, restarts from stale snapshots, and
// reorganisations followed through the client's index.
describeLifecycle('bitcoin-core');
describeRecoveryPaths('bitcoin-core');
describeStaleRestarts('bitcoin-core');
describeFinality('bitcoin-core');

describe('the bitcoin-core chain backend of the harness', () => {
  test('the parties reach the chain only through their clients: a mined block is seen by sync, and with the node gone a sync fails typed', async () => {
    const t = await openTestChannel({ chain: 'bitcoin-core' });
    expect(t.payerChain).toBeInstanceOf(BitcoinCoreChain);
    expect(t.payeeChain).toBeInstanceOf(BitcoinCoreChain);
    expect(t.payerChain).not.toBe(t.payeeChain);
    await settle(t);
    await mine(t, 1);
    expect(t.payer.status()).toMatchObject({ state: 'open', height: t.chain.height });
    expect(t.payee.status()).toMatchObject({ state: 'open', height: t.chain.height });
    await t.close();
    t.chain.mine(1);
    await expect(t.payer.sync()).rejects.toMatchObject({ code: 'CHAIN_FAILED' });
    await expect(t.payee.sync()).rejects.toMatchObject({ code: 'CHAIN_FAILED' });
    // Neither party saw the block the simulated chain has: they never read it directly.
    expect(t.payer.status().height).toBe(t.chain.height - 1);
    expect(t.payee.status().height).toBe(t.chain.height - 1);
  });

  test('a backend name from the environment is checked', () => {
    expect(parseChainBackend('bitcoin-core')).toBe('bitcoin-core');
    expect(() => parseChainBackend('esplora')).toThrow(UnknownChainBackendError);
  });
});
