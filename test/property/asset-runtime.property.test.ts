import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { p2shOutputScript } from '../../src/scripts/p2sh.js';
import { completeCommit } from '../../src/transactions/commit-transaction.js';
import {
  type TestChannel,
  destinationOf,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';
import { TEST_ASSET, assetBalances } from '../support/asset-balances.js';
import { propertyConfig } from '../support/property-config.js';

/**
 * Asset channels driven through the machines and the runtime (not the builders alone): random
 * payments, give-backs, blocks, lost messages and restarts of either party from its store, with
 * an honest payee or one that parks BTC at commit addresses and publishes commits it gave
 * back. Measured in asset units on the simulated Counterparty ledger at the end:
 *
 * - payer safety: the payer gets back at least what it did not count as the payee's;
 * - payee safety (honest payee): the payee gets at least what it held when it closed;
 * - conservation and liveness (honest parties): both machines finish and every unit of the
 *   asset is at one of the two parties' addresses, and BTC only paid fees.
 *
 * Budget: `FC_RUNS` scales the runs, `FC_SEED` replays.
 */

const ASSET = TEST_ASSET;
const ALLOCATION = 100_000n;

interface Params {
  readonly quantity: bigint;
  readonly delayTime: number;
  readonly expireTime: number;
  readonly closeMode: 'payee' | 'payer' | 'deadline';
}

type Action =
  /** Pays `permille` thousandths of the deposit (at least one unit). */
  | { readonly kind: 'pay'; readonly permille: number }
  | { readonly kind: 'give-back'; readonly percent: number }
  | { readonly kind: 'mine'; readonly blocks: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'restart'; readonly side: 'payer' | 'payee' }
  | { readonly kind: 'park' }
  | { readonly kind: 'cheat' };

const paramsArb: fc.Arbitrary<Params> = fc.record({
  quantity: fc.bigInt({ min: 50n, max: 5_000n }),
  delayTime: fc.integer({ min: 3, max: 8 }),
  expireTime: fc.integer({ min: 30, max: 60 }),
  closeMode: fc.constantFrom('payee', 'payer', 'deadline'),
});

function actionsArb(dishonest: boolean): fc.Arbitrary<Action[]> {
  const honest: fc.Arbitrary<Action>[] = [
    fc.record({ kind: fc.constant('pay' as const), permille: fc.integer({ min: 1, max: 300 }) }),
    fc.record({ kind: fc.constant('pay' as const), permille: fc.integer({ min: 1, max: 300 }) }),
    fc.record({
      kind: fc.constant('give-back' as const),
      percent: fc.integer({ min: 0, max: 99 }),
    }),
    fc.record({ kind: fc.constant('mine' as const), blocks: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('drop' as const) }),
    fc.record({ kind: fc.constant('restart' as const), side: fc.constantFrom('payer', 'payee') }),
  ];
  const cheats: fc.Arbitrary<Action>[] = [
    fc.record({ kind: fc.constant('park' as const) }),
    fc.record({ kind: fc.constant('cheat' as const) }),
  ];
  return fc.array(fc.oneof(...honest, ...(dishonest ? cheats : [])), {
    minLength: 4,
    maxLength: 24,
  });
}

/** Runs a command a machine may refuse in the state it is in: a refusal changes nothing. */
async function attempt(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof Error) || !('code' in error)) throw error;
  }
}

async function runScenario(params: Params, actions: readonly Action[], dishonest: boolean) {
  const t: TestChannel = await openTestChannel({
    asset: { asset: ASSET, allocation: ALLOCATION },
    depositAmount: params.quantity,
    delayTime: params.delayTime,
    expireTime: params.expireTime,
    incremental: true,
  });
  let parties = { link: t.link, payer: t.payer, payee: t.payee };
  const pump = () => settle(parties);
  const mineOne = async () => {
    t.chain.mine(1);
    await pump();
  };
  /** Given-back commits the dishonest payee kept a copy of. */
  const held: string[] = [];
  let parked = 0n;
  await pump();
  await mineOne();
  const payeeContext = () => parties.payee.runtime.context as PayeeContext;
  for (const action of actions) {
    switch (action.kind) {
      case 'pay':
        await attempt(() =>
          parties.payer.pay(1n + (params.quantity * BigInt(action.permille)) / 1000n),
        );
        break;
      case 'give-back': {
        const transferred = parties.payee.status().transferred;
        const to = (transferred * BigInt(action.percent)) / 100n;
        // The commits given back (above `to`): the honest machine forgets them, a cheat keeps them.
        if (dishonest && to < transferred)
          held.push(
            ...payeeContext()
              .activeCommits.filter((c) => BigInt(c.amount) > to)
              .map((c) => c.rawTx),
          );
        await attempt(() => parties.payee.revokeUntil(to));
        break;
      }
      case 'mine':
        for (let i = 0; i < action.blocks; i++) await mineOne();
        break;
      case 'drop':
        parties.link.queue.shift();
        break;
      case 'restart': {
        const side = action.side;
        const text = await (side === 'payer' ? t.payerEnv : t.payeeEnv).store.load('test-channel');
        if (text === null) break;
        if (side === 'payer') {
          const payer = await PayerChannel.restore(text, t.payerEnv);
          parties = { ...parties, payer };
          t.link.attach('payer', (m) => payer.receive(m).then(() => undefined));
        } else {
          const payee = await PayeeChannel.restore(text, t.payeeEnv);
          parties = { ...parties, payee };
          t.link.attach('payee', (m) => payee.receive(m).then(() => undefined));
        }
        break;
      }
      case 'park': {
        // BTC at the address of the payee's highest commit: once old enough, a payout of it
        // would move the address's whole balance.
        const top = payeeContext().activeCommits.at(-1);
        if (!top) break;
        t.chain.fund(p2shOutputScript(hexToBytes(top.commitScript)), 20_000n);
        parked += 20_000n;
        await pump();
        break;
      }
      case 'cheat': {
        const rawTx = held.pop();
        const depositScript = payeeContext().depositScript;
        if (!rawTx || !depositScript) break;
        const complete = completeCommit(
          hexToBytes(rawTx),
          hexToBytes(depositScript),
          testPrivateKey(2),
        );
        // Refused when the deposit is spent already: the cheat simply comes too late.
        await t.chain.broadcast(complete).catch(() => undefined);
        await pump();
        break;
      }
    }
    await pump();
  }
  const payeeHeld = parties.payee.status().transferred;
  if (params.closeMode === 'payee') await attempt(() => parties.payee.close());
  if (params.closeMode === 'payer') await attempt(() => parties.payer.close());
  await pump();
  const bound = 2 * params.expireTime + params.delayTime + 20;
  for (let i = 0; i < bound && !(parties.payer.runtime.done && parties.payee.runtime.done); i++)
    await mineOne();
  for (let i = 0; i < 3; i++) await mineOne();

  const payerCounted = (parties.payer.runtime.context as PayerContext).transferred;
  const { payer: payerAsset, payee: payeeAsset } = await assetBalances(t);
  expect(parties.payer.runtime.done, 'the payer machine is stuck').toBe(true);
  // Payer safety: whatever the payee did, the payer loses at most what it counted as paid.
  expect(payerAsset, 'payer safety').toBeGreaterThanOrEqual(ALLOCATION - BigInt(payerCounted));
  expect(
    payerAsset + payeeAsset,
    'the asset is with a party or a channel address',
  ).toBeLessThanOrEqual(ALLOCATION);
  if (!dishonest) {
    expect(parties.payee.runtime.done, 'the payee machine is stuck').toBe(true);
    expect(payeeAsset, 'payee safety').toBeGreaterThanOrEqual(payeeHeld);
    expect(payerAsset + payeeAsset, 'conservation').toBe(ALLOCATION);
    const btc =
      t.chain.balanceOf(destinationOf(testPrivateKey(1))) +
      t.chain.balanceOf(destinationOf(testPrivateKey(2))) +
      t.chain.totalFeesPaid();
    expect(btc, 'BTC conservation').toBe(t.funding + parked);
  }
}

describe('asset channels through the machines and the runtime (PROTOCOL.md §8, §9)', () => {
  for (const [dishonest, name, runs] of [
    [false, 'honest parties, lost messages and restarts', 12],
    [true, 'a payee parking BTC at commit addresses and publishing given-back commits', 12],
  ] as const) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(paramsArb, actionsArb(dishonest), (params, actions) =>
          runScenario(params, actions, dishonest),
        ),
        { ...propertyConfig(`asset runtime: ${name}`, runs), verbose: 0 },
      );
    }, 300_000);
  }
});
