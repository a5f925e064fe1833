import { schnorr } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { SigHash, Transaction, p2pk, p2tr, p2wsh } from '@scure/btc-signer';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from '../../src/bytes.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { p2shAddress, p2shOutputScript } from '../../src/scripts/index.js';
import {
  DEFAULT_MAX_FUNDING_PSBT_BYTES,
  type DepositPsbtErrorCode,
  type FundedDeposit,
  type FundedDepositExpectation,
  TransactionError,
  type TransactionErrorCode,
  decodeTransaction,
  depositFundingRequest,
  encodeTransaction,
  finalizeDepositPsbt,
  finalizeFundedDeposit,
} from '../../src/transactions/index.js';
import bitcoreLib from 'bitcore-lib';
import type { ScriptVerifier } from '../../src/chain/chain.js';
import {
  STANDARD_TEST_FLAGS,
  bitcoreScriptVerifier,
  verifyInputWithBitcore,
} from '../support/bitcore-verifier.js';
import { propertyConfig } from '../support/property-config.js';
import { keyFromLabel, makeChannel, p2pkhScript, p2wpkhScript, pub } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// A wallet that funds like Bitcoin Core's: walletcreatefundedpsbt + walletprocesspsbt.
// ---------------------------------------------------------------------------------------------

type Code = TransactionErrorCode | DepositPsbtErrorCode;
type CoinKind = 'p2wpkh' | 'p2pkh' | 'p2sh-p2wpkh';

interface WalletCoin {
  readonly kind: CoinKind | 'p2tr' | 'p2wsh';
  readonly key: Uint8Array;
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  readonly script: Uint8Array;
  /** The faucet transaction that created the coin. */
  readonly prevTx: Uint8Array;
}

function coinScript(kind: WalletCoin['kind'], key: Uint8Array): Uint8Array {
  if (kind === 'p2wpkh') return p2wpkhScript(pub(key));
  if (kind === 'p2pkh') return p2pkhScript(pub(key));
  if (kind === 'p2sh-p2wpkh') return p2shOutputScript(p2wpkhScript(pub(key)));
  if (kind === 'p2wsh') return p2wsh(p2pk(pub(key))).script;
  return p2tr(schnorr.getPublicKey(key)).script;
}

let coinCounter = 0;
function fundCoin(chain: SimulatedChain, kind: WalletCoin['kind'], value: bigint): WalletCoin {
  const key = keyFromLabel(`psbt wallet coin ${coinCounter++}`);
  const script = coinScript(kind, key);
  const outpoint = chain.fund(script, value);
  const prevTx = chain.rawTransaction(outpoint.txid)!;
  return { kind, key, txid: outpoint.txid, vout: outpoint.vout, value, script, prevTx };
}

/** Upper bounds of the virtual size each input kind adds, as wallets estimate them. */
const INPUT_VSIZE = { p2wpkh: 69, p2pkh: 149, 'p2sh-p2wpkh': 92, p2tr: 58, p2wsh: 60 } as const;

interface WalletFundOptions {
  readonly coins: readonly WalletCoin[];
  /** The funding PSBT from {@link depositFundingRequest}, read like a wallet would. */
  readonly requestPsbt: Uint8Array;
  readonly changeScript: Uint8Array;
  /** Where the change lands among the outputs (Core picks at random). */
  readonly changePosition: number;
  /** Further payments in the same transaction (a batching wallet). */
  readonly payments?: readonly { script: Uint8Array; amount: bigint }[];
  readonly feeRate: number;
  /** walletprocesspsbt's `finalize` (true by default in Core). */
  readonly finalize?: boolean;
  /** Give segwit inputs their non_witness_utxo too, as Core does since 0.21. */
  readonly segwitFullTx?: boolean;
  /** Sign only these input indexes (default: all). */
  readonly signOnly?: readonly number[];
  readonly sighash?: number;
  readonly lockTime?: number;
  /** Replace the computed change (to make hostile fees). */
  readonly changeOverride?: bigint;
}

function walletFund(options: WalletFundOptions): Uint8Array {
  const request = Transaction.fromPSBT(options.requestPsbt);
  const deposit = request.getOutput(0);
  const payments = options.payments ?? [];
  const total = options.coins.reduce((sum, c) => sum + c.value, 0n);
  const paid = deposit.amount! + payments.reduce((sum, p) => sum + p.amount, 0n);
  const outputsVsize = [deposit.script!, options.changeScript, ...payments.map((p) => p.script)]
    .map((s) => 9 + s.length)
    .reduce((a, b) => a + b, 0);
  const vsize = 11 + outputsVsize + options.coins.reduce((sum, c) => sum + INPUT_VSIZE[c.kind], 0);
  const fee = BigInt(Math.ceil(vsize * options.feeRate));
  const change = options.changeOverride ?? total - paid - fee;
  const outputs = [
    { script: deposit.script!, amount: deposit.amount! },
    ...payments.map((p) => ({ script: p.script, amount: p.amount })),
  ];
  outputs.splice(options.changePosition, 0, { script: options.changeScript, amount: change });

  const tx = new Transaction({
    version: 2,
    lockTime: options.lockTime ?? 0,
    allowLegacyWitnessUtxo: true,
    allowUnknownOutputs: true,
  });
  for (const coin of options.coins) {
    const sighash = options.sighash === undefined ? {} : { sighashType: options.sighash };
    const base = {
      txid: hexToBytes(coin.txid),
      index: coin.vout,
      sequence: 0xfffffffd,
      ...sighash,
    };
    const witnessUtxo = { script: coin.script, amount: coin.value };
    const full = options.segwitFullTx === false ? {} : { nonWitnessUtxo: coin.prevTx };
    if (coin.kind === 'p2pkh') tx.addInput({ ...base, nonWitnessUtxo: coin.prevTx });
    else if (coin.kind === 'p2wpkh') tx.addInput({ ...base, witnessUtxo, ...full });
    else if (coin.kind === 'p2sh-p2wpkh') {
      tx.addInput({ ...base, witnessUtxo, ...full, redeemScript: p2wpkhScript(pub(coin.key)) });
    } else if (coin.kind === 'p2wsh') {
      tx.addInput({ ...base, witnessUtxo, ...full, witnessScript: p2pk(pub(coin.key)).script });
    } else tx.addInput({ ...base, witnessUtxo, tapInternalKey: schnorr.getPublicKey(coin.key) });
  }
  for (const output of outputs) tx.addOutput(output);
  const allowed = options.sighash === undefined ? undefined : [options.sighash];
  options.coins.forEach((coin, i) => {
    if (options.signOnly === undefined || options.signOnly.includes(i)) {
      tx.signIdx(coin.key, i, allowed);
    }
  });
  if (options.finalize ?? true) {
    for (let i = 0; i < tx.inputsLength; i++) {
      if (options.signOnly === undefined || options.signOnly.includes(i)) tx.finalizeIdx(i);
    }
  }
  return tx.toPSBT();
}

// ---------------------------------------------------------------------------------------------
// An independent BIP174 map editor, to forge what a wallet library would refuse to produce.
// ---------------------------------------------------------------------------------------------

type Entry = [key: Uint8Array, value: Uint8Array];
interface Maps {
  global: Entry[];
  inputs: Entry[][];
  outputs: Entry[][];
}

function varint(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
}

function parseMaps(bytes: Uint8Array): Maps {
  const parsed = Transaction.fromPSBT(bytes, { allowLegacyWitnessUtxo: true });
  let at = 5;
  const readVarint = () => {
    const first = bytes[at++]!;
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : 4;
    let n = 0;
    for (let i = 0; i < width; i++) n += bytes[at++]! * 2 ** (8 * i);
    return n;
  };
  const readMap = (): Entry[] => {
    const entries: Entry[] = [];
    for (;;) {
      const keyLength = readVarint();
      if (keyLength === 0) return entries;
      const key = bytes.slice(at, at + keyLength);
      at += keyLength;
      const valueLength = readVarint();
      entries.push([key, bytes.slice(at, at + valueLength)]);
      at += valueLength;
    }
  };
  const global = readMap();
  const inputs = Array.from({ length: parsed.inputsLength }, readMap);
  const outputs = Array.from({ length: parsed.outputsLength }, readMap);
  return { global, inputs, outputs };
}

function serializeMaps(maps: Maps): Uint8Array {
  const map = (entries: Entry[]) =>
    concatBytes(
      ...entries.map(([k, v]) => concatBytes(varint(k.length), k, varint(v.length), v)),
      Uint8Array.of(0),
    );
  return concatBytes(
    hexToBytes('70736274ff'),
    map(maps.global),
    ...maps.inputs.map(map),
    ...maps.outputs.map(map),
  );
}

/** Returns `psbt` with input `index`'s field `type` replaced (or removed when `value` is null). */
function withInputField(
  psbt: Uint8Array,
  index: number,
  type: number,
  value: Uint8Array | null,
): Uint8Array {
  const maps = parseMaps(psbt);
  const entries = maps.inputs[index]!.filter(([k]) => !(k.length === 1 && k[0] === type));
  if (value !== null) entries.unshift([Uint8Array.of(type), value]);
  maps.inputs[index] = entries;
  return serializeMaps(maps);
}

function inputField(psbt: Uint8Array, index: number, type: number): Uint8Array | undefined {
  return parseMaps(psbt).inputs[index]!.find(([k]) => k.length === 1 && k[0] === type)?.[1];
}

const NON_WITNESS_UTXO = 0x00;
const WITNESS_UTXO = 0x01;
const FINAL_SCRIPTSIG = 0x07;
const FINAL_SCRIPTWITNESS = 0x08;

function encodeWitnessUtxo(value: bigint, script: Uint8Array): Uint8Array {
  const amount = new Uint8Array(8);
  new DataView(amount.buffer).setBigUint64(0, value, true);
  return concatBytes(amount, varint(script.length), script);
}

// ---------------------------------------------------------------------------------------------
// Fixtures and assertions.
// ---------------------------------------------------------------------------------------------

const channel = makeChannel({ label: 'deposit psbt' });
const AMOUNT = 150_000n;
const EXPECTED: FundedDepositExpectation = {
  depositScript: channel.depositScript,
  amount: AMOUNT,
};
const request = depositFundingRequest(channel.depositScript, AMOUNT, 'regtest');
const changeKey = keyFromLabel('psbt wallet change');
const CHANGE = p2wpkhScript(pub(changeKey));

/**
 * bitcore's interpreter with the standard flags, except that a P2SH-wrapped witness spend is
 * judged without CLEANSTACK: bitcore applies that rule to the scriptSig's stack before the
 * witness runs, so it refuses every P2SH-P2WPKH spend, which Bitcoin Core accepts (it checks
 * the stack after the witness program). Every other input gets the unmodified verifier.
 */
const verifyScript: ScriptVerifier = (args) => {
  const p2sh = args.prevOutScript.length === 23 && args.prevOutScript[0] === 0xa9;
  if (!p2sh) return bitcoreScriptVerifier(args);
  const cleanStack = bitcoreLib.Script.Interpreter.SCRIPT_VERIFY_CLEANSTACK;
  return verifyInputWithBitcore({ ...args, flags: STANDARD_TEST_FLAGS & ~cleanStack });
};

/** The parts of bitcore-lib a taproot check needs, beyond what the shared ambient types declare. */
interface TaprootBitcore {
  readonly Transaction: {
    new (
      raw: Buffer,
    ): {
      inputs: { script: unknown; output: unknown; getWitnesses(): Buffer[] | null }[];
    };
    readonly Output: new (init: { script: unknown; satoshis: number }) => unknown;
  };
  readonly Script: {
    fromBuffer(raw: Buffer): unknown;
    readonly Interpreter: {
      new (): {
        errstr: string;
        verify(...args: unknown[]): boolean;
      };
      readonly SCRIPT_VERIFY_TAPROOT: number;
    };
  };
}

/**
 * bitcore's verdict on input `index` with every spent output attached, as BIP341 signature
 * hashes need (the chain's verifier sees one prevout, and without the TAPROOT flag a v1
 * witness program is not checked at all).
 */
function verifyWithAllPrevouts(
  rawTx: Uint8Array,
  prevouts: readonly { script: Uint8Array; value: bigint }[],
  index: number,
): { ok: true } | { ok: false; error: string } {
  const lib = bitcoreLib as unknown as TaprootBitcore;
  const tx = new lib.Transaction(Buffer.from(rawTx));
  tx.inputs.forEach((input, j) => {
    const prevout = prevouts[j]!;
    input.output = new lib.Transaction.Output({
      script: lib.Script.fromBuffer(Buffer.from(prevout.script)),
      satoshis: Number(prevout.value),
    });
  });
  const input = tx.inputs[index]!;
  const prevout = prevouts[index]!;
  const interpreter = new lib.Script.Interpreter();
  const cleanStack = bitcoreLib.Script.Interpreter.SCRIPT_VERIFY_CLEANSTACK;
  // CLEANSTACK is left out for the reason given at verifyScript; taproot spends need no stack rule.
  const flags = (STANDARD_TEST_FLAGS & ~cleanStack) | lib.Script.Interpreter.SCRIPT_VERIFY_TAPROOT;
  const ok = interpreter.verify(
    input.script,
    lib.Script.fromBuffer(Buffer.from(prevout.script)),
    tx,
    index,
    flags,
    input.getWitnesses() ?? [],
    Number(prevout.value),
  );
  return ok ? { ok: true } : { ok: false, error: interpreter.errstr };
}

function newChain(): SimulatedChain {
  return new SimulatedChain({ verifyScript });
}

/** A chain with one coin of each supported kind, and a Core-like funded PSBT spending them. */
function scenario(overrides: Partial<WalletFundOptions> = {}, kinds?: WalletCoin['kind'][]) {
  const chain = newChain();
  const coins = (kinds ?? ['p2wpkh', 'p2pkh', 'p2wpkh']).map((kind, i) =>
    fundCoin(chain, kind, 90_000n + BigInt(i) * 1_000n),
  );
  const psbt = walletFund({
    coins,
    requestPsbt: request.psbt,
    changeScript: CHANGE,
    changePosition: 0,
    feeRate: 3,
    lockTime: chain.height,
    ...overrides,
  });
  return { chain, coins, psbt };
}

/** Submits the result to the chain (bitcore judges every input), mines it, checks the deposit. */
async function expectOnChain(chain: SimulatedChain, result: FundedDeposit): Promise<void> {
  expect(chain.submit(result.rawTx)).toBe(result.txid);
  expect(chain.feeOf(result.txid)).toBe(result.fee);
  chain.mine();
  const output = await chain.getOutput(result.depositOutpoint);
  expect(output?.value).toBe(AMOUNT);
  expect(bytesToHex(output!.script)).toBe(bytesToHex(channel.depositOut));
  expect(chain.confirmations(result.txid)).toBe(1);
}

/** Requires `code`, and that neither the PSBT nor the chain changed. */
function expectRefused(
  chain: SimulatedChain,
  psbt: Uint8Array | string,
  code: Code,
  expected: FundedDepositExpectation = EXPECTED,
): TransactionError {
  const before = typeof psbt === 'string' ? psbt : Uint8Array.from(psbt);
  const state = { height: chain.height, mempool: chain.mempoolTxids(), utxos: chain.listUnspent() };
  let thrown: unknown;
  try {
    finalizeFundedDeposit(psbt, expected);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code}`).toBeInstanceOf(TransactionError);
  const error = thrown as TransactionError;
  expect(error.code, error.message).toBe(code);
  if (psbt instanceof Uint8Array) expect(equalBytes(psbt, before as Uint8Array)).toBe(true);
  expect({
    height: chain.height,
    mempool: chain.mempoolTxids(),
    utxos: chain.listUnspent(),
  }).toEqual(state);
  return error;
}

/** The transaction a permissive finalizer would extract, to show that the network refuses it. */
function extractUnchecked(psbt: Uint8Array): Uint8Array {
  const tx = Transaction.fromPSBT(psbt, { allowLegacyWitnessUtxo: true });
  tx.finalize();
  return tx.extract();
}

// ---------------------------------------------------------------------------------------------
// The funding request.
// ---------------------------------------------------------------------------------------------

describe('depositFundingRequest', () => {
  test('carries the deposit address, amount and a zero-input PSBT a wallet can read', () => {
    expect(request.address).toBe(p2shAddress(channel.depositScript, 'regtest'));
    expect(request.address.startsWith('2')).toBe(true);
    expect(request.amountBtc).toBe('0.00150000');
    expect(bytesToHex(request.outputScript)).toBe(bytesToHex(channel.depositOut));
    const tx = Transaction.fromPSBT(request.psbt);
    expect(tx.inputsLength).toBe(0);
    expect(tx.outputsLength).toBe(1);
    expect(tx.getOutput(0).amount).toBe(AMOUNT);
    expect(bytesToHex(tx.getOutput(0).script!)).toBe(bytesToHex(channel.depositOut));
    expect(bytesToHex(tx.getOutput(0).redeemScript!)).toBe(bytesToHex(channel.depositScript));
    expect(
      depositFundingRequest(channel.depositScript, 2_100_000_000_000_000n, 'mainnet').amountBtc,
    ).toBe('21000000.00000000');
  });

  test('refuses a bad deposit script or amount', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as TransactionError).code;
      }
      return 'none';
    };
    expect(code(() => depositFundingRequest(Uint8Array.of(0x51), AMOUNT, 'regtest'))).toBe(
      'TX_BAD_SCRIPT',
    );
    expect(code(() => depositFundingRequest(channel.commitScript, AMOUNT, 'regtest'))).toBe(
      'TX_BAD_SCRIPT',
    );
    expect(code(() => depositFundingRequest(channel.depositScript, 539n, 'regtest'))).toBe(
      'TX_AMOUNT_OUT_OF_RANGE',
    );
    expect(code(() => depositFundingRequest(channel.depositScript, -1n, 'regtest'))).toBe(
      'TX_INVALID_PARAMS',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// PSBTs as Bitcoin Core's wallet makes them.
// ---------------------------------------------------------------------------------------------

describe('finalizeFundedDeposit accepts Core-like funding', () => {
  test.each([
    ['change first, finalized', { changePosition: 0 }],
    ['change last, finalized', { changePosition: 1 }],
    [
      'change between the deposit and a payment',
      {
        changePosition: 1,
        payments: [{ script: p2pkhScript(pub(keyFromLabel('payee'))), amount: 5_000n }],
      },
    ],
    ['partial signatures only (finalize=false)', { changePosition: 0, finalize: false }],
    ['segwit inputs with witness_utxo only', { changePosition: 1, segwitFullTx: false }],
  ] as const)('%s', async (_name, overrides) => {
    const { chain, coins, psbt } = scenario(overrides, ['p2wpkh', 'p2pkh', 'p2sh-p2wpkh']);
    const result = finalizeFundedDeposit(psbt, EXPECTED);
    expect(result.depositOutpoint.vout).toBe(overrides.changePosition === 0 ? 1 : 0);
    expect(result.inputValue).toBe(coins.reduce((s, c) => s + c.value, 0n));
    expect(result.fee + result.change + AMOUNT).toBe(result.inputValue);
    expect(result.feeRate).toBeGreaterThanOrEqual(2.9);
    expect(result.feeRate).toBeLessThan(3.2);
    expect(decodeTransaction(result.rawTx).inputs).toHaveLength(3);
    await expectOnChain(chain, result);
  });

  test('batch: deposit between two payments and change, four inputs of mixed kinds', async () => {
    const chain = newChain();
    const kinds: CoinKind[] = ['p2pkh', 'p2wpkh', 'p2pkh', 'p2sh-p2wpkh'];
    const coins = kinds.map((kind) => fundCoin(chain, kind, 80_000n));
    const payA = { script: p2pkhScript(pub(keyFromLabel('payee a'))), amount: 20_000n };
    const payB = { script: p2wpkhScript(pub(keyFromLabel('payee b'))), amount: 30_000n };
    const psbt = walletFund({
      coins,
      requestPsbt: request.psbt,
      changeScript: CHANGE,
      changePosition: 2,
      payments: [payA, payB],
      feeRate: 7,
      lockTime: chain.height,
    });
    // Outputs: deposit, payA, change, payB.
    const result = finalizeDepositPsbt(psbt, EXPECTED);
    expect(result.depositOutpoint.vout).toBe(0);
    expect(result.otherOutputs.map((o) => [o.vout, o.value])).toEqual([
      [1, 20_000n],
      [2, result.change - 50_000n],
      [3, 30_000n],
    ]);
    await expectOnChain(chain, result);
  });

  test.each([
    ['SIGHASH_DEFAULT', undefined],
    ['SIGHASH_ALL', SigHash.ALL],
  ] as const)(
    'P2TR key-path inputs (%s) beside P2WPKH and P2PKH ones, checked by bitcore with TAPROOT',
    async (_name, sighash) => {
      const kinds: WalletCoin['kind'][] = ['p2tr', 'p2wpkh', 'p2pkh', 'p2tr'];
      const { chain, coins, psbt } = scenario(
        { changePosition: 2, sighash, payments: [{ script: CHANGE, amount: 1_000n }] },
        kinds,
      );
      const result = finalizeFundedDeposit(psbt, EXPECTED);
      expect(result.depositOutpoint.vout).toBe(0);
      const prevouts = coins.map((c) => ({ script: c.script, value: c.value }));
      coins.forEach((_, i) => {
        expect(verifyWithAllPrevouts(result.rawTx, prevouts, i)).toEqual({ ok: true });
      });
      await expectOnChain(chain, result);
    },
  );

  test('base64, as the RPC returns it', async () => {
    const { chain, psbt } = scenario({ changePosition: 0 });
    const result = finalizeFundedDeposit(base64.encode(psbt), EXPECTED);
    expect(result.depositOutpoint.vout).toBe(1);
    await expectOnChain(chain, result);
  });

  test('the fee bounds are configurable', async () => {
    const { chain, psbt } = scenario({ feeRate: 5 });
    expectRefused(chain, psbt, 'TX_FEE_TOO_HIGH', { ...EXPECTED, maxFeeRate: 4 });
    expectRefused(chain, psbt, 'TX_FEE_TOO_LOW', { ...EXPECTED, minFeeRate: 6 });
    await expectOnChain(chain, finalizeFundedDeposit(psbt, { ...EXPECTED, maxFeeRate: 6 }));
  });

  test('finalizeDepositPsbt without an expectation keeps the buildDepositPsbt layout', () => {
    const { psbt } = scenario({ changePosition: 0, finalize: false });
    // Core put change first: the legacy reading takes it for the deposit, which is why
    // externally funded PSBTs need the expectation.
    expect(finalizeDepositPsbt(psbt).depositOutpoint.vout).toBe(0);
    expect(finalizeDepositPsbt(psbt, EXPECTED).depositOutpoint.vout).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile PSBTs.
// ---------------------------------------------------------------------------------------------

describe('finalizeFundedDeposit refuses hostile PSBTs', () => {
  test('non_witness_utxo that does not hash to the input txid (the fee attack) → TX_PREVOUT_MISMATCH', () => {
    const { chain, psbt, coins } = scenario({ changePosition: 0 });
    // Input 1 is P2PKH: claim its coin is worth more, so the fee looks smaller than it is.
    const previous = decodeTransaction(coins[1]!.prevTx);
    const forged = encodeTransaction({
      ...previous,
      outputs: previous.outputs.map((o, i) =>
        i === coins[1]!.vout ? { ...o, value: o.value + 500_000n } : o,
      ),
    });
    expectRefused(chain, withInputField(psbt, 1, NON_WITNESS_UTXO, forged), 'TX_PREVOUT_MISMATCH');
    // Another coin's transaction, garbage, and a truncated one.
    expectRefused(
      chain,
      withInputField(psbt, 1, NON_WITNESS_UTXO, coins[0]!.prevTx),
      'TX_PREVOUT_MISMATCH',
    );
    expectRefused(
      chain,
      withInputField(psbt, 1, NON_WITNESS_UTXO, Uint8Array.of(1, 2, 3)),
      'TX_PREVOUT_MISMATCH',
    );
    expectRefused(
      chain,
      withInputField(psbt, 1, NON_WITNESS_UTXO, coins[1]!.prevTx.subarray(0, 40)),
      'TX_PREVOUT_MISMATCH',
    );
  });

  test('witness_utxo that disagrees with non_witness_utxo → TX_PREVOUT_MISMATCH', () => {
    const { chain, psbt, coins } = scenario();
    const lie = encodeWitnessUtxo(coins[0]!.value + 1n, coins[0]!.script);
    expectRefused(chain, withInputField(psbt, 0, WITNESS_UTXO, lie), 'TX_PREVOUT_MISMATCH');
    const otherScript = encodeWitnessUtxo(coins[0]!.value, CHANGE);
    expectRefused(chain, withInputField(psbt, 0, WITNESS_UTXO, otherScript), 'TX_PREVOUT_MISMATCH');
  });

  test.each([
    ['P2WPKH', 0, 1n],
    ['P2WPKH', 0, -1_000n],
    ['P2SH-P2WPKH', 2, 40_000n],
  ] as const)(
    'a lying %s witness_utxo amount (%#) → TX_BAD_SIGNATURE, as the network would',
    (_n, index, delta) => {
      const kinds: CoinKind[] = ['p2wpkh', 'p2pkh', 'p2sh-p2wpkh'];
      const { chain, psbt, coins } = scenario({ segwitFullTx: false }, kinds);
      // Untouched, the same PSBT is accepted by the chain.
      chain.check(finalizeFundedDeposit(psbt, EXPECTED).rawTx);
      const coin = coins[index]!;
      const forged = withInputField(
        psbt,
        index,
        WITNESS_UTXO,
        encodeWitnessUtxo(coin.value + delta, coin.script),
      );
      expectRefused(chain, forged, 'TX_BAD_SIGNATURE');
      // A permissive finalizer would extract it, and bitcore refuses it.
      expect(() => chain.check(extractUnchecked(forged))).toThrow();
    },
  );

  test('a P2PKH input with witness_utxo only (amount not signed) → TX_PREVOUT_MISSING', () => {
    const { chain, psbt, coins } = scenario();
    const withoutTx = withInputField(psbt, 1, NON_WITNESS_UTXO, null);
    const claimed = withInputField(
      withoutTx,
      1,
      WITNESS_UTXO,
      encodeWitnessUtxo(coins[1]!.value, coins[1]!.script),
    );
    expectRefused(chain, claimed, 'TX_PREVOUT_MISSING');
    expectRefused(chain, withoutTx, 'TX_PREVOUT_MISSING');
  });

  test('an input with no previous output at all → TX_PREVOUT_MISSING', () => {
    const { chain, psbt } = scenario({ segwitFullTx: false });
    expectRefused(chain, withInputField(psbt, 0, WITNESS_UTXO, null), 'TX_PREVOUT_MISSING');
  });

  test('two deposit outputs → TX_WRONG_OUTPUTS', () => {
    const chain = newChain();
    const coins = [fundCoin(chain, 'p2wpkh', 400_000n)];
    const twice = walletFund({
      coins,
      requestPsbt: request.psbt,
      changeScript: CHANGE,
      changePosition: 1,
      payments: [{ script: channel.depositOut, amount: AMOUNT }],
      feeRate: 3,
    });
    expectRefused(chain, twice, 'TX_WRONG_OUTPUTS');
    const another = walletFund({
      coins,
      requestPsbt: request.psbt,
      changeScript: CHANGE,
      changePosition: 0,
      payments: [{ script: channel.depositOut, amount: 1_000n }],
      feeRate: 3,
    });
    expectRefused(chain, another, 'TX_WRONG_OUTPUTS');
  });

  test('a deposit output of the wrong amount, or none → TX_WRONG_OUTPUTS', () => {
    const { chain, psbt } = scenario();
    expectRefused(chain, psbt, 'TX_WRONG_OUTPUTS', { ...EXPECTED, amount: AMOUNT + 1n });
    expectRefused(chain, psbt, 'TX_WRONG_OUTPUTS', { ...EXPECTED, amount: AMOUNT - 1n });
    const other = makeChannel({ label: 'another deposit' });
    expectRefused(chain, psbt, 'TX_WRONG_OUTPUTS', {
      ...EXPECTED,
      depositScript: other.depositScript,
    });
  });

  test('unsigned or partly signed inputs, or no inputs at all → TX_UNSIGNED', () => {
    const { chain, psbt } = scenario({ signOnly: [] });
    expectRefused(chain, psbt, 'TX_UNSIGNED');
    expectRefused(chain, request.psbt, 'TX_UNSIGNED');
    expectRefused(chain, scenario({ signOnly: [0, 2] }).psbt, 'TX_UNSIGNED');
    expectRefused(chain, scenario({ signOnly: [1], finalize: false }).psbt, 'TX_UNSIGNED');
    const signed = scenario().psbt;
    expectRefused(chain, withInputField(signed, 0, FINAL_SCRIPTWITNESS, null), 'TX_UNSIGNED');
    expectRefused(chain, withInputField(signed, 1, FINAL_SCRIPTSIG, null), 'TX_UNSIGNED');
  });

  test('a tampered signature → TX_BAD_SIGNATURE, a non-ALL sighash → TX_BAD_SIGNATURE_FORMAT', () => {
    const { chain, psbt } = scenario();
    const witness = inputField(psbt, 0, FINAL_SCRIPTWITNESS)!;
    const tampered = Uint8Array.from(witness);
    tampered[20]! ^= 0x01; // inside r
    const forged = withInputField(psbt, 0, FINAL_SCRIPTWITNESS, tampered);
    expectRefused(chain, forged, 'TX_BAD_SIGNATURE');
    expect(() => chain.check(extractUnchecked(forged))).toThrow();
    const anyoneCanPay = scenario({ sighash: SigHash.ALL_ANYONECANPAY }).psbt;
    expectRefused(chain, anyoneCanPay, 'TX_BAD_SIGNATURE_FORMAT');
  });

  test('outputs changed after signing → TX_BAD_SIGNATURE', () => {
    const { chain, psbt } = scenario({ changePosition: 0 });
    const maps = parseMaps(psbt);
    const tx = decodeTransaction(maps.global[0]![1]);
    const edited = encodeTransaction({
      ...tx,
      outputs: tx.outputs.map((o, i) => (i === 0 ? { ...o, value: o.value - 1_000n } : o)),
    });
    maps.global[0] = [maps.global[0]![0], edited];
    expectRefused(chain, serializeMaps(maps), 'TX_BAD_SIGNATURE');
  });

  test('a P2WSH input, whose signature is not checked here → TX_UNSUPPORTED_INPUT', () => {
    const { chain, psbt } = scenario({}, ['p2wpkh', 'p2wsh']);
    expectRefused(chain, psbt, 'TX_UNSUPPORTED_INPUT');
  });

  test('a lying witness_utxo next to a taproot input breaks the taproot signature too', () => {
    const { chain, psbt, coins } = scenario({ segwitFullTx: false }, ['p2tr', 'p2wpkh']);
    // A lie about the P2WPKH input (1) is caught at the taproot input (0), checked first: its
    // signature hash commits to every spent amount.
    const forged = withInputField(
      psbt,
      1,
      WITNESS_UTXO,
      encodeWitnessUtxo(coins[1]!.value + 5_000n, coins[1]!.script),
    );
    expect(expectRefused(chain, forged, 'TX_BAD_SIGNATURE').message).toContain('input 0');
    const lieAboutItself = withInputField(
      psbt,
      0,
      WITNESS_UTXO,
      encodeWitnessUtxo(coins[0]!.value + 5_000n, coins[0]!.script),
    );
    expectRefused(chain, lieAboutItself, 'TX_BAD_SIGNATURE');
    const tampered = Uint8Array.from(inputField(psbt, 0, FINAL_SCRIPTWITNESS)!);
    tampered[10]! ^= 0x80;
    expectRefused(
      chain,
      withInputField(psbt, 0, FINAL_SCRIPTWITNESS, tampered),
      'TX_BAD_SIGNATURE',
    );
    const anyoneCanPay = scenario({ sighash: SigHash.ALL_ANYONECANPAY }, ['p2tr', 'p2tr']).psbt;
    expectRefused(chain, anyoneCanPay, 'TX_BAD_SIGNATURE_FORMAT');
  });

  test('fees outside the range, or outputs above inputs', () => {
    const chain = newChain();
    const coins = [fundCoin(chain, 'p2wpkh', 1_000_000n), fundCoin(chain, 'p2pkh', 50_000n)];
    const fund = (overrides: Partial<WalletFundOptions>) =>
      walletFund({
        coins,
        requestPsbt: request.psbt,
        changeScript: CHANGE,
        changePosition: 0,
        feeRate: 3,
        ...overrides,
      });
    const cheap = fund({ feeRate: 0.5 });
    expectRefused(chain, cheap, 'TX_FEE_TOO_LOW');
    expect(() =>
      chain.check(finalizeFundedDeposit(cheap, { ...EXPECTED, minFeeRate: 0 }).rawTx),
    ).toThrow();
    expectRefused(chain, fund({ feeRate: 1_200 }), 'TX_FEE_TOO_HIGH');
    expectRefused(chain, fund({ changeOverride: 1_000n }), 'TX_FEE_TOO_HIGH');
    // Partial signatures only: a finalizer computing the fee would already refuse to extract.
    expectRefused(
      chain,
      fund({ changeOverride: 950_000n, finalize: false }),
      'TX_INSUFFICIENT_FUNDS',
    );
  });

  test('truncated PSBTs: every prefix → TX_PSBT_MALFORMED', () => {
    const { chain, psbt } = scenario();
    for (let length = 0; length < psbt.length; length++) {
      expectRefused(chain, psbt.subarray(0, length), 'TX_PSBT_MALFORMED');
    }
  });

  test('garbage and malformed framing → TX_PSBT_MALFORMED', () => {
    const { chain, psbt } = scenario();
    const maps = parseMaps(psbt);
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      hexToBytes('70736274ff00'),
      hexToBytes('70736274fe'),
      concatBytes(hexToBytes('00'), psbt.subarray(1)),
      concatBytes(psbt, Uint8Array.of(0)),
      serializeMaps({
        ...maps,
        global: [...maps.global, [Uint8Array.of(0xfb), hexToBytes('02000000')]],
      }),
      serializeMaps({
        ...maps,
        inputs: [[...maps.inputs[0]!, maps.inputs[0]![0]!], ...maps.inputs.slice(1)],
      }),
      // A compact size written in three bytes where one suffices.
      concatBytes(psbt.subarray(0, 5), hexToBytes('fd0100'), psbt.subarray(6)),
      Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff),
    ];
    const unsigned = decodeTransaction(maps.global[0]![1]);
    const withScriptSig = encodeTransaction({
      ...unsigned,
      inputs: unsigned.inputs.map((i) => ({ ...i, scriptSig: Uint8Array.of(0x51) })),
    });
    cases.push(serializeMaps({ ...maps, global: [[maps.global[0]![0], withScriptSig]] }));
    cases.push(serializeMaps({ ...maps, global: [] }));
    for (const bytes of cases) expectRefused(chain, bytes, 'TX_PSBT_MALFORMED');
    expectRefused(chain, 'not base64!', 'TX_PSBT_MALFORMED');
    expectRefused(chain, 42 as unknown as Uint8Array, 'TX_PSBT_MALFORMED');
  });

  test('oversized PSBTs → TX_OVERSIZED before parsing', () => {
    const { chain, psbt } = scenario();
    expectRefused(chain, psbt, 'TX_OVERSIZED', { ...EXPECTED, maxPsbtBytes: psbt.length - 1 });
    expect(finalizeFundedDeposit(psbt, { ...EXPECTED, maxPsbtBytes: psbt.length }).txid).toMatch(
      /^[0-9a-f]{64}$/,
    );
    const huge = new Uint8Array(DEFAULT_MAX_FUNDING_PSBT_BYTES + 1);
    huge.set(psbt);
    expectRefused(chain, huge, 'TX_OVERSIZED');
    expectRefused(chain, 'A'.repeat(DEFAULT_MAX_FUNDING_PSBT_BYTES * 2), 'TX_OVERSIZED');
  });

  test('bad expectations → TX_BAD_SCRIPT, TX_INVALID_PARAMS, TX_AMOUNT_OUT_OF_RANGE', () => {
    const { chain, psbt } = scenario();
    expectRefused(chain, psbt, 'TX_BAD_SCRIPT', {
      ...EXPECTED,
      depositScript: Uint8Array.of(0x51),
    });
    expectRefused(chain, psbt, 'TX_INVALID_PARAMS', { ...EXPECTED, minFeeRate: 5, maxFeeRate: 4 });
    expectRefused(chain, psbt, 'TX_INVALID_PARAMS', { ...EXPECTED, maxFeeRate: Number.NaN });
    expectRefused(chain, psbt, 'TX_INVALID_PARAMS', { ...EXPECTED, maxPsbtBytes: 0 });
    expectRefused(chain, psbt, 'TX_AMOUNT_OUT_OF_RANGE', { ...EXPECTED, amount: 100n });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------------------------

describe('properties', () => {
  const coinArb = fc.record({
    kind: fc.constantFrom<WalletCoin['kind']>('p2wpkh', 'p2pkh', 'p2sh-p2wpkh', 'p2tr'),
    // The smallest coin alone pays the deposit, three payments and the highest fee.
    value: fc.bigInt({ min: 300_000n, max: 2_000_000n }),
  });
  const fundingArb = fc.record({
    coins: fc.array(coinArb, { minLength: 1, maxLength: 4 }),
    payments: fc.array(
      fc.record({
        kind: fc.constantFrom<CoinKind>('p2wpkh', 'p2pkh', 'p2sh-p2wpkh'),
        amount: fc.bigInt({ min: 1_000n, max: 20_000n }),
      }),
      { maxLength: 3 },
    ),
    changeSlot: fc.nat(),
    feeRate: fc.double({ min: 1.2, max: 40, noNaN: true }),
    finalize: fc.boolean(),
    segwitFullTx: fc.boolean(),
  });

  test('any output order and input mix: the deposit is found and the chain accepts it', async () => {
    await fc.assert(
      fc.asyncProperty(fundingArb, async (f) => {
        const chain = newChain();
        const coins = f.coins.map((c) => fundCoin(chain, c.kind, c.value));
        const payments = f.payments.map((p, i) => ({
          script: coinScript(p.kind, keyFromLabel(`property payee ${i}`)),
          amount: p.amount,
        }));
        const changePosition = f.changeSlot % (payments.length + 2);
        const psbt = walletFund({
          coins,
          requestPsbt: request.psbt,
          changeScript: CHANGE,
          changePosition,
          payments,
          feeRate: f.feeRate,
          finalize: f.finalize,
          segwitFullTx: f.segwitFullTx,
          lockTime: chain.height,
        });
        const total = coins.reduce((s, c) => s + c.value, 0n);
        const paid = AMOUNT + payments.reduce((s, p) => s + p.amount, 0n);
        const result = finalizeFundedDeposit(psbt, EXPECTED);
        const depositVout = changePosition === 0 ? 1 : 0;
        expect(result.depositOutpoint.vout).toBe(depositVout);
        expect(result.otherOutputs).toHaveLength(payments.length + 1);
        expect(result.inputValue).toBe(total);
        expect(result.fee).toBe(total - paid - (result.change - (paid - AMOUNT)));
        expect(result.feeRate).toBeGreaterThanOrEqual(f.feeRate * 0.95);
        expect(result.feeRate).toBeLessThanOrEqual(f.feeRate * 1.1);
        // The chain's verifier sees one prevout; taproot inputs need them all.
        const prevouts = coins.map((c) => ({ script: c.script, value: c.value }));
        coins.forEach((_, i) => {
          expect(verifyWithAllPrevouts(result.rawTx, prevouts, i)).toEqual({ ok: true });
        });
        await expectOnChain(chain, result);
      }),
      propertyConfig('deposit psbt: Core-like funding', 15),
    );
  });

  test('any single-byte edit or cut of a funded PSBT: a typed refusal or a transaction the chain accepts', () => {
    const { chain, psbt } = scenario({ changePosition: 1 });
    fc.assert(
      fc.property(
        fc.nat({ max: psbt.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (at, xor, cut) => {
          const edited = cut ? psbt.subarray(0, at) : Uint8Array.from(psbt);
          if (!cut) edited[at]! ^= xor;
          let result: FundedDeposit;
          try {
            result = finalizeFundedDeposit(edited, EXPECTED);
          } catch (error) {
            expect(error).toBeInstanceOf(TransactionError);
            return;
          }
          // Some bytes (unknown-key payloads, the unsigned tx's own copy of a field) do not
          // matter; whatever is accepted must still be a deposit the chain takes.
          expect(result.depositOutpoint.vout).toBe(0);
          chain.check(result.rawTx);
        },
      ),
      propertyConfig('deposit psbt: byte edits', 150),
    );
  });
});
