import { afterEach, describe, expect, test } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { PayeeChannel } from '../../src/runtime/channels.js';
import { type Simnet, startSimnet } from '../../src/simnet/simnet.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('the runtime hands its watches to an indexing chain adapter', () => {
  test('a payee restored onto a fresh Bitcoin Core follower (no txindex, no lookback) finds its confirmed commit and payout', async () => {
    const t = await openTestChannel({ verify: false, expireTime: 40, delayTime: 5 });
    await settle(t);
    await mine(t, 1);
    await t.payer.pay(12_000n);
    await settle(t);
    const beforeClose = t.payee.snapshot();
    await t.payee.close();
    await mine(t, 12);
    expect(t.payee.context.outcome).toBe('paid-out');
    // The node serves this very chain; the follower has seen none of it.
    const simnet: Simnet = await startSimnet({ chain: t.chain });
    cleanups.push(() => simnet.close());
    const core = new BitcoinCoreChain({
      url: simnet.url,
      auth: { cookieFile: simnet.cookieFile },
      lookbackBlocks: 0,
    });
    cleanups.push(() => core.close());
    const payee = await PayeeChannel.restore(beforeClose, { ...t.payeeEnv, chain: core });
    for (let i = 0; i < 3 && !payee.done; i++) await payee.sync();
    expect(payee.context.outcome).toBe('paid-out');
  });
});
