import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BitcoinCoreChain,
  type Chain,
  ChainError,
  EsploraChain,
  type Outpoint,
  SimulatedChain,
} from '../../../src/chain/index.js';
import { startSimnet } from '../../../src/simnet/index.js';
import { propertyConfig } from '../../support/property-config.js';
import { type Coin, spendP2wpkh, testKey } from '../helpers.js';

const alice = testKey('differential alice');

type Action =
  | { kind: 'fund'; value: number }
  | { kind: 'spend'; pick: number; via: number; fee: number }
  | { kind: 'mine'; blocks: number }
  | { kind: 'reorg'; depth: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('fund' as const),
    value: fc.integer({ min: 10_000, max: 200_000 }),
  }),
  fc.record({
    kind: fc.constant('spend' as const),
    pick: fc.nat(),
    via: fc.integer({ min: 0, max: 2 }),
    // Some below the minimum relay fee, so refusals are compared too.
    fee: fc.constantFrom(50, 500, 1000, 3000),
  }),
  fc.record({ kind: fc.constant('mine' as const), blocks: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('reorg' as const), depth: fc.integer({ min: 1, max: 3 }) }),
);

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error: unknown) {
    if (error instanceof ChainError) return error.code;
    throw error;
  }
}

/** What a chain says about the tracked transactions and outpoints, in comparable form. */
async function view(chain: Chain, txids: readonly string[], outpoints: readonly Outpoint[]) {
  const lines: string[] = [`height ${await chain.getHeight()}`];
  for (const txid of txids) {
    const tx = await chain.getTransaction(txid);
    lines.push(`tx ${txid.slice(0, 8)} ${tx === null ? 'unknown' : String(tx.blockHeight)}`);
  }
  for (const outpoint of outpoints) {
    const spender = await chain.getSpender(outpoint);
    const output = await chain.getOutput(outpoint);
    lines.push(
      `out ${outpoint.txid.slice(0, 8)}:${outpoint.vout} spender ${spender === null ? '-' : `${spender.txid.slice(0, 8)}@${spender.blockHeight}`} output ${output === null ? '-' : `${output.value}@${output.blockHeight}`}`,
    );
  }
  return lines;
}

describe('differential: BitcoinCoreChain and EsploraChain over the simnet agree with SimulatedChain', () => {
  it('after any sequence of faucet funds, spends, blocks and reorganisations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 12 }), async (actions) => {
        const sim = new SimulatedChain();
        const node = await startSimnet({ chain: sim });
        const fast = { retry: { retries: 0, delayMs: 10 }, timeoutMs: 5000 };
        const core = new BitcoinCoreChain({
          url: node.url,
          auth: { cookieFile: node.cookieFile },
          ...fast,
        });
        const esplora = new EsploraChain({ baseUrl: node.esploraUrl, ...fast });
        const chains: Chain[] = [sim, core, esplora];
        const coins: Coin[] = [];
        const txids: string[] = [];
        try {
          await core.getHeight();
          for (const step of actions) {
            if (step.kind === 'fund') {
              const outpoint = sim.fund(alice.p2wpkh, BigInt(step.value));
              coins.push({ ...outpoint, value: BigInt(step.value) });
              txids.push(outpoint.txid);
            } else if (step.kind === 'spend' && coins.length > 0) {
              const coin = coins[step.pick % coins.length]!;
              const raw = spendP2wpkh(
                alice,
                [coin],
                [{ script: alice.p2wpkh, amount: coin.value - BigInt(step.fee) }],
              );
              let expected: string;
              try {
                sim.check(raw);
                expected = 'ok';
              } catch (error: unknown) {
                expected = (error as ChainError).code;
              }
              expect(await outcome(chains[step.via]!.broadcast(raw))).toBe(expected);
              if (expected === 'ok') {
                const txid = sim.mempoolTxids().at(-1)!;
                coins.push({ txid, vout: 0, value: coin.value - BigInt(step.fee) });
                txids.push(txid);
              }
            } else if (step.kind === 'mine') {
              sim.mine(step.blocks);
            } else if (step.kind === 'reorg') {
              sim.reorg(Math.min(step.depth, sim.height - sim.startHeight));
            }
            const trackedTxids = txids.slice(-6);
            const trackedOutpoints = coins.slice(-6).map(({ txid, vout }) => ({ txid, vout }));
            const reference = await view(sim, trackedTxids, trackedOutpoints);
            expect(await view(core, trackedTxids, trackedOutpoints)).toEqual(reference);
            expect(await view(esplora, trackedTxids, trackedOutpoints)).toEqual(reference);
          }
        } finally {
          core.close();
          esplora.close();
          await node.close();
        }
      }),
      propertyConfig('chain adapters differential', 8),
    );
  });
});
