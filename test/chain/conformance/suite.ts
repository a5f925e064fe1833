import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Chain, ChainTransaction } from '../../../src/chain/index.js';
import { SimulatedChain } from '../../../src/chain/index.js';
import { bitcoreScriptVerifier } from '../../support/bitcore-verifier.js';
import {
  type Coin,
  csvRedeemScript,
  p2shOf,
  spendP2shPush,
  spendP2wpkh,
  testKey,
} from '../helpers.js';

/** One chain under test, with the simulated chain behind it. */
export interface ConformanceSubject {
  readonly chain: Chain;
  /** The simulated chain the subject reads (directly or through a simulated node). */
  readonly sim: SimulatedChain;
  /** Whether the subject reports Core's reject reason on refusals. */
  readonly reportsRejectReason: boolean;
  /** Whether `ChainTransaction.blockHash` is filled in. */
  readonly reportsBlockHash: boolean;
  /** Stops and restarts the node behind the chain; absent for in-process chains. */
  readonly node?: { stop(): Promise<void>; start(): Promise<void> };
  close(): Promise<void>;
}

/** Builds a subject over a fresh simulated chain. */
export type ConformanceFactory = (sim: SimulatedChain) => Promise<ConformanceSubject>;

const alice = testKey('conformance alice');
const bob = testKey('conformance bob');

/** The code of the rejection of `promise`, or what happened instead. */
async function codeOfAsync(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error: unknown) {
    if (error instanceof Error && error.constructor.name === 'ChainError' && 'code' in error) {
      return String(error.code);
    }
    return `non-chain error: ${String(error)}`;
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function heightOf(tx: ChainTransaction | null): number | null | 'unknown' {
  return tx === null ? 'unknown' : tx.blockHeight;
}

/**
 * The behaviour every {@link Chain} must share: heights, broadcast and each typed refusal,
 * transactions, spenders and outputs in the mempool and confirmed, reorganisations, block
 * notifications, and (for chains behind a node) the node going away and coming back.
 */
export function runChainConformance(
  name: string,
  factory: ConformanceFactory,
  options: { readonly behindNode: boolean },
): void {
  describe(`Chain conformance: ${name}`, () => {
    let subject: ConformanceSubject;
    let sim: SimulatedChain;
    let chain: Chain;
    let coin: Coin;

    beforeEach(async () => {
      sim = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
      subject = await factory(sim);
      chain = subject.chain;
      const outpoint = sim.fund(alice.p2wpkh, 100_000n);
      coin = { ...outpoint, value: 100_000n };
    });

    afterEach(async () => {
      await subject.close();
    });

    const pay = (amount = 99_000n, from: Coin = coin) =>
      spendP2wpkh(alice, [from], [{ script: bob.p2wpkh, amount }]);

    it('reports the tip height as blocks are mined', async () => {
      expect(await chain.getHeight()).toBe(sim.height);
      sim.mine(3);
      expect(await chain.getHeight()).toBe(sim.height);
    });

    it('accepts a valid spend and follows it from mempool to block', async () => {
      const raw = pay();
      const txid = await chain.broadcast(raw);
      expect(sim.mempoolTxids()).toEqual([txid]);
      const pending = await chain.getTransaction(txid);
      expect(pending?.blockHeight).toBeNull();
      expect(pending?.rawTx).toEqual(raw);
      expect((await chain.getSpender(coin))?.txid).toBe(txid);
      expect((await chain.getSpender(coin))?.blockHeight).toBeNull();
      // Spent only by a mempool transaction: still an output of the chain.
      expect((await chain.getOutput(coin))?.value).toBe(100_000n);
      expect((await chain.getOutput({ txid, vout: 0 }))?.blockHeight).toBeNull();

      sim.mine();
      const height = sim.height;
      const confirmed = await chain.getTransaction(txid);
      expect(confirmed?.blockHeight).toBe(height);
      if (subject.reportsBlockHash) expect(confirmed?.blockHash).toBe(sim.block(height)?.hash);
      expect((await chain.getSpender(coin))?.blockHeight).toBe(height);
      expect(await chain.getOutput(coin)).toBeNull();
      const output = await chain.getOutput({ txid, vout: 0 });
      expect(output).toEqual({ value: 99_000n, script: bob.p2wpkh, blockHeight: height });
    });

    it('finds a transaction that confirmed without passing through it (faucet)', async () => {
      const tx = await chain.getTransaction(coin.txid);
      expect(tx?.blockHeight).toBe(sim.height);
      expect(await chain.getSpender(coin)).toBeNull();
      expect((await chain.getOutput(coin))?.blockHeight).toBe(sim.height);
    });

    it('answers unknown and nonsense queries with null', async () => {
      const unknown = 'ab'.repeat(32);
      expect(await chain.getTransaction(unknown)).toBeNull();
      expect(await chain.getTransaction('not a txid')).toBeNull();
      expect(await chain.getSpender({ txid: unknown, vout: 0 })).toBeNull();
      expect(await chain.getOutput({ txid: unknown, vout: 0 })).toBeNull();
      expect(await chain.getOutput({ txid: coin.txid, vout: 7 })).toBeNull();
    });

    describe('refuses with a typed code and changes nothing', () => {
      const refuses = async (raw: Uint8Array, code: string) => {
        const mempool = sim.mempoolTxids();
        const height = sim.height;
        let caught: unknown;
        try {
          await chain.broadcast(raw);
        } catch (error: unknown) {
          caught = error;
        }
        expect((caught as { code?: string })?.code).toBe(code);
        if (subject.reportsRejectReason && code !== 'TX_MALFORMED') {
          expect((caught as { rejectReason?: string }).rejectReason).toMatch(/\S/);
        }
        expect(sim.mempoolTxids()).toEqual(mempool);
        expect(sim.height).toBe(height);
      };

      it('TX_MALFORMED: bytes that are not one transaction', async () => {
        await refuses(new Uint8Array([1, 2, 3]), 'TX_MALFORMED');
        await refuses(new Uint8Array([...pay(), 0]), 'TX_MALFORMED');
      });

      it('TX_ALREADY_KNOWN: in the mempool, and confirmed', async () => {
        const raw = pay();
        await chain.broadcast(raw);
        await refuses(raw, 'TX_ALREADY_KNOWN');
        sim.mine();
        await refuses(raw, 'TX_ALREADY_KNOWN');
      });

      it('TX_ALREADY_KNOWN: confirmed with every output spent', async () => {
        const first = pay();
        const txid = await chain.broadcast(first);
        sim.mine();
        await chain.broadcast(
          spendP2wpkh(
            bob,
            [{ txid, vout: 0, value: 99_000n }],
            [{ script: alice.p2wpkh, amount: 98_000n }],
          ),
        );
        sim.mine();
        await refuses(first, 'TX_ALREADY_KNOWN');
      });

      it('TX_MISSING_INPUTS: an input the chain never saw', async () => {
        await refuses(
          pay(99_000n, { txid: 'cd'.repeat(32), vout: 0, value: 100_000n }),
          'TX_MISSING_INPUTS',
        );
      });

      it('TX_CONFLICT: an input spent in the mempool, then in a block', async () => {
        await chain.broadcast(pay(99_000n));
        await refuses(pay(98_000n), 'TX_CONFLICT');
        sim.mine();
        await refuses(pay(97_000n), 'TX_CONFLICT');
      });

      it('TX_OUTPUTS_EXCEED_INPUTS, TX_FEE_TOO_LOW, TX_DUST_OUTPUT', async () => {
        // Signed as if the coin were worth more (the signer refuses outputs above inputs).
        const overspend = spendP2wpkh(
          alice,
          [{ ...coin, value: 200_000n }],
          [{ script: bob.p2wpkh, amount: 100_001n }],
        );
        await refuses(overspend, 'TX_OUTPUTS_EXCEED_INPUTS');
        await refuses(pay(99_990n), 'TX_FEE_TOO_LOW');
        await refuses(
          spendP2wpkh(
            alice,
            [coin],
            [
              { script: bob.p2wpkh, amount: 98_000n },
              { script: bob.p2wpkh, amount: 100n },
            ],
          ),
          'TX_DUST_OUTPUT',
        );
      });

      it('TX_NON_FINAL: nLockTime ahead, and a relative lock not yet met', async () => {
        await refuses(
          spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }], {
            lockTime: sim.height + 5,
            sequence: 0xfffffffe,
          }),
          'TX_NON_FINAL',
        );
        const redeem = csvRedeemScript(3);
        const locked = await chain.broadcast(
          spendP2wpkh(alice, [coin], [{ script: p2shOf(redeem), amount: 99_000n }]),
        );
        sim.mine();
        const spend = spendP2shPush(
          [{ coin: { txid: locked, vout: 0, value: 99_000n }, redeemScript: redeem, sequence: 3 }],
          [{ script: bob.p2wpkh, amount: 98_000n }],
        );
        await refuses(spend, 'TX_NON_FINAL');
        sim.mine(2);
        expect(await chain.broadcast(spend)).toMatch(/^[0-9a-f]{64}$/);
      });

      it('TX_SCRIPT_INVALID: a signature by the wrong key', async () => {
        const forged = spendP2wpkh(bob, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
        // Signed by bob for alice's output: the witness program does not match.
        await refuses(forged, 'TX_SCRIPT_INVALID');
      });
    });

    it('rolls back what a reorganisation disconnects and sees the new branch', async () => {
      const txid = await chain.broadcast(pay());
      sim.mine();
      const first = sim.height;
      expect(heightOf(await chain.getTransaction(txid))).toBe(first);
      const hashBefore = sim.block(first)?.hash;

      sim.reorg(1);
      expect(heightOf(await chain.getTransaction(txid))).toBeNull();
      expect((await chain.getSpender(coin))?.blockHeight).toBeNull();
      expect(await chain.getHeight()).toBe(first - 1);

      sim.mine();
      const again = await chain.getTransaction(txid);
      expect(again?.blockHeight).toBe(first);
      if (subject.reportsBlockHash) {
        expect(again?.blockHash).toBe(sim.block(first)?.hash);
        expect(again?.blockHash).not.toBe(hashBefore);
      }

      // Disconnecting the faucet block removes the coin and its spender altogether.
      sim.reorg(2);
      sim.mine(3);
      expect(await chain.getTransaction(txid)).toBeNull();
      expect(await chain.getSpender(coin)).toBeNull();
      expect(await chain.getOutput(coin)).toBeNull();
      expect(await chain.getHeight()).toBe(sim.height);
    });

    it('calls onBlock listeners with each new height until unsubscribed', async () => {
      await chain.getHeight();
      const heard: number[] = [];
      const unsubscribe = chain.onBlock((height) => heard.push(height));
      const start = sim.height;
      sim.mine(2);
      await until(() => heard.includes(start + 2));
      expect(heard.filter((h) => h > start)).toEqual([start + 1, start + 2]);
      sim.reorg(1);
      await until(() => heard.at(-1) === start + 1);
      unsubscribe();
      const count = heard.length;
      sim.mine();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(heard.length).toBe(count);
    });

    it.runIf(options.behindNode)(
      'reports an unreachable node with a typed error and recovers',
      async () => {
        if (subject.node === undefined) throw new Error('a chain behind a node must expose it');
        const txid = await chain.broadcast(pay());
        await subject.node.stop();
        expect(await codeOfAsync(chain.getHeight())).toBe('NODE_UNREACHABLE');
        expect(await codeOfAsync(chain.getTransaction(txid))).toBe('NODE_UNREACHABLE');
        expect(await codeOfAsync(chain.broadcast(pay(98_000n)))).toBe('NODE_UNREACHABLE');
        sim.mine();
        await subject.node.start();
        expect(await chain.getHeight()).toBe(sim.height);
        expect(heightOf(await chain.getTransaction(txid))).toBe(sim.height);
      },
    );
  });
}
