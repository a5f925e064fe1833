import { describe, expect, test } from 'vitest';
import { concatBytes, hexToBytes } from '../../src/bytes.js';
import { hash160 } from '../../src/scripts/index.js';
import {
  type DepositParams,
  type FundingCoin,
  type SpendParams,
  type SpendTransaction,
  type TransactionErrorCode,
  type UnsignedSpend,
  buildChangeTransaction,
  buildDepositPsbt,
  buildDepositTransaction,
  buildExpireTransaction,
  buildPayoutTransaction,
  buildRevokeTransaction,
  createCommit,
  decodeTransaction,
  dustThreshold,
  encodeTransaction,
  finalizeDepositPsbt,
  signUnsignedTransaction,
} from '../../src/transactions/index.js';
import {
  bitcore,
  expectTxError,
  keyFromLabel,
  makeChannel,
  p2pkhScript,
  p2wpkhScript,
  pub,
  secretFromLabel,
  txidFromLabel,
} from './helpers.js';

const ch = makeChannel({ label: 'params', delayTime: 3, expireTime: 30, value: 100_000n });
const stranger = keyFromLabel('params stranger');
const DEST = p2wpkhScript(pub(keyFromLabel('params destination')));
const MAX_MONEY = 2_100_000_000_000_000n;
const BAD_FEE_RATES: readonly [string, number][] = [
  ['NaN', Number.NaN],
  ['negative', -1],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['above 1,000,000', 1_000_001],
];
/** Scripts that are not the expected redeem script. */
const GARBAGE_SCRIPTS: readonly [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['OP_TRUE', Uint8Array.of(0x51)],
  ['truncated push', Uint8Array.of(0x4c, 0xff, 0x00)],
  ['601 bytes', new Uint8Array(601).fill(0x51)],
];

const commitParams = {
  deposit: ch.deposit,
  depositScript: ch.depositScript,
  commitScript: ch.commitScript,
  amount: 30_000n,
  feeRate: 2,
  payerPrivateKey: ch.payerKey,
};

describe('createCommit refuses bad parameters', () => {
  test.each([
    ['negative amount', { amount: -1n }, 'TX_INVALID_PARAMS'],
    ['amount above the money supply', { amount: MAX_MONEY + 1n }, 'TX_INVALID_PARAMS'],
    ['negative deposit value', { deposit: { ...ch.deposit, value: -1n } }, 'TX_INVALID_PARAMS'],
    [
      'upper-case txid',
      { deposit: { ...ch.deposit, outpoint: { txid: 'AB'.repeat(32), vout: 0 } } },
      'TX_INVALID_PARAMS',
    ],
    [
      'short txid',
      { deposit: { ...ch.deposit, outpoint: { txid: 'ab'.repeat(31), vout: 0 } } },
      'TX_INVALID_PARAMS',
    ],
    [
      'negative vout',
      { deposit: { ...ch.deposit, outpoint: { txid: 'ab'.repeat(32), vout: -1 } } },
      'TX_INVALID_PARAMS',
    ],
    [
      'fractional vout',
      { deposit: { ...ch.deposit, outpoint: { txid: 'ab'.repeat(32), vout: 0.5 } } },
      'TX_INVALID_PARAMS',
    ],
    ['the payee key', { payerPrivateKey: ch.payeeKey }, 'TX_WRONG_KEY'],
    ['a stranger key', { payerPrivateKey: stranger }, 'TX_WRONG_KEY'],
    ['a zero key', { payerPrivateKey: new Uint8Array(32) }, 'TX_INVALID_KEY'],
    ['a 31-byte key', { payerPrivateKey: new Uint8Array(31).fill(1) }, 'TX_INVALID_KEY'],
    [
      'a commit script of another deposit',
      { commitScript: makeChannel({ label: 'params other' }).commitScript },
      'TX_BAD_SCRIPT',
    ],
    ['the deposit script as commit script', { commitScript: ch.depositScript }, 'TX_BAD_SCRIPT'],
    ['the commit script as deposit script', { depositScript: ch.commitScript }, 'TX_BAD_SCRIPT'],
    [
      'a deposit too small to carry the smallest commit',
      { deposit: { ...ch.deposit, value: 1_000n }, amount: 540n },
      'TX_AMOUNT_OUT_OF_RANGE',
    ],
    ['an amount of 0', { amount: 0n }, 'TX_AMOUNT_OUT_OF_RANGE'],
  ] as const)('%s', (_name, patch, code) => {
    expectTxError(() => createCommit({ ...commitParams, ...patch }), code as TransactionErrorCode);
  });

  test.each(BAD_FEE_RATES)('fee rate %s', (_name, feeRate) => {
    expectTxError(() => createCommit({ ...commitParams, feeRate }), 'TX_INVALID_PARAMS');
  });

  test.each(GARBAGE_SCRIPTS)('garbage deposit script (%s)', (_name, script) => {
    expectTxError(() => createCommit({ ...commitParams, depositScript: script }), 'TX_BAD_SCRIPT');
  });

  test.each(GARBAGE_SCRIPTS)('garbage commit script (%s)', (_name, script) => {
    expectTxError(() => createCommit({ ...commitParams, commitScript: script }), 'TX_BAD_SCRIPT');
  });
});

// ---------------------------------------------------------------------------------------------
// The four recovery spends.
// ---------------------------------------------------------------------------------------------

type Kind = 'payout' | 'revoke' | 'change' | 'expire';

/** Parameters of any of the four spend builders. */
type AnySpendParams = SpendParams & {
  readonly commitScript?: Uint8Array;
  readonly depositScript?: Uint8Array;
  readonly spendSecret?: Uint8Array;
  readonly revokeSecret?: Uint8Array;
};

interface SpendCase {
  readonly build: (p: AnySpendParams) => SpendTransaction;
  /** Honest parameters. */
  readonly params: AnySpendParams;
  /** The key of the other party. */
  readonly wrongKey: Uint8Array;
  /** The redeem-script parameter's name. */
  readonly scriptParam: 'commitScript' | 'depositScript';
  /** The secret parameter's name, if the path takes one. */
  readonly secretParam?: 'spendSecret' | 'revokeSecret';
  /** The spent output's locking script. */
  readonly prevOut: Uint8Array;
}

const base = {
  outpoint: { txid: txidFromLabel('params spent'), vout: 0 },
  value: 20_000n,
  destinationScript: DEST,
  feeRate: 2,
};

const SPENDS: Record<Kind, SpendCase> = {
  payout: {
    build: (p) => buildPayoutTransaction(p as Parameters<typeof buildPayoutTransaction>[0]),
    params: {
      ...base,
      privateKey: ch.payeeKey,
      commitScript: ch.commitScript,
      spendSecret: ch.spendSecret,
    },
    wrongKey: ch.payerKey,
    scriptParam: 'commitScript',
    secretParam: 'spendSecret',
    prevOut: ch.commitOut,
  },
  revoke: {
    build: (p) => buildRevokeTransaction(p as Parameters<typeof buildRevokeTransaction>[0]),
    params: {
      ...base,
      privateKey: ch.payerKey,
      commitScript: ch.commitScript,
      revokeSecret: ch.revokeSecret,
    },
    wrongKey: ch.payeeKey,
    scriptParam: 'commitScript',
    secretParam: 'revokeSecret',
    prevOut: ch.commitOut,
  },
  change: {
    build: (p) => buildChangeTransaction(p as Parameters<typeof buildChangeTransaction>[0]),
    params: {
      ...base,
      privateKey: ch.payerKey,
      depositScript: ch.depositScript,
      spendSecret: ch.spendSecret,
    },
    wrongKey: ch.payeeKey,
    scriptParam: 'depositScript',
    secretParam: 'spendSecret',
    prevOut: ch.depositOut,
  },
  expire: {
    build: (p) => buildExpireTransaction(p as Parameters<typeof buildExpireTransaction>[0]),
    params: { ...base, privateKey: ch.payerKey, depositScript: ch.depositScript },
    wrongKey: ch.payeeKey,
    scriptParam: 'depositScript',
    prevOut: ch.depositOut,
  },
};
const KINDS = Object.keys(SPENDS) as Kind[];

describe.each(KINDS)('%s builder', (kind) => {
  const c = SPENDS[kind];
  const build = (patch: Partial<AnySpendParams>) => () => c.build({ ...c.params, ...patch });

  test('honest parameters give a bitcore-valid spend', () => {
    const built = c.build(c.params);
    expect(built.outputValue + built.fee).toBe(c.params.value);
    expect(bitcore(built.rawTx, c.prevOut, c.params.value)).toEqual({ ok: true });
  });

  test('negative value → TX_INVALID_PARAMS', () => {
    expectTxError(build({ value: -1n }), 'TX_INVALID_PARAMS');
  });

  test('value above the money supply → TX_INVALID_PARAMS', () => {
    expectTxError(build({ value: MAX_MONEY + 1n }), 'TX_INVALID_PARAMS');
  });

  test.each(BAD_FEE_RATES)('fee rate %s → TX_INVALID_PARAMS', (_name, feeRate) => {
    expectTxError(build({ feeRate }), 'TX_INVALID_PARAMS');
  });

  test('bad outpoint → TX_INVALID_PARAMS', () => {
    expectTxError(build({ outpoint: { txid: 'xyz', vout: 0 } }), 'TX_INVALID_PARAMS');
    expectTxError(build({ outpoint: { txid: 'ab'.repeat(32), vout: -1 } }), 'TX_INVALID_PARAMS');
    expectTxError(
      build({ outpoint: { txid: 'ab'.repeat(32), vout: 2 ** 32 } }),
      'TX_INVALID_PARAMS',
    );
  });

  test('value that covers the fee and exactly the dust limit succeeds; one satoshi less → TX_INSUFFICIENT_FUNDS', () => {
    const { fee } = c.build(c.params);
    const dust = dustThreshold(DEST);
    const atLimit = c.build({ ...c.params, value: fee + dust });
    expect(atLimit.fee).toBe(fee);
    expect(atLimit.outputValue).toBe(dust);
    expectTxError(build({ value: fee + dust - 1n }), 'TX_INSUFFICIENT_FUNDS');
    expectTxError(build({ value: 0n }), 'TX_INSUFFICIENT_FUNDS');
  });

  test('to an OP_RETURN (dust 0) the output must still be positive', () => {
    const opReturn = Uint8Array.of(0x6a);
    const { fee } = c.build({ ...c.params, destinationScript: opReturn });
    expectTxError(build({ destinationScript: opReturn, value: fee }), 'TX_INSUFFICIENT_FUNDS');
    expect(c.build({ ...c.params, destinationScript: opReturn, value: fee + 1n }).outputValue).toBe(
      1n,
    );
  });

  test('the other party’s key → TX_WRONG_KEY', () => {
    expectTxError(build({ privateKey: c.wrongKey }), 'TX_WRONG_KEY');
  });

  test('a stranger key → TX_WRONG_KEY', () => {
    expectTxError(build({ privateKey: stranger }), 'TX_WRONG_KEY');
  });

  test('a zero key → TX_INVALID_KEY', () => {
    expectTxError(build({ privateKey: new Uint8Array(32) }), 'TX_INVALID_KEY');
  });

  test.each(GARBAGE_SCRIPTS)('garbage redeem script (%s) → TX_BAD_SCRIPT', (_name, script) => {
    expectTxError(build({ [c.scriptParam]: script }), 'TX_BAD_SCRIPT');
  });

  test('the other template as redeem script → TX_BAD_SCRIPT', () => {
    const other = c.scriptParam === 'commitScript' ? ch.depositScript : ch.commitScript;
    expectTxError(build({ [c.scriptParam]: other }), 'TX_BAD_SCRIPT');
  });

  if (c.secretParam) {
    const param = c.secretParam;
    test('a wrong secret → TX_WRONG_SECRET', () => {
      expectTxError(build({ [param]: secretFromLabel('params wrong') }), 'TX_WRONG_SECRET');
    });
    test('the channel’s other secret → TX_WRONG_SECRET', () => {
      const other = param === 'spendSecret' ? ch.revokeSecret : ch.spendSecret;
      expectTxError(build({ [param]: other }), 'TX_WRONG_SECRET');
    });
    test('a 31-byte secret → TX_WRONG_SECRET', () => {
      expectTxError(build({ [param]: new Uint8Array(31) }), 'TX_WRONG_SECRET');
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Signing given unsigned transactions.
// ---------------------------------------------------------------------------------------------

describe('signUnsignedTransaction refuses what the builders refuse', () => {
  const unsigned = encodeTransaction({
    version: 2,
    inputs: [
      { txid: new Uint8Array(32).fill(3), index: 0, scriptSig: new Uint8Array(0), sequence: 3 },
    ],
    outputs: [{ value: 10_000n, script: DEST }],
    lockTime: 0,
  });
  const payout: UnsignedSpend = {
    kind: 'payout',
    commitScript: ch.commitScript,
    spendSecret: ch.spendSecret,
  };
  const revoke: UnsignedSpend = {
    kind: 'revoke',
    commitScript: ch.commitScript,
    revokeSecret: ch.revokeSecret,
  };
  const change: UnsignedSpend = {
    kind: 'change',
    depositScript: ch.depositScript,
    spendSecret: ch.spendSecret,
  };
  const expire: UnsignedSpend = { kind: 'expire', depositScript: ch.depositScript };
  const commit: UnsignedSpend = { kind: 'commit', depositScript: ch.depositScript };

  test.each([
    ['commit signed first by the payee', 'TX_WRONG_KEY', commit, ch.payeeKey],
    ['payout signed by the payer', 'TX_WRONG_KEY', payout, ch.payerKey],
    ['revoke signed by the payee', 'TX_WRONG_KEY', revoke, ch.payeeKey],
    ['change signed by the payee', 'TX_WRONG_KEY', change, ch.payeeKey],
    ['expire signed by the payee', 'TX_WRONG_KEY', expire, ch.payeeKey],
    [
      'payout with the revoke secret',
      'TX_WRONG_SECRET',
      { ...payout, spendSecret: ch.revokeSecret },
      ch.payeeKey,
    ],
    [
      'revoke with the spend secret',
      'TX_WRONG_SECRET',
      { ...revoke, revokeSecret: ch.spendSecret },
      ch.payerKey,
    ],
    [
      'change with a guessed secret',
      'TX_WRONG_SECRET',
      { ...change, spendSecret: secretFromLabel('guess') },
      ch.payerKey,
    ],
    [
      'commit with a garbage deposit script',
      'TX_BAD_SCRIPT',
      { kind: 'commit', depositScript: Uint8Array.of(0x51) },
      ch.payerKey,
    ],
    [
      'commit with a 601-byte deposit script',
      'TX_BAD_SCRIPT',
      { kind: 'commit', depositScript: new Uint8Array(601) },
      ch.payerKey,
    ],
    [
      'payout with a garbage commit script',
      'TX_BAD_SCRIPT',
      { ...payout, commitScript: Uint8Array.of(0x51) },
      ch.payeeKey,
    ],
    [
      'payout with a 601-byte commit script',
      'TX_BAD_SCRIPT',
      { ...payout, commitScript: new Uint8Array(601) },
      ch.payeeKey,
    ],
    [
      'expire with the commit script',
      'TX_BAD_SCRIPT',
      { kind: 'expire', depositScript: ch.commitScript },
      ch.payerKey,
    ],
    ['a zero key', 'TX_INVALID_KEY', expire, new Uint8Array(32)],
  ] as const)('%s → %s', (_name, code, spend, key) => {
    expectTxError(() => signUnsignedTransaction(unsigned, spend as UnsignedSpend, key), code);
  });

  test('an input that already carries a scriptSig → TX_BAD_SCRIPT', () => {
    const signed = signUnsignedTransaction(unsigned, payout, ch.payeeKey);
    expectTxError(() => signUnsignedTransaction(signed, payout, ch.payeeKey), 'TX_BAD_SCRIPT');
  });

  test('witness data given on the unsigned P2SH input is dropped (it would invalidate it)', () => {
    const tx = decodeTransaction(unsigned);
    const withWitness = encodeTransaction({ ...tx, witnesses: [[Uint8Array.of(9)]] });
    const signed = signUnsignedTransaction(withWitness, payout, ch.payeeKey);
    expect(decodeTransaction(signed).witnesses).toBeUndefined();
    expect(bitcore(signed, ch.commitOut, 20_000n)).toEqual({ ok: true });
  });

  test('an input holding the P2SH placeholder of the redeem script is signed', () => {
    const withPlaceholder = encodeTransaction({
      version: 2,
      inputs: [
        { txid: new Uint8Array(32).fill(3), index: 0, scriptSig: ch.commitOut, sequence: 3 },
      ],
      outputs: [{ value: 10_000n, script: DEST }],
      lockTime: 0,
    });
    const signed = signUnsignedTransaction(withPlaceholder, payout, ch.payeeKey);
    expect(bitcore(signed, ch.commitOut, 20_000n)).toEqual({ ok: true });
  });
});

// ---------------------------------------------------------------------------------------------
// Deposits.
// ---------------------------------------------------------------------------------------------

describe('deposit builders refuse bad parameters', () => {
  const payerPub = pub(ch.payerKey);
  const coin = (label: string, value: bigint, script = p2wpkhScript(payerPub)): FundingCoin => ({
    outpoint: { txid: txidFromLabel(label), vout: 0 },
    value,
    script,
  });
  const params: DepositParams = {
    coins: [coin('a', 60_000n), coin('b', 70_000n, p2pkhScript(payerPub))],
    depositScript: ch.depositScript,
    amount: 100_000n,
    changeScript: p2wpkhScript(payerPub),
    feeRate: 2,
  };
  const signed =
    (patch: Partial<DepositParams>, key = ch.payerKey) =>
    () =>
      buildDepositTransaction({ ...params, ...patch, privateKey: key });
  const psbt = (patch: Partial<DepositParams>) => () => buildDepositPsbt({ ...params, ...patch });

  test('honest parameters: both coins spent, both inputs bitcore-valid', () => {
    const built = buildDepositTransaction({ ...params, privateKey: ch.payerKey });
    expect(bitcore(built.rawTx, params.coins[0]!.script, 60_000n, 1)).toEqual({ ok: true });
    expect(bitcore(built.rawTx, params.coins[1]!.script, 70_000n, 0)).toEqual({ ok: true });
    expect(built.change + built.fee + 100_000n).toBe(130_000n);
  });

  test('a coin of another key → TX_WRONG_KEY', () => {
    expectTxError(
      signed({ coins: [...params.coins, coin('c', 1_000n, p2wpkhScript(pub(stranger)))] }),
      'TX_WRONG_KEY',
    );
    expectTxError(signed({}, stranger), 'TX_WRONG_KEY');
  });

  test('a P2SH output over the key’s hash is not a supported coin → TX_INVALID_PARAMS', () => {
    const p2shOfKey = concatBytes(
      Uint8Array.of(0xa9, 0x14),
      hash160(payerPub),
      Uint8Array.of(0x87),
    );
    expectTxError(signed({ coins: [coin('c', 200_000n, p2shOfKey)] }), 'TX_INVALID_PARAMS');
  });

  test.each([
    ['P2SH', concatBytes(Uint8Array.of(0xa9, 0x14), new Uint8Array(20), Uint8Array.of(0x87))],
    ['P2WSH', concatBytes(Uint8Array.of(0x00, 0x20), new Uint8Array(32))],
    ['P2TR', concatBytes(Uint8Array.of(0x51, 0x20), new Uint8Array(32))],
    ['bare pubkey', concatBytes(Uint8Array.of(0x21), payerPub, Uint8Array.of(0xac))],
    ['empty', new Uint8Array(0)],
  ])('an unsupported %s coin → TX_INVALID_PARAMS', (_name, script) => {
    expectTxError(signed({ coins: [coin('c', 200_000n, script)] }), 'TX_INVALID_PARAMS');
    expectTxError(psbt({ coins: [coin('c', 200_000n, script)] }), 'TX_INVALID_PARAMS');
  });

  test('coins that cannot pay amount + fee → TX_INSUFFICIENT_FUNDS', () => {
    expectTxError(signed({ amount: 130_000n }), 'TX_INSUFFICIENT_FUNDS');
    expectTxError(psbt({ amount: 130_000n }), 'TX_INSUFFICIENT_FUNDS');
    expectTxError(signed({ coins: [] }), 'TX_INSUFFICIENT_FUNDS');
  });

  test('deposit amount below the P2SH dust limit → TX_AMOUNT_OUT_OF_RANGE', () => {
    expectTxError(signed({ amount: 539n }), 'TX_AMOUNT_OUT_OF_RANGE');
    expect(
      buildDepositTransaction({ ...params, amount: 540n, privateKey: ch.payerKey }).txid,
    ).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each([
    ['odd-length txid', { txid: 'abc', vout: 0 }],
    ['upper-case txid', { txid: 'AB'.repeat(32), vout: 0 }],
    ['negative vout', { txid: 'ab'.repeat(32), vout: -1 }],
    ['vout above 32 bits', { txid: 'ab'.repeat(32), vout: 2 ** 32 }],
  ])('a coin outpoint with %s → TX_INVALID_PARAMS', (_name, outpoint) => {
    const bad = { ...coin('c', 200_000n), outpoint };
    expectTxError(signed({ coins: [bad] }), 'TX_INVALID_PARAMS');
    expectTxError(psbt({ coins: [bad] }), 'TX_INVALID_PARAMS');
  });

  test('negative amount or coin value → TX_INVALID_PARAMS', () => {
    expectTxError(signed({ amount: -1n }), 'TX_INVALID_PARAMS');
    expectTxError(signed({ coins: [coin('c', -5n)] }), 'TX_INVALID_PARAMS');
  });

  test.each(BAD_FEE_RATES)('fee rate %s → TX_INVALID_PARAMS', (_name, feeRate) => {
    expectTxError(signed({ feeRate }), 'TX_INVALID_PARAMS');
    expectTxError(psbt({ feeRate }), 'TX_INVALID_PARAMS');
  });

  test.each(GARBAGE_SCRIPTS)('garbage deposit script (%s) → TX_BAD_SCRIPT', (_name, script) => {
    expectTxError(signed({ depositScript: script }), 'TX_BAD_SCRIPT');
    expectTxError(psbt({ depositScript: script }), 'TX_BAD_SCRIPT');
  });

  test('the commit script as deposit script → TX_BAD_SCRIPT', () => {
    expectTxError(signed({ depositScript: ch.commitScript }), 'TX_BAD_SCRIPT');
  });

  test('finalizing an unsigned PSBT → TX_UNSIGNED', () => {
    expectTxError(() => finalizeDepositPsbt(buildDepositPsbt(params)), 'TX_UNSIGNED');
  });

  test('finalizing bytes that are not a PSBT → TX_UNSIGNED', () => {
    expectTxError(() => finalizeDepositPsbt(hexToBytes('70736274ff00')), 'TX_UNSIGNED');
    expectTxError(() => finalizeDepositPsbt(new Uint8Array(0)), 'TX_UNSIGNED');
  });
});
