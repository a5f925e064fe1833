import { describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/index.js';
import {
  CounterpartyBalances,
  CounterpartyError,
  SimulatedCounterpartyLedger,
  applyCounterpartyTransaction,
} from '../../src/counterparty/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { describeLedgerConformance } from './ledger-conformance.js';
import { fund, party, sendTransaction, signSpends } from './ledger-helpers.js';

const alice = party('alice');
const bob = party('bob');
const carol = party('carol');

function setup(allocations = [{ address: alice.address, asset: 'XCP', quantity: 1_000n }]) {
  const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  const ledger = new SimulatedCounterpartyLedger({ chain, allocations });
  return { chain, ledger };
}

describeLedgerConformance('simulated', async (allocations) => {
  const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  const ledger = new SimulatedCounterpartyLedger({ chain, allocations });
  return {
    ledger,
    fund: (script, value) => fund(chain, script, value),
    broadcast: async (rawTx) => chain.submit(rawTx),
    mine: async (blocks = 1) => {
      chain.mine(blocks);
    },
    reorg: async (depth) => {
      chain.reorg(depth);
    },
    height: async () => chain.height,
  };
});

describe('simulated Counterparty ledger', () => {
  it('re-judges every block after a late allocation', async () => {
    const { chain, ledger } = setup([]);
    const tx = sendTransaction(
      { type: 'enhanced', asset: 'XCP', quantity: 5n, destination: bob.address },
      { coin: await fund(chain, carol.p2pkh), key: carol },
      bob.p2pkh,
      carol.p2pkh,
    );
    const txid = chain.submit(tx);
    chain.mine();
    expect((await ledger.getTransaction(txid))?.status).toBe('invalid: insufficient funds');
    ledger.allocate(carol.address, 'XCP', 5n);
    expect((await ledger.getTransaction(txid))?.status).toBe('valid');
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(5n);
  });

  it('refuses bad allocations', () => {
    const { ledger } = setup([]);
    const code = (run: () => void) => {
      try {
        run();
        return 'ACCEPTED';
      } catch (error) {
        return error instanceof CounterpartyError ? error.code : 'OTHER';
      }
    };
    expect(code(() => ledger.allocate(alice.address, 'BTC', 1n))).toBe('ASSET_NOT_SENDABLE');
    expect(code(() => ledger.allocate(alice.address, 'xcp', 1n))).toBe('ASSET_NAME_INVALID');
    expect(code(() => ledger.allocate(alice.address, 'XCP', 0n))).toBe('QUANTITY_INVALID');
    expect(code(() => ledger.allocate('', 'XCP', 1n))).toBe('INVALID_ARGUMENT');
    expect(code(() => ledger.allocate(alice.address, 'XCP', 2n ** 63n - 1n))).toBe('ACCEPTED');
    expect(code(() => ledger.allocate(bob.address, 'XCP', 1n))).toBe('QUANTITY_OVERFLOW');
  });
});

describe('applying transactions fed by hand', () => {
  it('needs the first input previous output', async () => {
    const chain = new SimulatedChain();
    const tx = sendTransaction(
      { type: 'classic', asset: 'XCP', quantity: 1n },
      { coin: await fund(chain, alice.p2pkh), key: alice },
      bob.p2pkh,
      alice.p2pkh,
    );
    const balances = new CounterpartyBalances();
    balances.credit(alice.address, 'XCP', 3n);
    expect(() =>
      applyCounterpartyTransaction(balances, tx, () => null, {
        blockHeight: 1,
        network: 'regtest',
      }),
    ).toThrow(CounterpartyError);
    const result = applyCounterpartyTransaction(balances, tx, () => alice.p2pkh, {
      blockHeight: 1,
      network: 'regtest',
    });
    expect(result?.status).toBe('valid');
    expect(balances.row(bob.address, 'XCP')).toBe(1n);
    // A transaction without Counterparty data is ignored without asking for anything.
    const plain = signSpends(
      [{ coin: await fund(chain, alice.p2pkh), key: alice }],
      [{ script: bob.p2pkh, value: 90_000n }],
    );
    expect(
      applyCounterpartyTransaction(balances, plain, () => null, { blockHeight: 2 }),
    ).toBeNull();
  });
});
