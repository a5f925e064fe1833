import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/index.js';
import { SimulatedCounterpartyLedger } from '../../src/counterparty/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { propertyConfig } from '../support/property-config.js';
import { fund, party, sendTransaction } from './ledger-helpers.js';

const parties = [party('p0'), party('p1'), party('p2')];
const ASSETS = ['XCP', 'PEPECASH'] as const;

const opArb = fc.record({
  from: fc.nat({ max: parties.length - 1 }),
  to: fc.nat({ max: parties.length - 1 }),
  asset: fc.constantFrom(...ASSETS),
  type: fc.constantFrom('classic', 'enhanced'),
  quantity: fc.oneof(fc.bigInt({ min: 1n, max: 400n }), fc.constant(2n ** 63n - 1n)),
  // Ends the block after this send.
  mine: fc.boolean(),
});

interface Op {
  readonly from: number;
  readonly to: number;
  readonly asset: string;
  readonly type: 'classic' | 'enhanced';
  readonly quantity: bigint;
}

/**
 * Counterparty's send rules restated on plain maps: a classic send needs a balance row and
 * moves at most the balance; an enhanced send needs the whole quantity.
 */
class Model {
  readonly rows = new Map<string, bigint>();
  key = (who: number, asset: string) => `${who}/${asset}`;
  balance = (who: number, asset: string) => this.rows.get(this.key(who, asset)) ?? 0n;

  apply(op: Op): boolean {
    const held = this.rows.get(this.key(op.from, op.asset));
    let moved: bigint;
    if (op.type === 'classic') {
      if (held === undefined) return false;
      moved = op.quantity < held ? op.quantity : held;
    } else {
      if (held === undefined || held === 0n || held < op.quantity) return false;
      moved = op.quantity;
    }
    this.rows.set(this.key(op.from, op.asset), held - moved);
    this.rows.set(this.key(op.to, op.asset), this.balance(op.to, op.asset) + moved);
    return true;
  }
}

describe('simulated Counterparty ledger against a model', () => {
  it('agrees with the send rules and conserves every asset', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 6 }),
        fc.bigInt({ min: 1n, max: 1_000n }),
        async (ops, grant) => {
          const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
          const model = new Model();
          const allocations = [
            { address: parties[0]!.address, asset: 'XCP', quantity: grant },
            { address: parties[1]!.address, asset: 'PEPECASH', quantity: 500n },
          ];
          for (const a of allocations) {
            model.rows.set(
              model.key(
                parties.findIndex((p) => p.address === a.address),
                a.asset,
              ),
              a.quantity,
            );
          }
          const ledger = new SimulatedCounterpartyLedger({ chain, allocations });
          const pending: { txid: string; valid: boolean }[] = [];
          for (const op of ops) {
            const from = parties[op.from]!;
            const to = parties[op.to]!;
            const coin = await fund(chain, from.p2pkh);
            const send =
              op.type === 'classic'
                ? ({ type: 'classic', asset: op.asset, quantity: op.quantity } as const)
                : ({
                    type: 'enhanced',
                    asset: op.asset,
                    quantity: op.quantity,
                    destination: to.address,
                  } as const);
            const txid = chain.submit(
              sendTransaction(send, { coin, key: from }, to.p2pkh, from.p2pkh),
            );
            pending.push({ txid, valid: model.apply(op) });
            if (op.mine) chain.mine();
          }
          chain.mine();
          for (const { txid, valid } of pending) {
            const judged = await ledger.getTransaction(txid);
            expect(judged?.status === 'valid').toBe(valid);
          }
          for (const asset of ASSETS) {
            let total = 0n;
            for (let who = 0; who < parties.length; who++) {
              const balance = await ledger.getBalance(parties[who]!.address, asset);
              expect(balance).toBe(model.balance(who, asset));
              total += balance;
            }
            expect(total).toBe(asset === 'XCP' ? grant : 500n);
          }
        },
      ),
      propertyConfig('counterparty ledger model', 20),
    );
  });
});
