import { SigHash } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/index.js';
import {
  CounterpartyBalances,
  CounterpartyError,
  SimulatedCounterpartyLedger,
  applyCounterpartyTransaction,
  encodeCounterpartySend,
  opReturnScript,
  outputScriptAddress,
} from '../../src/counterparty/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { fund, p2shP2pkScript, party, sendTransaction, signSpends } from './ledger-helpers.js';

const alice = party('alice');
const bob = party('bob');
const carol = party('carol');

function setup(allocations = [{ address: alice.address, asset: 'XCP', quantity: 1_000n }]) {
  const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  const ledger = new SimulatedCounterpartyLedger({ chain, allocations });
  return { chain, ledger };
}

describe('simulated Counterparty ledger', () => {
  it('moves a classic send once it is confirmed, not while in the mempool', async () => {
    const { chain, ledger } = setup();
    const coin = await fund(chain, alice.p2pkh);
    const tx = sendTransaction(
      { type: 'classic', asset: 'XCP', quantity: 300n },
      { coin, key: alice },
      bob.p2pkh,
      alice.p2pkh,
    );
    const txid = chain.submit(tx);
    expect(await ledger.getBalance(alice.address, 'XCP')).toBe(1_000n);
    expect(await ledger.getTransaction(txid)).toBeNull();
    chain.mine();
    expect(await ledger.getBalance(alice.address, 'XCP')).toBe(700n);
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(300n);
    expect(await ledger.getTransaction(txid)).toEqual({
      txid,
      blockHeight: chain.height,
      type: 'classic',
      source: alice.address,
      destination: bob.address,
      asset: 'XCP',
      quantity: 300n,
      status: 'valid',
    });
    expect(await ledger.getBalances(bob.address)).toEqual(new Map([['XCP', 300n]]));
  });

  it('caps a classic send at the source balance, as Counterparty does', async () => {
    const { chain, ledger } = setup();
    const coin = await fund(chain, alice.p2pkh);
    const tx = sendTransaction(
      { type: 'classic', asset: 'XCP', quantity: 5_000n },
      { coin, key: alice },
      bob.p2pkh,
      alice.p2pkh,
    );
    const txid = chain.submit(tx);
    chain.mine();
    expect(await ledger.getBalance(alice.address, 'XCP')).toBe(0n);
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(1_000n);
    expect((await ledger.getTransaction(txid))?.quantity).toBe(1_000n);
    // A zero balance row still makes the next classic send valid, moving nothing.
    const again = sendTransaction(
      { type: 'classic', asset: 'XCP', quantity: 1n },
      { coin: await fund(chain, alice.p2pkh), key: alice },
      bob.p2pkh,
      alice.p2pkh,
    );
    const second = chain.submit(again);
    chain.mine();
    expect(await ledger.getTransaction(second)).toMatchObject({ status: 'valid', quantity: 0n });
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(1_000n);
  });

  it('refuses a classic send of an asset the source never held', async () => {
    const { chain, ledger } = setup();
    const tx = sendTransaction(
      { type: 'classic', asset: 'PEPECASH', quantity: 1n },
      { coin: await fund(chain, carol.p2pkh), key: carol },
      bob.p2pkh,
      carol.p2pkh,
    );
    const txid = chain.submit(tx);
    chain.mine();
    expect(await ledger.getTransaction(txid)).toMatchObject({
      status: 'invalid: insufficient funds',
      source: carol.address,
    });
    expect(await ledger.getBalances(bob.address)).toEqual(new Map());
  });

  it('moves an enhanced send only when the source holds enough', async () => {
    const { chain, ledger } = setup();
    const memo = new TextEncoder().encode('invoice 7');
    const tooMuch = sendTransaction(
      { type: 'enhanced', asset: 'XCP', quantity: 1_001n, destination: bob.address, memo },
      { coin: await fund(chain, alice.p2pkh), key: alice },
      bob.p2pkh,
      alice.p2pkh,
    );
    const enough = sendTransaction(
      { type: 'enhanced', asset: 'XCP', quantity: 1_000n, destination: bob.address, memo },
      { coin: await fund(chain, alice.p2pkh), key: alice },
      bob.p2pkh,
      alice.p2pkh,
    );
    const refused = chain.submit(tooMuch);
    chain.mine();
    const accepted = chain.submit(enough);
    chain.mine();
    expect(await ledger.getTransaction(refused)).toMatchObject({
      type: 'enhanced',
      status: 'invalid: insufficient funds',
    });
    expect(await ledger.getTransaction(accepted)).toMatchObject({
      type: 'enhanced',
      destination: bob.address,
      quantity: 1_000n,
      status: 'valid',
    });
    expect(await ledger.getBalance(alice.address, 'XCP')).toBe(0n);
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(1_000n);
  });

  it('takes the source from the first input only', async () => {
    const { chain, ledger } = setup();
    const carolCoin = await fund(chain, carol.p2pkh);
    const aliceCoin = await fund(chain, alice.p2pkh);
    const send = {
      type: 'enhanced',
      asset: 'XCP',
      quantity: 10n,
      destination: bob.address,
    } as const;
    const data = encodeCounterpartySend(send, {
      firstInputTxid: carolCoin.txid,
      network: 'regtest',
    });
    const tx = signSpends(
      [
        { coin: carolCoin, key: carol },
        { coin: aliceCoin, key: alice },
      ],
      [
        { script: opReturnScript(data), value: 0n },
        { script: alice.p2pkh, value: 190_000n },
      ],
    );
    const txid = chain.submit(tx);
    chain.mine();
    expect(await ledger.getTransaction(txid)).toMatchObject({
      source: carol.address,
      status: 'invalid: insufficient funds',
    });
    expect(await ledger.getBalance(alice.address, 'XCP')).toBe(1_000n);
  });

  it('reads P2SH and P2WPKH sources', async () => {
    const shScript = p2shP2pkScript(alice);
    const shAddress = outputScriptAddress(shScript, 'regtest')!;
    const wpkhAddress = outputScriptAddress(alice.p2wpkh, 'regtest')!;
    const { chain, ledger } = setup([
      { address: shAddress, asset: 'XCP', quantity: 50n },
      { address: wpkhAddress, asset: 'XCP', quantity: 70n },
    ]);
    const viaSh = sendTransaction(
      { type: 'classic', asset: 'XCP', quantity: 20n },
      { coin: await fund(chain, shScript), key: alice, kind: 'p2sh-p2pk' },
      bob.p2pkh,
      shScript,
    );
    const viaWpkh = sendTransaction(
      { type: 'enhanced', asset: 'XCP', quantity: 30n, destination: bob.address },
      { coin: await fund(chain, alice.p2wpkh), key: alice, kind: 'p2wpkh' },
      bob.p2pkh,
      alice.p2wpkh,
    );
    chain.submit(viaSh);
    chain.submit(viaWpkh);
    chain.mine();
    expect(await ledger.getBalance(shAddress, 'XCP')).toBe(30n);
    expect(await ledger.getBalance(wpkhAddress, 'XCP')).toBe(40n);
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(50n);
  });

  it('ignores a send whose first input is not signed with SIGHASH_ALL', async () => {
    const { chain, ledger } = setup();
    for (const sighash of [SigHash.NONE, SigHash.SINGLE, SigHash.ALL_ANYONECANPAY]) {
      const tx = sendTransaction(
        { type: 'classic', asset: 'XCP', quantity: 10n },
        { coin: await fund(chain, alice.p2pkh), key: alice, sighash },
        bob.p2pkh,
        alice.p2pkh,
      );
      const txid = chain.submit(tx);
      chain.mine();
      const result = await ledger.getTransaction(txid);
      if (sighash === SigHash.ALL_ANYONECANPAY) expect(result?.status).toBe('valid');
      else expect(result).toBeNull();
    }
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(10n);
  });

  it('follows reorganisations', async () => {
    const { chain, ledger } = setup();
    const coin = await fund(chain, alice.p2pkh);
    const tx = sendTransaction(
      { type: 'classic', asset: 'XCP', quantity: 400n },
      { coin, key: alice },
      bob.p2pkh,
      alice.p2pkh,
    );
    const txid = chain.submit(tx);
    chain.mine();
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(400n);
    // The send goes back to the mempool: the ledger forgets it until it is mined again.
    chain.reorg(1);
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(0n);
    expect(await ledger.getTransaction(txid)).toBeNull();
    chain.mine();
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(400n);
    // Reorganising the faucet block away drops the send for good.
    chain.reorg(2);
    chain.mine(2);
    expect(await ledger.getBalance(bob.address, 'XCP')).toBe(0n);
    expect(await ledger.getBalance(alice.address, 'XCP')).toBe(1_000n);
  });

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
