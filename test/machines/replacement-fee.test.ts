import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import {
  conflictingSpendOf,
  feeOfSpend,
  replacementFee,
} from '../../src/machines/replacement-fee.js';
import {
  type TxData,
  encodeTransaction,
  virtualSizeOf,
} from '../../src/transactions/raw-transaction.js';
import { propertyConfig } from '../support/property-config.js';

const COIN = 100_000_000n;

/** A spend of `outpoint` paying `COIN - fee` to an output script of `scriptBytes` bytes. */
function spend(
  outpoint: { txid: string; vout: number },
  fee: bigint,
  scriptBytes: number,
  sigBytes: number,
): TxData {
  // A witness-v0 style program keeps the output standard whatever its length (2..40 bytes).
  const program = Math.min(40, Math.max(2, scriptBytes));
  const script = new Uint8Array([0x00, program, ...new Uint8Array(program).fill(7)]);
  return {
    version: 2,
    inputs: [
      {
        txid: hexToBytes(outpoint.txid),
        index: outpoint.vout,
        scriptSig: new Uint8Array(sigBytes).fill(1),
        sequence: 0xffffffff,
      },
    ],
    outputs: [{ value: COIN - fee, script }],
    lockTime: 0,
  };
}

describe('replacementFee: what outbids a conflicting spend under full RBF', () => {
  it('is accepted by a full-RBF mempool, and one satoshi less is refused', () => {
    fc.assert(
      fc.property(
        // At least 1 sat/vB on the largest conflict drawn (about 500 vB): a conflict below the
        // relay floor would be refused before there is anything to replace.
        fc.bigInt({ min: 1_000n, max: 200_000n }),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 60, max: 400 }),
        fc.integer({ min: 60, max: 400 }),
        (conflictFee, conflictScript, ownScript, conflictSig, ownSig) => {
          const chain = new SimulatedChain({ replaceByFee: true });
          const coin = chain.fund(new Uint8Array([0x51]), COIN);
          const conflictTx = spend(coin, conflictFee, conflictScript, conflictSig);
          const conflictRaw = encodeTransaction(conflictTx);
          chain.submit(conflictRaw);
          const conflict = conflictingSpendOf(Buffer.from(conflictRaw).toString('hex'), COIN)!;
          expect(conflict).toEqual({ fee: conflictFee, vsize: virtualSizeOf(conflictTx) });

          const vsize = virtualSizeOf(spend(coin, 0n, ownScript, ownSig));
          const fee = replacementFee(conflict, vsize, 1);
          expect(() =>
            chain.check(encodeTransaction(spend(coin, fee - 1n, ownScript, ownSig))),
          ).toThrow(/insufficient fee/);
          const replacement = encodeTransaction(spend(coin, fee, ownScript, ownSig));
          chain.submit(replacement);
          expect(chain.feeOf(Buffer.from(conflictRaw).toString('hex'))).toBeNull();
          expect(feeOfSpend(Buffer.from(replacement).toString('hex'), COIN)).toBe(fee);
        },
      ),
      propertyConfig('replacement fee against the full-RBF mempool', 200),
    );
  });

  it('pays at least the bump rate on its own size above the conflict', () => {
    const conflict = { fee: 300n, vsize: 300 };
    expect(replacementFee(conflict, 300, 1)).toBe(600n);
    expect(replacementFee(conflict, 300, 5)).toBe(1800n);
    // A much larger replacement must still beat the conflict's rate.
    expect(replacementFee({ fee: 30_000n, vsize: 100 }, 1000, 1)).toBe(300_001n);
  });

  it('reads nothing from bytes that do not decode or pay out more than they spend', () => {
    expect(conflictingSpendOf('zz', COIN)).toBeNull();
    expect(conflictingSpendOf('', COIN)).toBeNull();
    const raw = Buffer.from(
      encodeTransaction(spend({ txid: '11'.repeat(32), vout: 0 }, 10n, 20, 70)),
    ).toString('hex');
    expect(conflictingSpendOf(raw, 1000n)).toBeNull();
    expect(feeOfSpend(raw, 1000n)).toBe(0n);
  });
});
