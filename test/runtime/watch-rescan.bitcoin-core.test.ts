import { describe, expect, test } from 'vitest';
import { type TestChannel, mine, openTestChannel, settle } from '../support/channel-harness.js';

/** Counts the blocks the node is asked for (`getblock`) while `run` goes on. */
async function blockLookups(t: TestChannel, run: () => Promise<void>): Promise<number> {
  const chain = t.chain as unknown as { blockByHash: (hash: string) => unknown };
  const original = chain.blockByHash.bind(t.chain);
  let lookups = 0;
  chain.blockByHash = (hash) => {
    lookups++;
    return original(hash);
  };
  try {
    await run();
  } finally {
    chain.blockByHash = original;
  }
  return lookups;
}

/** Opens a channel, lets it stay open for `age` blocks, then counts the lookups of a close. */
async function closingLookups(age: number): Promise<number> {
  const t = await openTestChannel({ chain: 'bitcoin-core', expireTime: 1000, verify: false });
  await settle(t);
  await mine(t, 1);
  t.chain.mine(age);
  await settle(t);
  await t.payer.pay(10_000n);
  await settle(t);
  const lookups = await blockLookups(t, async () => {
    await t.payee.close();
    for (let i = 0; i < 12 && !(t.payee.done && t.payer.done); i++) await mine(t, 1);
  });
  expect(t.payee.context.outcome).toBe('paid-out');
  expect(t.payer.context.outcome).toBe('settled');
  return lookups;
}

describe('BitcoinCoreChain: watches of what the follower already covers rescan nothing', () => {
  // The channels hand every new watch to the chain with a rescan from the deposit's height. Their
  // own broadcasts, the outputs of those and spenders already indexed need no rescan: without
  // that, a close rescanned every block since the deposit about three times.
  test('closing a channel costs the same block lookups after 10 or 200 blocks open', async () => {
    const young = await closingLookups(10);
    const old = await closingLookups(200);
    expect(old).toBe(young);
    // Two clients following the handful of blocks of the close, and nothing older.
    expect(old).toBeLessThan(60);
  });
});
