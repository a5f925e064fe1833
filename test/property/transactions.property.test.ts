import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Transaction } from '@scure/btc-signer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from '../../src/bytes.js';
import {
  buildCommitScript,
  buildDepositScript,
  hash160,
  p2shOutputScript,
} from '../../src/scripts/index.js';
import {
  FINAL_SEQUENCE,
  type FundingCoin,
  type SpendTransaction,
  TransactionError,
  type TxData,
  buildChangeTransaction,
  buildDepositPsbt,
  buildDepositTransaction,
  buildExpireTransaction,
  buildPayoutTransaction,
  buildRevokeTransaction,
  commitCapacity,
  completeCommit,
  createCommit,
  decodeTransaction,
  dustThreshold,
  encodeTransaction,
  feeFor,
  finalizeDepositPsbt,
  rawTransactionId,
  signUnsignedTransaction,
  transactionId,
  verifyPayerCommit,
  virtualSizeOf,
  withScriptSig,
} from '../../src/transactions/index.js';
import { propertyConfig } from '../support/property-config.js';
import {
  TX_ERROR_CODES,
  bitcore,
  makeChannel,
  outputTotal,
  p2pkhScript,
  p2wpkhScript,
} from '../transactions/helpers.js';

// ---------------------------------------------------------------------------------------------
// Arbitraries. Keys come from fast-check bytes (never a CSPRNG) so that a seed replays a failure.
// ---------------------------------------------------------------------------------------------

const privateKey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((k) => secp256k1.utils.isValidSecretKey(k));
const pubOf = (k: Uint8Array) => secp256k1.getPublicKey(k, true);

const secret32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const txidHex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex);

/** Relative times 0..65535, small ones and encoding boundaries drawn often. */
const relativeTime = fc.oneof(
  fc.constantFrom(0, 1, 2, 16, 17, 127, 128, 255, 256, 32767, 32768, 65535),
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 0, max: 65535 }),
);

/** Fee rates 0..50 sat/vB: whole, fractional and arbitrary doubles. */
const feeRate = fc.oneof(
  fc.constantFrom(0, 1, 1.5, 2, 10, 50),
  fc.integer({ min: 0, max: 50 }),
  fc.double({ min: 0, max: 50, noNaN: true, noDefaultInfinity: true }),
);

/** Where a recovery spend sends the money: every standard output type. */
const destination = fc.oneof(
  privateKey.map((k) => p2wpkhScript(pubOf(k))),
  privateKey.map((k) => p2pkhScript(pubOf(k))),
  fc
    .uint8Array({ minLength: 20, maxLength: 20 })
    .map((h) => concatBytes(Uint8Array.of(0xa9, 0x14), h, Uint8Array.of(0x87))),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((h) => concatBytes(Uint8Array.of(0, 32), h)),
  fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((h) => concatBytes(Uint8Array.of(0x51, 32), h)),
);

/** Where in the capacity range the commit amount falls. */
const amountPick = fc.oneof(
  { arbitrary: fc.constantFrom<'min' | 'max'>('min', 'max'), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 1_000_000_000 }), weight: 4 },
);

const channelCase = fc.record({
  payerKey: privateKey,
  payeeKey: privateKey,
  spendSecret: secret32,
  revokeSecret: secret32,
  otherRevokeHash: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  expireTime: relativeTime,
  delayTime: relativeTime,
  depositValue: fc.oneof(
    fc.bigInt({ min: 20_000n, max: 200_000n }),
    fc.bigInt({ min: 200_000n, max: 2_100_000_000_000_000n }),
  ),
  fundingTxid: txidHex,
  fundingVout: fc.integer({ min: 0, max: 20 }),
  amountPick,
  feeRate,
  payoutTo: destination,
  revokeTo: destination,
  changeTo: destination,
  expireTo: destination,
});

// ---------------------------------------------------------------------------------------------
// Checks shared by every built transaction.
// ---------------------------------------------------------------------------------------------

function expectBitcoreValid(raw: Uint8Array, script: Uint8Array, value: bigint, inputIndex = 0) {
  expect(bitcore(raw, script, value, inputIndex)).toEqual({ ok: true });
}

/** Fee paid per virtual byte of the transaction as it will be broadcast. */
function expectFeeRateAtLeast(fee: bigint, tx: TxData, rate: number): void {
  const actual = Number(fee) / virtualSizeOf(tx);
  expect(actual, `fee ${fee} for ${virtualSizeOf(tx)} vB below ${rate}`).toBeGreaterThanOrEqual(
    rate,
  );
}

/**
 * Virtual size of a one-signature spend with its signature replaced by a maximal (73-byte) one:
 * the size the builders price.
 */
function sizingVsize(tx: TxData): number {
  const scriptSig = tx.inputs[0]!.scriptSig;
  const sigLength = scriptSig[0]!;
  const maximal = concatBytes(
    Uint8Array.of(73),
    new Uint8Array(73),
    scriptSig.subarray(1 + sigLength),
  );
  return virtualSizeOf(withScriptSig(tx, 0, maximal));
}

type SpendKind = 'payout' | 'revoke' | 'change' | 'expire';

/** How many spends of each kind were built and validated (not refused for want of funds). */
const validated: Record<SpendKind, number> = { payout: 0, revoke: 0, change: 0, expire: 0 };

/**
 * A recovery spend: either built and fully valid, or refused with TX_INSUFFICIENT_FUNDS exactly
 * when the value cannot pay the fee (sized with a 73-byte signature) and a non-dust output.
 */
function checkSpend(
  kind: SpendKind,
  build: (rate: number, value: bigint) => SpendTransaction,
  spent: { txid: string; vout: number; script: Uint8Array; value: bigint },
  rate: number,
  destinationScript: Uint8Array,
  sequence: number,
): void {
  let built: SpendTransaction;
  try {
    built = build(rate, spent.value);
  } catch (error) {
    expect(error).toBeInstanceOf(TransactionError);
    expect((error as TransactionError).code).toBe('TX_INSUFFICIENT_FUNDS');
    const free = decodeTransaction(build(0, 2_100_000_000_000_000n).rawTx);
    expect(spent.value - feeFor(sizingVsize(free), rate)).toBeLessThan(
      dustThreshold(destinationScript),
    );
    return;
  }
  const tx = decodeTransaction(built.rawTx);
  expect(built.txid).toBe(transactionId(tx));
  expect(tx.version).toBe(2);
  expect(tx.lockTime).toBe(0);
  expect(tx.inputs).toHaveLength(1);
  expect(bytesToHex(tx.inputs[0]!.txid)).toBe(spent.txid);
  expect(tx.inputs[0]!.index).toBe(spent.vout);
  expect(tx.inputs[0]!.sequence).toBe(sequence);
  expect(tx.outputs).toHaveLength(1);
  expect(equalBytes(tx.outputs[0]!.script, destinationScript)).toBe(true);
  expect(tx.outputs[0]!.value).toBe(built.outputValue);
  // Conservation: what is spent is the output plus the fee.
  expect(built.outputValue + built.fee).toBe(spent.value);
  expect(built.outputValue).toBeGreaterThanOrEqual(dustThreshold(destinationScript));
  // The fee is exactly the rate applied to the size with a maximal signature.
  expect(built.fee).toBe(feeFor(sizingVsize(tx), rate));
  expectFeeRateAtLeast(built.fee, tx, rate);
  expectBitcoreValid(built.rawTx, spent.script, spent.value);
  validated[kind] += 1;
}

// ---------------------------------------------------------------------------------------------
// 1. Everything the builders produce is valid for an independent interpreter.
// ---------------------------------------------------------------------------------------------

describe('channel transactions are valid for bitcore', () => {
  it('commit → payout / revoke / change / expire, random keys, secrets, times, values and fee rates', () => {
    const config = propertyConfig('transactions: channel transactions valid for bitcore', 80);
    fc.assert(
      fc.property(channelCase, (c) => {
        fc.pre(!equalBytes(c.payerKey, c.payeeKey));
        const payerPubkey = pubOf(c.payerKey);
        const payeePubkey = pubOf(c.payeeKey);
        const spendSecretHash = hash160(c.spendSecret);
        const depositScript = buildDepositScript({
          payerPubkey,
          payeePubkey,
          spendSecretHash,
          expireTime: c.expireTime,
        });
        const commitScript = buildCommitScript({
          payerPubkey,
          payeePubkey,
          spendSecretHash,
          revokeSecretHash: hash160(c.revokeSecret),
          delayTime: c.delayTime,
        });
        const depositOut = p2shOutputScript(depositScript);
        const commitOut = p2shOutputScript(commitScript);
        const deposit = {
          outpoint: { txid: c.fundingTxid, vout: c.fundingVout },
          value: c.depositValue,
        };

        const capacity = commitCapacity(deposit, depositScript, commitScript, c.feeRate);
        expect(capacity.minAmount).toBe(540n);
        fc.pre(capacity.maxAmount >= capacity.minAmount);
        const span = capacity.maxAmount - capacity.minAmount;
        const amount =
          c.amountPick === 'min'
            ? capacity.minAmount
            : c.amountPick === 'max'
              ? capacity.maxAmount
              : capacity.minAmount + (BigInt(c.amountPick) * span) / 1_000_000_000n;

        // Commit: payer signs, payee verifies and completes.
        const commit = createCommit({
          deposit,
          depositScript,
          commitScript,
          amount,
          feeRate: c.feeRate,
          payerPrivateKey: c.payerKey,
        });
        expect(commit.amount).toBe(amount);
        expect(commit.amount + commit.remainder + commit.fee).toBe(c.depositValue);
        const half = decodeTransaction(commit.rawTx);
        expect(half.outputs[0]).toEqual({ value: amount, script: commitOut });
        if (commit.remainder > 0n) {
          expect(commit.remainder).toBeGreaterThanOrEqual(dustThreshold(depositOut));
          expect(half.outputs).toEqual([
            { value: amount, script: commitOut },
            { value: commit.remainder, script: depositOut },
          ]);
        } else {
          expect(half.outputs).toHaveLength(1);
        }
        expect(half.inputs[0]!.sequence).toBe(FINAL_SEQUENCE);

        const verified = verifyPayerCommit(commit.rawTx, commitScript, amount, {
          deposit,
          depositScript,
          delayTime: c.delayTime,
          issuedRevokeHashes: [c.otherRevokeHash, hash160(c.revokeSecret)],
          minFeeRate: c.feeRate,
        });
        expect(verified.amount).toBe(amount);
        expect(verified.remainder).toBe(commit.remainder);
        expect(verified.fee).toBe(commit.fee);
        expect(equalBytes(verified.revokeSecretHash, hash160(c.revokeSecret))).toBe(true);
        expect(verified.feeRate).toBeGreaterThanOrEqual(c.feeRate);

        const completed = completeCommit(commit.rawTx, depositScript, c.payeeKey);
        const full = decodeTransaction(completed);
        expect(full.outputs).toEqual(half.outputs);
        expect(outputTotal(full) + commit.fee).toBe(c.depositValue);
        expectFeeRateAtLeast(commit.fee, full, c.feeRate);
        expectBitcoreValid(completed, depositOut, c.depositValue);
        const commitTxid = rawTransactionId(completed);

        // Payout and revoke spend the commit output.
        const commitSpent = { txid: commitTxid, vout: 0, script: commitOut, value: amount };
        checkSpend(
          'payout',
          (rate, value) =>
            buildPayoutTransaction({
              outpoint: { txid: commitTxid, vout: 0 },
              value,
              destinationScript: c.payoutTo,
              feeRate: rate,
              privateKey: c.payeeKey,
              commitScript,
              spendSecret: c.spendSecret,
            }),
          commitSpent,
          c.feeRate,
          c.payoutTo,
          c.delayTime,
        );
        checkSpend(
          'revoke',
          (rate, value) =>
            buildRevokeTransaction({
              outpoint: { txid: commitTxid, vout: 0 },
              value,
              destinationScript: c.revokeTo,
              feeRate: rate,
              privateKey: c.payerKey,
              commitScript,
              revokeSecret: c.revokeSecret,
            }),
          commitSpent,
          c.feeRate,
          c.revokeTo,
          FINAL_SEQUENCE,
        );

        // Change and expire spend the remainder, or the deposit itself when there is none.
        const depositSpent =
          commit.remainder > 0n
            ? { txid: commitTxid, vout: 1, script: depositOut, value: commit.remainder }
            : { ...deposit.outpoint, script: depositOut, value: c.depositValue };
        const depositOutpoint = { txid: depositSpent.txid, vout: depositSpent.vout };
        checkSpend(
          'change',
          (rate, value) =>
            buildChangeTransaction({
              outpoint: depositOutpoint,
              value,
              destinationScript: c.changeTo,
              feeRate: rate,
              privateKey: c.payerKey,
              depositScript,
              spendSecret: c.spendSecret,
            }),
          depositSpent,
          c.feeRate,
          c.changeTo,
          FINAL_SEQUENCE,
        );
        checkSpend(
          'expire',
          (rate, value) =>
            buildExpireTransaction({
              outpoint: depositOutpoint,
              value,
              destinationScript: c.expireTo,
              feeRate: rate,
              privateKey: c.payerKey,
              depositScript,
            }),
          depositSpent,
          c.feeRate,
          c.expireTo,
          c.expireTime,
        );
      }),
      config,
    );
    // The generators must mostly produce spendable channels, or the property checks little.
    process.stdout.write(`[property] validated spends: ${JSON.stringify(validated)}\n`);
    const runs = config.numRuns ?? 0;
    for (const count of Object.values(validated)) expect(count).toBeGreaterThan(runs / 4);
  });
});

// ---------------------------------------------------------------------------------------------
// Deposits from the payer's wallet coins, signed directly and through a PSBT.
// ---------------------------------------------------------------------------------------------

interface CoinCase {
  readonly kind: 'p2wpkh' | 'p2pkh';
  readonly value: bigint;
  readonly txid: string;
  readonly vout: number;
  readonly withPreviousTx: boolean;
}

const coinCase: fc.Arbitrary<CoinCase> = fc.record({
  kind: fc.constantFrom<'p2wpkh' | 'p2pkh'>('p2wpkh', 'p2pkh'),
  value: fc.oneof(
    fc.bigInt({ min: 1_000n, max: 100_000n }),
    fc.bigInt({ min: 1n, max: 10n ** 9n }),
  ),
  txid: txidHex,
  vout: fc.integer({ min: 0, max: 3 }),
  withPreviousTx: fc.boolean(),
});

const depositCase = fc.record({
  payerKey: privateKey,
  coins: fc.array(coinCase, { minLength: 1, maxLength: 4 }),
  amountShare: fc.double({ min: 0, max: 1, noNaN: true }),
  feeRate,
  changeKind: fc.constantFrom<'p2wpkh' | 'p2pkh'>('p2wpkh', 'p2pkh'),
});

/**
 * A coin of `script`; with `withPreviousTx` a previous transaction carrying it is made up, and the
 * coin's outpoint is that transaction's id.
 */
function makeCoin(c: CoinCase, script: Uint8Array, salt: number): FundingCoin {
  if (!c.withPreviousTx || c.kind !== 'p2pkh') {
    return { outpoint: { txid: c.txid, vout: c.vout }, value: c.value, script };
  }
  const previous: TxData = {
    version: 2,
    inputs: [
      {
        txid: hexToBytes(c.txid),
        index: salt,
        scriptSig: Uint8Array.of(0x51),
        sequence: FINAL_SEQUENCE,
      },
    ],
    outputs: Array.from({ length: c.vout + 1 }, (_, i) => ({
      value: i === c.vout ? c.value : 1000n,
      script: i === c.vout ? script : Uint8Array.of(0x51),
    })),
    lockTime: 0,
  };
  return {
    outpoint: { txid: transactionId(previous), vout: c.vout },
    value: c.value,
    script,
    previousTx: encodeTransaction(previous),
  };
}

describe('deposit transactions are valid for bitcore', () => {
  it('from P2WPKH and P2PKH coins, signed by the builder and through a PSBT', () => {
    const channel = makeChannel({ label: 'deposit property' });
    fc.assert(
      fc.property(depositCase, (d) => {
        const payerPub = pubOf(d.payerKey);
        const coins = d.coins.map((c, i) =>
          makeCoin(c, c.kind === 'p2wpkh' ? p2wpkhScript(payerPub) : p2pkhScript(payerPub), i),
        );
        const keys = new Set(coins.map((c) => `${c.outpoint.txid}:${c.outpoint.vout}`));
        fc.pre(keys.size === coins.length);
        const total = coins.reduce((s, c) => s + c.value, 0n);
        const amount = 540n + (BigInt(Math.floor(d.amountShare * 1e6)) * total) / 1_000_000n;
        const changeScript =
          d.changeKind === 'p2wpkh' ? p2wpkhScript(payerPub) : p2pkhScript(payerPub);
        const params = {
          coins,
          depositScript: channel.depositScript,
          amount,
          changeScript,
          feeRate: d.feeRate,
        };
        let built: ReturnType<typeof buildDepositTransaction>;
        try {
          built = buildDepositTransaction({ ...params, privateKey: d.payerKey });
        } catch (error) {
          expect(error).toBeInstanceOf(TransactionError);
          expect((error as TransactionError).code).toBe('TX_INSUFFICIENT_FUNDS');
          // Every coin spent at its largest input size still leaves less than amount + fee.
          const sizing =
            11 + 32 + coins.reduce((s, c) => s + (c.script.length === 22 ? 69 : 149), 0);
          expect(total - amount).toBeLessThan(feeFor(sizing, d.feeRate));
          return;
        }
        const tx = decodeTransaction(built.rawTx);
        expect(built.txid).toBe(transactionId(tx));
        expect(built.depositOutpoint).toEqual({ txid: built.txid, vout: 0 });
        expect(tx.version).toBe(2);
        expect(tx.outputs[0]).toEqual({ value: amount, script: channel.depositOut });
        if (built.change > 0n) {
          expect(tx.outputs).toEqual([
            { value: amount, script: channel.depositOut },
            { value: built.change, script: changeScript },
          ]);
          expect(built.change).toBeGreaterThanOrEqual(dustThreshold(changeScript));
        } else {
          expect(tx.outputs).toHaveLength(1);
        }
        // Each input is one of the coins, valid against that coin's script and value.
        let spentTotal = 0n;
        tx.inputs.forEach((input, i) => {
          const coin = coins.find(
            (c) => c.outpoint.txid === bytesToHex(input.txid) && c.outpoint.vout === input.index,
          );
          expect(coin, `input ${i} is not a coin`).toBeDefined();
          spentTotal += coin!.value;
          expectBitcoreValid(built.rawTx, coin!.script, coin!.value, i);
        });
        expect(new Set(tx.inputs.map((x) => `${bytesToHex(x.txid)}:${x.index}`)).size).toBe(
          tx.inputs.length,
        );
        expect(spentTotal).toBe(outputTotal(tx) + built.fee);
        expectFeeRateAtLeast(built.fee, tx, d.feeRate);

        // The same deposit through a PSBT and an external signer.
        const psbt = Transaction.fromPSBT(buildDepositPsbt(params), {
          allowLegacyWitnessUtxo: true,
        });
        expect(psbt.sign(d.payerKey)).toBe(tx.inputs.length);
        const finalized = finalizeDepositPsbt(psbt.toPSBT());
        expect(finalized.fee).toBe(built.fee);
        expect(finalized.change).toBe(built.change);
        expect(finalized.txid).toBe(built.txid);
        const viaPsbt = decodeTransaction(finalized.rawTx);
        expect(viaPsbt.outputs).toEqual(tx.outputs);
        viaPsbt.inputs.forEach((input, i) => {
          const coin = coins.find(
            (c) => c.outpoint.txid === bytesToHex(input.txid) && c.outpoint.vout === input.index,
          )!;
          expectBitcoreValid(finalized.rawTx, coin.script, coin.value, i);
        });
      }),
      propertyConfig('transactions: deposits valid for bitcore', 50),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Hostile bytes never escape as anything but TransactionError.
// ---------------------------------------------------------------------------------------------

describe('hostile bytes are refused with TransactionError only', () => {
  const channel = makeChannel({ label: 'hostile bytes' });
  const commit = createCommit({
    deposit: channel.deposit,
    depositScript: channel.depositScript,
    commitScript: channel.commitScript,
    amount: 30_000n,
    feeRate: 2,
    payerPrivateKey: channel.payerKey,
  });
  const unsignedPayout = encodeTransaction({
    version: 2,
    inputs: [
      {
        txid: new Uint8Array(32).fill(9),
        index: 0,
        scriptSig: new Uint8Array(0),
        sequence: channel.delayTime,
      },
    ],
    outputs: [{ value: 20_000n, script: channel.depositOut }],
    lockTime: 0,
  });

  /** Random bytes, truncations, trailing bytes and byte edits of real transactions. */
  const hostile = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 400 }),
    fc
      .tuple(fc.constantFrom(commit.rawTx, unsignedPayout), fc.nat())
      .map(([raw, n]) => raw.subarray(0, n % raw.length)),
    fc
      .tuple(
        fc.constantFrom(commit.rawTx, unsignedPayout),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
      )
      .map(([raw, extra]) => concatBytes(raw, extra)),
    fc
      .tuple(
        fc.constantFrom(commit.rawTx, unsignedPayout),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
      )
      .map(([raw, at, x]) => {
        const copy = raw.slice();
        copy[at % copy.length]! ^= x;
        return copy;
      }),
  );

  function onlyTransactionErrors(fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(TransactionError);
      expect(TX_ERROR_CODES.has((error as TransactionError).code)).toBe(true);
    }
  }

  it('decodeTransaction, verifyPayerCommit, completeCommit, signUnsignedTransaction', () => {
    fc.assert(
      fc.property(hostile, (raw) => {
        const before = raw.slice();
        onlyTransactionErrors(() => decodeTransaction(raw));
        onlyTransactionErrors(() =>
          verifyPayerCommit(raw, channel.commitScript, 30_000n, {
            deposit: channel.deposit,
            depositScript: channel.depositScript,
            delayTime: channel.delayTime,
            issuedRevokeHashes: [hash160(channel.revokeSecret)],
            minFeeRate: 1,
          }),
        );
        onlyTransactionErrors(() => completeCommit(raw, channel.depositScript, channel.payeeKey));
        onlyTransactionErrors(() =>
          signUnsignedTransaction(
            raw,
            {
              kind: 'payout',
              commitScript: channel.commitScript,
              spendSecret: channel.spendSecret,
            },
            channel.payeeKey,
          ),
        );
        onlyTransactionErrors(() =>
          signUnsignedTransaction(
            raw,
            { kind: 'commit', depositScript: channel.depositScript },
            channel.payerKey,
          ),
        );
        expect(equalBytes(raw, before)).toBe(true);
      }),
      propertyConfig('transactions: hostile bytes', 300),
    );
  });

  it('truncating a commit at every length is TX_MALFORMED', () => {
    for (let n = 0; n < commit.rawTx.length; n++) {
      let code: string | undefined;
      try {
        decodeTransaction(commit.rawTx.subarray(0, n));
      } catch (error) {
        code = error instanceof TransactionError ? error.code : 'other';
      }
      expect(code, `length ${n}`).toBe('TX_MALFORMED');
    }
  });
});
