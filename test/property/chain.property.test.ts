import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainError, SimulatedChain } from '../../src/chain/index.js';
import { chainState, spendP2wpkh, testKey } from '../chain/helpers.js';
import { propertyConfig } from '../support/property-config.js';

const keys = [testKey('p0'), testKey('p1'), testKey('p2')];

/** One chain shared by the malformed-bytes properties: a rejection must never change it. */
function chainWithSpend() {
  const chain = new SimulatedChain();
  const coin = { ...chain.fund(keys[0]!.p2wpkh, 100_000n), value: 100_000n };
  const raw = spendP2wpkh(keys[0]!, [coin], [{ script: keys[1]!.p2wpkh, amount: 99_000n }]);
  return { chain, raw };
}

function submitCode(chain: SimulatedChain, bytes: Uint8Array): string {
  try {
    chain.submit(bytes);
    return 'accepted';
  } catch (error: unknown) {
    return error instanceof ChainError ? error.code : `not a ChainError: ${String(error)}`;
  }
}

describe('SimulatedChain.submit on arbitrary bytes', () => {
  const { chain, raw } = chainWithSpend();
  const before = chainState(chain);

  it('random bytes are TX_MALFORMED', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(submitCode(chain, bytes)).toBe('TX_MALFORMED');
        expect(chainState(chain)).toEqual(before);
      }),
      propertyConfig('chain: random bytes', 300),
    );
  });

  it('truncated or extended valid transactions are TX_MALFORMED', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: raw.length - 1 }),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (cut, tail, extend) => {
          const bytes = extend ? new Uint8Array([...raw, ...tail]) : raw.subarray(0, cut);
          expect(submitCode(chain, bytes)).toBe('TX_MALFORMED');
          expect(chainState(chain)).toEqual(before);
        },
      ),
      propertyConfig('chain: truncated/extended', 200),
    );
  });

  it('a mutated valid transaction is refused with a ChainError or accepted, never a bare error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: raw.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const probe = new SimulatedChain();
          probe.fund(keys[0]!.p2wpkh, 100_000n);
          const bytes = raw.slice();
          bytes[at]! ^= xor;
          const code = submitCode(probe, bytes);
          expect(code).not.toMatch(/^not a ChainError/);
        },
      ),
      propertyConfig('chain: mutated', 200),
    );
  });
});

type Action =
  | { kind: 'fund'; key: number; value: bigint }
  | { kind: 'spend'; pick: number; to: number; split: number; fee: bigint; sequence: number }
  | { kind: 'mine'; count: number }
  | { kind: 'reorg'; depth: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('fund' as const),
    key: fc.integer({ min: 0, max: 2 }),
    value: fc.bigInt({ min: 1_000n, max: 1_000_000n }),
  }),
  fc.record({
    kind: fc.constant('spend' as const),
    pick: fc.nat(),
    to: fc.integer({ min: 0, max: 2 }),
    split: fc.integer({ min: 0, max: 100 }),
    fee: fc.bigInt({ min: 0n, max: 2_000n }),
    // Mostly final; sometimes a small relative lock that may or may not be met.
    sequence: fc.oneof(fc.constant(0xffffffff), fc.integer({ min: 0, max: 3 })),
  }),
  fc.record({ kind: fc.constant('mine' as const), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('reorg' as const), depth: fc.integer({ min: 0, max: 4 }) }),
);

function run(chain: SimulatedChain, step: Action, faucets: Map<string, bigint>): void {
  switch (step.kind) {
    case 'fund': {
      const outpoint = chain.fund(keys[step.key]!.p2wpkh, step.value);
      faucets.set(outpoint.txid, step.value);
      return;
    }
    case 'spend': {
      const utxos = chain.listUnspent();
      if (utxos.length === 0) return;
      const utxo = utxos[step.pick % utxos.length]!;
      const owner = keys.find((k) => k.p2wpkh.every((b, i) => b === utxo.script[i]));
      if (owner === undefined) return;
      const available = utxo.value - step.fee;
      if (available <= 0n) return;
      const first = (available * BigInt(step.split)) / 100n;
      const outputs = [
        { script: keys[step.to]!.p2wpkh, amount: first },
        { script: owner.p2wpkh, amount: available - first },
      ].filter((o) => o.amount > 0n);
      if (outputs.length === 0) return;
      const raw = spendP2wpkh(owner, [utxo], outputs, { sequence: step.sequence });
      try {
        chain.submit(raw); // dust, fee and lock rejections are part of the game
      } catch (error: unknown) {
        if (!(error instanceof ChainError)) throw error;
      }
      return;
    }
    case 'mine':
      chain.mine(step.count);
      return;
    case 'reorg':
      if (step.depth <= chain.height - 100) chain.reorg(step.depth);
      return;
  }
}

describe('SimulatedChain conservation', () => {
  it('unspent outputs + fees = value funded by faucet transactions still in the chain', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 25 }), (steps) => {
        const chain = new SimulatedChain();
        const faucets = new Map<string, bigint>();
        for (const step of steps) {
          run(chain, step, faucets);
          let funded = 0n;
          for (const [txid, value] of faucets) {
            if (chain.confirmations(txid) !== null) funded += value;
          }
          const unspent = chain.listUnspent().reduce((sum, u) => sum + u.value, 0n);
          expect(unspent + chain.totalFeesPaid()).toBe(funded);
          let fees = 0n;
          for (const txid of chain.mempoolTxids()) {
            expect(chain.confirmations(txid)).toBe(0);
            fees += chain.feeOf(txid)!;
          }
          expect(fees).toBeLessThanOrEqual(chain.totalFeesPaid());
        }
      }),
      propertyConfig('chain: conservation', 60),
    );
  });
});
