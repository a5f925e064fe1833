import { SigHash } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { concatBytes, hexToBytes } from '../../src/bytes.js';
import {
  type CounterpartyAllocation,
  type CounterpartyLedger,
  arc4,
  encodeCounterpartySend,
  opReturnScript,
  outputScriptAddress,
} from '../../src/counterparty/index.js';
import {
  type FundedCoin,
  p2shP2pkScript,
  party,
  sendTransaction,
  signSpends,
} from './ledger-helpers.js';

/** A ledger under test with the chain it reads (a regtest node for a Counterparty Core adapter). */
export interface LedgerHarness {
  readonly ledger: CounterpartyLedger;
  /** Confirms a new output of `value` paying `script` (default 100 000 sat). */
  fund(script: Uint8Array, value?: bigint): Promise<FundedCoin>;
  /** Sends a signed transaction to the mempool. */
  broadcast(rawTx: Uint8Array): Promise<string>;
  /** Mines `blocks` blocks (default 1). */
  mine(blocks?: number): Promise<void>;
  /** Disconnects the last `depth` blocks, their transactions going back to the mempool. */
  reorg(depth: number): Promise<void>;
  /** Height of the tip. */
  height(): Promise<number>;
}

/** Makes a fresh chain and ledger in which `allocations` are held before the first send. */
export type LedgerHarnessFactory = (
  allocations: readonly CounterpartyAllocation[],
) => Promise<LedgerHarness>;

const alice = party('alice');
const bob = party('bob');
const carol = party('carol');
const ALICE_GRANT = [{ address: alice.address, asset: 'XCP', quantity: 1_000n }];

/**
 * The behaviour every {@link CounterpartyLedger} must show on regtest: Counterparty's rules
 * for classic and enhanced sends, sources from the first input, SIGHASH_ALL, reorganisations.
 */
export function describeLedgerConformance(name: string, makeHarness: LedgerHarnessFactory): void {
  describe(`Counterparty ledger conformance: ${name}`, () => {
    it('moves a classic send once it is confirmed, not while in the mempool', async () => {
      const h = await makeHarness(ALICE_GRANT);
      const coin = await h.fund(alice.p2pkh);
      const tx = sendTransaction(
        { type: 'classic', asset: 'XCP', quantity: 300n },
        { coin, key: alice },
        bob.p2pkh,
        alice.p2pkh,
      );
      const txid = await h.broadcast(tx);
      expect(await h.ledger.getBalance(alice.address, 'XCP')).toBe(1_000n);
      expect(await h.ledger.getTransaction(txid)).toBeNull();
      await h.mine();
      expect(await h.ledger.getBalance(alice.address, 'XCP')).toBe(700n);
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(300n);
      expect(await h.ledger.getTransaction(txid)).toEqual({
        txid,
        blockHeight: await h.height(),
        type: 'classic',
        source: alice.address,
        destination: bob.address,
        asset: 'XCP',
        quantity: 300n,
        status: 'valid',
      });
      expect(await h.ledger.getBalances(bob.address)).toEqual(new Map([['XCP', 300n]]));
    });

    it('caps a classic send at the source balance, as Counterparty does', async () => {
      const h = await makeHarness(ALICE_GRANT);
      const coin = await h.fund(alice.p2pkh);
      const tx = sendTransaction(
        { type: 'classic', asset: 'XCP', quantity: 5_000n },
        { coin, key: alice },
        bob.p2pkh,
        alice.p2pkh,
      );
      const txid = await h.broadcast(tx);
      await h.mine();
      expect(await h.ledger.getBalance(alice.address, 'XCP')).toBe(0n);
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(1_000n);
      expect((await h.ledger.getTransaction(txid))?.quantity).toBe(1_000n);
      // A zero balance row still makes the next classic send valid, moving nothing.
      const again = sendTransaction(
        { type: 'classic', asset: 'XCP', quantity: 1n },
        { coin: await h.fund(alice.p2pkh), key: alice },
        bob.p2pkh,
        alice.p2pkh,
      );
      const second = await h.broadcast(again);
      await h.mine();
      expect(await h.ledger.getTransaction(second)).toMatchObject({
        status: 'valid',
        quantity: 0n,
      });
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(1_000n);
    });

    it('refuses a classic send of an asset the source never held', async () => {
      const h = await makeHarness(ALICE_GRANT);
      const tx = sendTransaction(
        { type: 'classic', asset: 'PEPECASH', quantity: 1n },
        { coin: await h.fund(carol.p2pkh), key: carol },
        bob.p2pkh,
        carol.p2pkh,
      );
      const txid = await h.broadcast(tx);
      await h.mine();
      expect(await h.ledger.getTransaction(txid)).toMatchObject({
        status: 'invalid: insufficient funds',
        source: carol.address,
      });
      expect(await h.ledger.getBalances(bob.address)).toEqual(new Map());
    });

    it('moves an enhanced send only when the source holds enough', async () => {
      const h = await makeHarness(ALICE_GRANT);
      const memo = new TextEncoder().encode('invoice 7');
      const tooMuch = sendTransaction(
        { type: 'enhanced', asset: 'XCP', quantity: 1_001n, destination: bob.address, memo },
        { coin: await h.fund(alice.p2pkh), key: alice },
        bob.p2pkh,
        alice.p2pkh,
      );
      const enough = sendTransaction(
        { type: 'enhanced', asset: 'XCP', quantity: 1_000n, destination: bob.address, memo },
        { coin: await h.fund(alice.p2pkh), key: alice },
        bob.p2pkh,
        alice.p2pkh,
      );
      const refused = await h.broadcast(tooMuch);
      await h.mine();
      const accepted = await h.broadcast(enough);
      await h.mine();
      expect(await h.ledger.getTransaction(refused)).toMatchObject({
        type: 'enhanced',
        status: 'invalid: insufficient funds',
      });
      expect(await h.ledger.getTransaction(accepted)).toMatchObject({
        type: 'enhanced',
        destination: bob.address,
        quantity: 1_000n,
        status: 'valid',
      });
      expect(await h.ledger.getBalance(alice.address, 'XCP')).toBe(0n);
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(1_000n);
    });

    it('takes the source from the first input only', async () => {
      const h = await makeHarness(ALICE_GRANT);
      const carolCoin = await h.fund(carol.p2pkh);
      const aliceCoin = await h.fund(alice.p2pkh);
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
      const txid = await h.broadcast(tx);
      await h.mine();
      expect(await h.ledger.getTransaction(txid)).toMatchObject({
        source: carol.address,
        status: 'invalid: insufficient funds',
      });
      expect(await h.ledger.getBalance(alice.address, 'XCP')).toBe(1_000n);
    });

    it('reads P2SH and P2WPKH sources', async () => {
      const shScript = p2shP2pkScript(alice);
      const shAddress = outputScriptAddress(shScript, 'regtest')!;
      const wpkhAddress = outputScriptAddress(alice.p2wpkh, 'regtest')!;
      const h = await makeHarness([
        { address: shAddress, asset: 'XCP', quantity: 50n },
        { address: wpkhAddress, asset: 'XCP', quantity: 70n },
      ]);
      const viaSh = sendTransaction(
        { type: 'classic', asset: 'XCP', quantity: 20n },
        { coin: await h.fund(shScript), key: alice, kind: 'p2sh-p2pk' },
        bob.p2pkh,
        shScript,
      );
      const viaWpkh = sendTransaction(
        { type: 'enhanced', asset: 'XCP', quantity: 30n, destination: bob.address },
        { coin: await h.fund(alice.p2wpkh), key: alice, kind: 'p2wpkh' },
        bob.p2pkh,
        alice.p2wpkh,
      );
      await h.broadcast(viaSh);
      await h.broadcast(viaWpkh);
      await h.mine();
      expect(await h.ledger.getBalance(shAddress, 'XCP')).toBe(30n);
      expect(await h.ledger.getBalance(wpkhAddress, 'XCP')).toBe(40n);
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(50n);
    });

    it('ignores a send whose first input is not signed with SIGHASH_ALL', async () => {
      const h = await makeHarness(ALICE_GRANT);
      for (const sighash of [SigHash.NONE, SigHash.SINGLE, SigHash.ALL_ANYONECANPAY]) {
        const tx = sendTransaction(
          { type: 'classic', asset: 'XCP', quantity: 10n },
          { coin: await h.fund(alice.p2pkh), key: alice, sighash },
          bob.p2pkh,
          alice.p2pkh,
        );
        const txid = await h.broadcast(tx);
        await h.mine();
        const result = await h.ledger.getTransaction(txid);
        if (sighash === SigHash.ALL_ANYONECANPAY) expect(result?.status).toBe('valid');
        else expect(result).toBeNull();
      }
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(10n);
    });

    it('moves nothing for malformed or foreign data', async () => {
      const h = await makeHarness(ALICE_GRANT);
      const key = (coin: FundedCoin) => hexToBytes(coin.txid);
      const prefix = new TextEncoder().encode('CNTRPRTY');
      const cases: [string, (coin: FundedCoin) => Uint8Array, string | null][] = [
        // A classic send one byte short.
        [
          'truncated',
          (c) => arc4(key(c), concatBytes(prefix, new Uint8Array(4), new Uint8Array(15).fill(1))),
          'invalid: could not unpack',
        ],
        // An issuance, which this ledger does not parse.
        [
          'issuance',
          (c) => arc4(key(c), concatBytes(prefix, hexToBytes('1400000000000000010000'))),
          'unsupported',
        ],
        // Not Counterparty at all.
        ['foreign', () => new TextEncoder().encode('hello'), null],
      ];
      for (const [, data, status] of cases) {
        const coin = await h.fund(alice.p2pkh);
        const tx = signSpends(
          [{ coin, key: alice }],
          [
            { script: bob.p2pkh, value: 546n },
            { script: opReturnScript(data(coin)), value: 0n },
            { script: alice.p2pkh, value: coin.value - 546n - 2_000n },
          ],
        );
        const txid = await h.broadcast(tx);
        await h.mine();
        expect((await h.ledger.getTransaction(txid))?.status ?? null).toBe(status);
      }
      expect(await h.ledger.getBalance(alice.address, 'XCP')).toBe(1_000n);
      expect(await h.ledger.getBalances(bob.address)).toEqual(new Map());
    });

    it('follows reorganisations', async () => {
      const h = await makeHarness(ALICE_GRANT);
      const coin = await h.fund(alice.p2pkh);
      const tx = sendTransaction(
        { type: 'classic', asset: 'XCP', quantity: 400n },
        { coin, key: alice },
        bob.p2pkh,
        alice.p2pkh,
      );
      const txid = await h.broadcast(tx);
      await h.mine();
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(400n);
      // The send goes back to the mempool: the ledger forgets it until it is mined again.
      await h.reorg(1);
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(0n);
      expect(await h.ledger.getTransaction(txid)).toBeNull();
      await h.mine();
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(400n);
      // Reorganising the faucet block away drops the send for good.
      await h.reorg(2);
      await h.mine(2);
      expect(await h.ledger.getBalance(bob.address, 'XCP')).toBe(0n);
      expect(await h.ledger.getBalance(alice.address, 'XCP')).toBe(1_000n);
    });
  });
}
