import { RawTx } from '@scure/btc-signer/script.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import { ChainError, SimulatedChain, virtualSize } from '../../src/chain/index.js';
import { DUST_THRESHOLDS } from '../../src/transactions/fees.js';
import { rawTransactionId as transactionId } from '../../src/transactions/raw-transaction.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import {
  chainState,
  codeOf,
  csvRedeemScript,
  p2shOf,
  spendP2pkh,
  spendP2shPush,
  spendP2wpkh,
  testKey,
} from './helpers.js';

const alice = testKey('alice');
const bob = testKey('bob');
const OP_TRUE_REDEEM = new Uint8Array([0x51]);
const anyoneCanSpend = p2shOf(OP_TRUE_REDEEM);

function funded(value = 100_000n, options = {}) {
  const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier, ...options });
  const outpoint = chain.fund(alice.p2wpkh, value);
  return { chain, coin: { ...outpoint, value } };
}

/** Submits and expects the code, with the chain state unchanged afterwards. */
function expectRejected(chain: SimulatedChain, rawTx: Uint8Array, code: string): void {
  const before = chainState(chain);
  expect(codeOf(() => chain.submit(rawTx))).toBe(code);
  expect(chainState(chain)).toEqual(before);
}

describe('SimulatedChain: faucet', () => {
  it('creates a real, parseable transaction confirmed in a new block', async () => {
    const chain = new SimulatedChain();
    expect(chain.height).toBe(100);
    const outpoint = chain.fund(alice.p2wpkh, 50_000n);
    expect(chain.height).toBe(101);
    const tx = await chain.getTransaction(outpoint.txid);
    expect(tx?.blockHeight).toBe(101);
    expect(transactionId(tx!.rawTx)).toBe(outpoint.txid);
    const decoded = RawTx.decode(tx!.rawTx);
    expect(decoded.outputs[0]).toEqual({ amount: 50_000n, script: alice.p2wpkh });
    expect(chain.confirmations(outpoint.txid)).toBe(1);
    expect(chain.balanceOf(alice.p2wpkh)).toBe(50_000n);
    expect(chain.block(101)?.txids).toEqual([outpoint.txid]);
  });

  it('is deterministic: same calls give the same txids and block hashes', () => {
    const run = () => {
      const chain = new SimulatedChain({ startHeight: 7 });
      chain.fund(alice.p2wpkh, 1000n);
      chain.fund(alice.p2wpkh, 1000n);
      chain.mine(2);
      return [8, 9, 10, 11].map((h) => chain.block(h));
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(new Set(first.map((b) => b?.hash)).size).toBe(4);
    expect(first[0]?.txids[0]).not.toBe(first[1]?.txids[0]);
  });

  it('refuses a non-positive value', () => {
    const chain = new SimulatedChain();
    expect(codeOf(() => chain.fund(alice.p2wpkh, 0n))).toBe('TX_MALFORMED');
    expect(chain.height).toBe(100);
  });
});

describe('SimulatedChain: acceptance', () => {
  it('accepts a valid P2WPKH spend checked by bitcore', async () => {
    const { chain, coin } = funded();
    const raw = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
    const txid = chain.submit(raw);
    expect(txid).toBe(transactionId(raw));
    expect(chain.mempoolTxids()).toEqual([txid]);
    expect(chain.confirmations(txid)).toBe(0);
    expect(chain.feeOf(txid)).toBe(1000n);
    expect((await chain.getSpender(coin))?.txid).toBe(txid);
    expect(await chain.getOutput(coin)).not.toBeNull(); // spent only in the mempool
  });

  it('accepts a valid P2PKH spend checked by bitcore', async () => {
    const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
    const outpoint = chain.fund(alice.p2pkh, 20_000n);
    const previous = (await chain.getTransaction(outpoint.txid))!.rawTx;
    const raw = spendP2pkh(alice, { ...outpoint, value: 20_000n }, previous, [
      { script: bob.p2pkh, amount: 19_000n },
    ]);
    expect(chain.submit(raw)).toBe(transactionId(raw));
  });

  describe('TX_MALFORMED', () => {
    const { chain, coin } = funded();
    const raw = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
    const decoded = RawTx.decode(raw);
    it.each([
      ['empty', new Uint8Array()],
      ['truncated', raw.subarray(0, raw.length - 1)],
      ['trailing byte', new Uint8Array([...raw, 0])],
      [
        'no inputs',
        RawTx.encode({ ...decoded, segwitFlag: false, witnesses: undefined, inputs: [] }),
      ],
      ['no outputs', RawTx.encode({ ...decoded, outputs: [] })],
      [
        'same outpoint twice',
        RawTx.encode({
          ...decoded,
          inputs: [decoded.inputs[0]!, decoded.inputs[0]!],
          witnesses: [decoded.witnesses![0]!, decoded.witnesses![0]!],
        }),
      ],
      [
        'loose coinbase',
        RawTx.encode({
          ...decoded,
          segwitFlag: false,
          witnesses: undefined,
          inputs: [
            {
              txid: new Uint8Array(32),
              index: 0xffffffff,
              finalScriptSig: new Uint8Array([1, 1]),
              sequence: 0,
            },
          ],
        }),
      ],
      [
        'oversized',
        RawTx.encode({
          ...decoded,
          outputs: [{ amount: 0n, script: new Uint8Array(400_000).fill(0x6a) }],
        }),
      ],
      [
        'output above 21 million BTC',
        RawTx.encode({
          ...decoded,
          outputs: [{ amount: 2_100_000_000_000_001n, script: bob.p2wpkh }],
        }),
      ],
      [
        'segwit flag with empty witnesses',
        new Uint8Array([
          ...raw.subarray(0, 4),
          0,
          1,
          ...RawTx.encode({ ...decoded, segwitFlag: false, witnesses: undefined }).subarray(4, -4),
          0,
          ...raw.subarray(-4),
        ]),
      ],
    ])('%s', (_name, bytes) => {
      expectRejected(chain, bytes, 'TX_MALFORMED');
    });
  });

  it('TX_ALREADY_KNOWN in the mempool and once confirmed', () => {
    const { chain, coin } = funded();
    const raw = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
    chain.submit(raw);
    expectRejected(chain, raw, 'TX_ALREADY_KNOWN');
    chain.mine();
    expectRejected(chain, raw, 'TX_ALREADY_KNOWN');
  });

  it('TX_MISSING_INPUTS for an unknown outpoint', () => {
    const { chain } = funded();
    const raw = spendP2wpkh(
      alice,
      [{ txid: 'ab'.repeat(32), vout: 0, value: 100_000n }],
      [{ script: bob.p2wpkh, amount: 99_000n }],
    );
    expectRejected(chain, raw, 'TX_MISSING_INPUTS');
  });

  it('TX_MISSING_INPUTS for an output index past the end', () => {
    const { chain, coin } = funded();
    const raw = spendP2wpkh(
      alice,
      [{ ...coin, vout: 1 }],
      [{ script: bob.p2wpkh, amount: 99_000n }],
    );
    expectRejected(chain, raw, 'TX_MISSING_INPUTS');
  });

  it('TX_CONFLICT against a mempool spend and a confirmed spend (no replace-by-fee)', () => {
    const { chain, coin } = funded();
    const first = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
    const higherFee = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 90_000n }]);
    chain.submit(first);
    expectRejected(chain, higherFee, 'TX_CONFLICT');
    chain.mine();
    expectRejected(chain, higherFee, 'TX_CONFLICT');
  });

  it('TX_OUTPUTS_EXCEED_INPUTS', () => {
    const { chain, coin } = funded();
    // btc-signer refuses to sign such a transaction: raise an output of a signed one instead.
    const signed = RawTx.decode(
      spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]),
    );
    const raw = RawTx.encode({ ...signed, outputs: [{ script: bob.p2wpkh, amount: 100_001n }] });
    expectRejected(chain, raw, 'TX_OUTPUTS_EXCEED_INPUTS');
  });

  it('TX_FEE_TOO_LOW just below the minimum relay fee on the virtual size, accepted at it', () => {
    const { chain, coin } = funded();
    const probe = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 90_000n }]);
    const vsize = BigInt(virtualSize(probe));
    // Amount changes do not change the size of a P2WPKH spend (fixed-width value field).
    const low = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 100_000n - vsize + 1n }]);
    expect(BigInt(virtualSize(low))).toBe(vsize);
    expectRejected(chain, low, 'TX_FEE_TOO_LOW');
    const exact = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 100_000n - vsize }]);
    expect(chain.feeOf(chain.submit(exact))).toBe(vsize);
  });

  it('TX_FEE_TOO_LOW honours a configured rate (2 sat/vB)', () => {
    const { chain, coin } = funded(100_000n, { minRelayFeeRate: 2 });
    const probe = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 90_000n }]);
    const vsize = BigInt(virtualSize(probe));
    const low = spendP2wpkh(
      alice,
      [coin],
      [{ script: bob.p2wpkh, amount: 100_000n - 2n * vsize + 1n }],
    );
    expectRejected(chain, low, 'TX_FEE_TOO_LOW');
    const ok = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 100_000n - 2n * vsize }]);
    expect(() => chain.submit(ok)).not.toThrow();
  });

  describe('TX_DUST_OUTPUT per output type', () => {
    const scripts = {
      p2pkh: bob.p2pkh,
      p2sh: anyoneCanSpend,
      p2wpkh: bob.p2wpkh,
      p2wsh: new Uint8Array([0x00, 0x20, ...new Uint8Array(32).fill(3)]),
      p2tr: new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(4)]),
    } as const;
    it.each(Object.entries(scripts))(
      '%s: threshold - 1 refused, threshold accepted',
      (type, script) => {
        const threshold = DUST_THRESHOLDS[type as keyof typeof scripts];
        const { chain, coin } = funded();
        const below = spendP2wpkh(
          alice,
          [coin],
          [
            { script, amount: threshold - 1n },
            { script: alice.p2wpkh, amount: 90_000n },
          ],
        );
        expectRejected(chain, below, 'TX_DUST_OUTPUT');
        const at = spendP2wpkh(
          alice,
          [coin],
          [
            { script, amount: threshold },
            { script: alice.p2wpkh, amount: 90_000n },
          ],
        );
        expect(() => chain.submit(at)).not.toThrow();
      },
    );

    it('OP_RETURN with zero value is exempt', () => {
      const { chain, coin } = funded();
      const raw = spendP2wpkh(
        alice,
        [coin],
        [
          { script: new Uint8Array([0x6a, 2, 0xca, 0xfe]), amount: 0n },
          { script: alice.p2wpkh, amount: 90_000n },
        ],
      );
      expect(() => chain.submit(raw)).not.toThrow();
    });
  });

  it('TX_NON_FINAL for a block-height nLockTime not reached by the next block', () => {
    const { chain, coin } = funded(); // tip 101: next block 102
    const outputs = [{ script: bob.p2wpkh, amount: 99_000n }];
    const late = spendP2wpkh(alice, [coin], outputs, { lockTime: 102, sequence: 0xfffffffe });
    expectRejected(chain, late, 'TX_NON_FINAL');
    // With every nSequence final the lock time is ignored.
    const ignored = spendP2wpkh(alice, [coin], outputs, { lockTime: 500, sequence: 0xffffffff });
    expect(codeOf(() => chain.submit(ignored))).toBe('no error');
    // A fresh chain gives the same (deterministic) coin: lock time 101 < next block 102.
    const fresh = funded();
    const ok = spendP2wpkh(alice, [fresh.coin], outputs, { lockTime: 101, sequence: 0xfffffffe });
    expect(codeOf(() => fresh.chain.submit(ok))).toBe('no error');
  });

  it('TX_NON_FINAL for a time nLockTime in the simulated future, accepted in its past', () => {
    const { chain, coin } = funded();
    const outputs = [{ script: bob.p2wpkh, amount: 99_000n }];
    const future = spendP2wpkh(alice, [coin], outputs, {
      lockTime: 2_000_000_000,
      sequence: 0xfffffffe,
    });
    expectRejected(chain, future, 'TX_NON_FINAL');
    const past = spendP2wpkh(alice, [coin], outputs, {
      lockTime: 600_000_000,
      sequence: 0xfffffffe,
    });
    expect(codeOf(() => chain.submit(past))).toBe('no error');
  });

  it('TX_NON_FINAL for a BIP68 lock on a confirmed parent, until the next block meets it', () => {
    const { chain, coin } = funded(); // coin confirmed at 101
    const raw = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }], {
      sequence: 3,
    });
    expectRejected(chain, raw, 'TX_NON_FINAL'); // next block 102: 1 deep
    chain.mine(1);
    expectRejected(chain, raw, 'TX_NON_FINAL'); // next block 103: 2 deep
    chain.mine(1);
    expect(codeOf(() => chain.submit(raw))).toBe('no error'); // next block 104: 3 deep
  });

  it('TX_NON_FINAL for a BIP68 lock on a mempool parent; lock 0 is fine', () => {
    const { chain, coin } = funded();
    const parent = spendP2wpkh(alice, [coin], [{ script: alice.p2wpkh, amount: 99_000n }]);
    const parentTxid = chain.submit(parent);
    const child = { txid: parentTxid, vout: 0, value: 99_000n };
    const locked = spendP2wpkh(alice, [child], [{ script: bob.p2wpkh, amount: 98_000n }], {
      sequence: 1,
    });
    expectRejected(chain, locked, 'TX_NON_FINAL');
    const unlocked = spendP2wpkh(alice, [child], [{ script: bob.p2wpkh, amount: 98_000n }], {
      sequence: 0,
    });
    expect(codeOf(() => chain.submit(unlocked))).toBe('no error');
  });

  it('BIP68 binds only version 2+ inputs without the disable flag', () => {
    const outputs = [{ script: bob.p2wpkh, amount: 99_000n }];
    const a = funded();
    expect(
      codeOf(() =>
        a.chain.submit(spendP2wpkh(alice, [a.coin], outputs, { version: 1, sequence: 50 })),
      ),
    ).toBe('no error');
    const b = funded();
    expect(
      codeOf(() =>
        b.chain.submit(
          spendP2wpkh(alice, [b.coin], outputs, { sequence: (0x80000000 | 50) >>> 0 }),
        ),
      ),
    ).toBe('no error');
  });

  it('TX_UNSUPPORTED_LOCK for a time-based BIP68 lock', () => {
    const { chain, coin } = funded();
    const raw = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }], {
      sequence: 0x00400001,
    });
    expectRejected(chain, raw, 'TX_UNSUPPORTED_LOCK');
  });

  it('TX_SCRIPT_INVALID with the verifier reason for a broken signature', () => {
    const { chain, coin } = funded();
    const raw = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
    const decoded = RawTx.decode(raw);
    const signature = decoded.witnesses![0]![0]!.slice();
    signature[10]! ^= 1;
    const broken = RawTx.encode({
      ...decoded,
      witnesses: [[signature, decoded.witnesses![0]![1]!]],
    });
    expectRejected(chain, broken, 'TX_SCRIPT_INVALID');
    try {
      chain.submit(broken);
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(ChainError);
      expect((error as ChainError).message).toMatch(/input 0: SCRIPT_ERR/);
    }
  });

  it('without a verifier, scripts are not judged', () => {
    const chain = new SimulatedChain();
    const outpoint = chain.fund(alice.p2wpkh, 10_000n);
    const raw = spendP2wpkh(
      alice,
      [{ ...outpoint, value: 10_000n }],
      [{ script: bob.p2wpkh, amount: 9_000n }],
    );
    const decoded = RawTx.decode(raw);
    const junk = RawTx.encode({ ...decoded, witnesses: [[new Uint8Array([1])]] });
    expect(codeOf(() => chain.submit(junk))).toBe('no error');
  });

  it('the async Chain methods wrap the same state', async () => {
    const { chain, coin } = funded();
    expect(await chain.getHeight()).toBe(101);
    await expect(chain.broadcast(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'TX_MALFORMED',
    });
    await expect(chain.broadcast(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(ChainError);
    const raw = spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]);
    const txid = await chain.broadcast(raw);
    expect(await chain.getTransaction(txid)).toEqual({ txid, rawTx: raw, blockHeight: null });
    expect(await chain.getTransaction(txid.toUpperCase())).not.toBeNull();
    expect(await chain.getTransaction('00'.repeat(32))).toBeNull();
    expect(await chain.getSpender({ txid, vout: 0 })).toBeNull();
    expect(await chain.getOutput({ txid, vout: 0 })).toEqual({
      value: 99_000n,
      script: bob.p2wpkh,
      blockHeight: null,
    });
    expect(await chain.getOutput({ txid, vout: 1 })).toBeNull();
    expect(bytesToHex(hexToBytes(txid))).toBe(txid);
  });
});

describe('SimulatedChain: CSV judged by bitcore', () => {
  const csv = csvRedeemScript(3);
  const script = p2shOf(csv);
  const setup = () => {
    const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
    const outpoint = chain.fund(script, 10_000n); // confirmed at 101
    return { chain, coin: { ...outpoint, value: 10_000n } };
  };
  const out = [{ script: bob.p2wpkh, amount: 9_000n }];

  it('is spendable only once 3 blocks deep, with version 2 and nSequence 3', () => {
    const { chain, coin } = setup();
    const raw = spendP2shPush([{ coin, redeemScript: csv, sequence: 3 }], out);
    expectRejected(chain, raw, 'TX_NON_FINAL');
    chain.mine();
    expectRejected(chain, raw, 'TX_NON_FINAL');
    chain.mine();
    const txid = chain.submit(raw);
    chain.mine();
    expect(chain.confirmations(txid)).toBe(1);
    expect(chain.block(104)?.txids).toEqual([txid]);
  });

  it('nSequence below the script lock fails the script even when deep enough', () => {
    const { chain, coin } = setup();
    chain.mine(10);
    expectRejected(
      chain,
      spendP2shPush([{ coin, redeemScript: csv, sequence: 2 }], out),
      'TX_SCRIPT_INVALID',
    );
  });

  it('version 1 fails the script (BIP112 needs version 2)', () => {
    const { chain, coin } = setup();
    chain.mine(10);
    const raw = spendP2shPush([{ coin, redeemScript: csv, sequence: 3 }], out, { version: 1 });
    expectRejected(chain, raw, 'TX_SCRIPT_INVALID');
  });
});
