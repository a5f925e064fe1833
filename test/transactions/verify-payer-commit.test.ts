import { describe, expect, test } from 'vitest';
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from '../../src/bytes.js';
import {
  buildCommitScript,
  buildDepositScript,
  buildUnlockingScript,
  hash160,
  p2shOutputScript,
  parseUnlockingScript,
} from '../../src/scripts/index.js';
import {
  type CommitExpectations,
  PAYEE_SIGNATURE_PLACEHOLDER,
  type TransactionErrorCode,
  type TxData,
  completeCommit,
  createCommit,
  decodeTransaction,
  encodeTransaction,
  signP2shInput,
  verifyPayerCommit,
  withScriptSig,
} from '../../src/transactions/index.js';
import {
  bitcore,
  editCommit,
  expectTxError,
  highS,
  keyFromLabel,
  makeChannel,
  p2wpkhScript,
  pub,
  secretFromLabel,
} from './helpers.js';

const ch = makeChannel({ label: 'verify', delayTime: 6, expireTime: 1000, value: 100_000n });
const AMOUNT = 30_000n;
const RATE = 2;
const commit = createCommit({
  deposit: ch.deposit,
  depositScript: ch.depositScript,
  commitScript: ch.commitScript,
  amount: AMOUNT,
  feeRate: RATE,
  payerPrivateKey: ch.payerKey,
});
const otherIssued = hash160(secretFromLabel('verify other revoke'));
const expectations: CommitExpectations = {
  deposit: ch.deposit,
  depositScript: ch.depositScript,
  delayTime: ch.delayTime,
  issuedRevokeHashes: [otherIssued, hash160(ch.revokeSecret)],
  minFeeRate: RATE,
};

/** Commit scripts that differ from the channel's in one field. */
const otherKey = pub(keyFromLabel('verify stranger'));
const commitScriptWith = (
  fields: Partial<{
    payerPubkey: Uint8Array;
    payeePubkey: Uint8Array;
    spendSecretHash: Uint8Array;
    revokeSecretHash: Uint8Array;
    delayTime: number;
  }>,
) =>
  buildCommitScript({
    payerPubkey: pub(ch.payerKey),
    payeePubkey: pub(ch.payeeKey),
    spendSecretHash: hash160(ch.spendSecret),
    revokeSecretHash: hash160(ch.revokeSecret),
    delayTime: ch.delayTime,
    ...fields,
  });

/** Replaces the payer signature of the commit with `signature`, keeping everything else. */
function withPayerSignature(raw: Uint8Array, signature: Uint8Array): Uint8Array {
  const tx = decodeTransaction(raw);
  const scriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature: signature,
    payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
    depositScript: ch.depositScript,
  });
  return encodeTransaction(withScriptSig(tx, 0, scriptSig));
}

const payerSignatureOf = (raw: Uint8Array): Uint8Array => {
  const spend = parseUnlockingScript(decodeTransaction(raw).inputs[0]!.scriptSig);
  if (spend.kind !== 'commit') throw new TypeError('not a commit');
  return spend.payerSignature;
};

/** Edits the commit and re-signs it as the payer, so that only the edit can be at fault. */
const edited = (edit: (tx: TxData) => TxData) => editCommit(commit.rawTx, ch, edit);
const setOutput = (tx: TxData, index: number, output: { value?: bigint; script?: Uint8Array }) => ({
  ...tx,
  outputs: tx.outputs.map((o, i) => (i === index ? { ...o, ...output } : o)),
});
const setInput = (tx: TxData, input: Partial<TxData['inputs'][number]>) => ({
  ...tx,
  inputs: [{ ...tx.inputs[0]!, ...input }],
});

interface Deviation {
  readonly raw: Uint8Array;
  readonly commitScript?: Uint8Array;
  readonly amount?: bigint;
  readonly expect?: Partial<CommitExpectations>;
}

const remainder = commit.remainder;
const signature = payerSignatureOf(commit.rawTx);

const deviations: readonly [string, () => Deviation, TransactionErrorCode][] = [
  [
    'spends another txid',
    () => ({ raw: edited((tx) => setInput(tx, { txid: hexToBytes('ab'.repeat(32)) })) }),
    'TX_WRONG_INPUT',
  ],
  [
    'spends another vout of the deposit transaction',
    () => ({ raw: edited((tx) => setInput(tx, { index: ch.deposit.outpoint.vout + 1 })) }),
    'TX_WRONG_INPUT',
  ],
  [
    'has an extra input',
    () => ({
      raw: edited((tx) => ({
        ...tx,
        inputs: [
          ...tx.inputs,
          { ...tx.inputs[0]!, txid: hexToBytes('cd'.repeat(32)), scriptSig: new Uint8Array(0) },
        ],
      })),
    }),
    'TX_WRONG_INPUT',
  ],
  [
    'has a non-final nSequence',
    () => ({ raw: edited((tx) => setInput(tx, { sequence: 0xfffffffe })) }),
    'TX_WRONG_FIELDS',
  ],
  ['is version 1', () => ({ raw: edited((tx) => ({ ...tx, version: 1 })) }), 'TX_WRONG_FIELDS'],
  [
    'carries witness data on its P2SH input (not signed over, invalid on chain)',
    () => ({
      raw: encodeTransaction({
        ...decodeTransaction(commit.rawTx),
        witnesses: [[Uint8Array.of(1, 2, 3)]],
      }),
    }),
    'TX_WRONG_FIELDS',
  ],
  [
    'has a nonzero nLockTime',
    () => ({ raw: edited((tx) => ({ ...tx, lockTime: 1 })) }),
    'TX_WRONG_FIELDS',
  ],
  [
    'pays the commit output to another script',
    () => ({ raw: edited((tx) => setOutput(tx, 0, { script: p2wpkhScript(otherKey) })) }),
    'TX_WRONG_OUTPUTS',
  ],
  [
    'claims one satoshi more than it pays',
    () => ({ raw: commit.rawTx, amount: AMOUNT + 1n }),
    'TX_WRONG_OUTPUTS',
  ],
  [
    'pays one satoshi less than the claim',
    () => ({ raw: edited((tx) => setOutput(tx, 0, { value: AMOUNT - 1n })) }),
    'TX_WRONG_OUTPUTS',
  ],
  [
    'has an extra output',
    () => ({
      raw: edited((tx) => ({
        ...tx,
        outputs: [...tx.outputs, { value: 0n, script: Uint8Array.of(0x6a) }],
      })),
    }),
    'TX_WRONG_OUTPUTS',
  ],
  [
    'pays the remainder to another script',
    () => ({ raw: edited((tx) => setOutput(tx, 1, { script: p2wpkhScript(pub(ch.payerKey)) })) }),
    'TX_WRONG_OUTPUTS',
  ],
  [
    'has a dust remainder (539 to P2SH)',
    () => ({ raw: edited((tx) => setOutput(tx, 1, { value: 539n })) }),
    'TX_WRONG_OUTPUTS',
  ],
  [
    'has the commit output and remainder swapped',
    () => ({ raw: edited((tx) => ({ ...tx, outputs: [tx.outputs[1]!, tx.outputs[0]!] })) }),
    'TX_WRONG_OUTPUTS',
  ],
  [
    'pays a dust amount (539) to the commit script',
    () => ({ raw: edited((tx) => setOutput(tx, 0, { value: 539n })), amount: 539n }),
    'TX_AMOUNT_OUT_OF_RANGE',
  ],
  [
    'pays amount + remainder above the deposit',
    () => ({
      raw: edited((tx) => setOutput(tx, 1, { value: ch.deposit.value - AMOUNT + 1n })),
    }),
    'TX_AMOUNT_OUT_OF_RANGE',
  ],
  [
    'pays a fee below the floor (remainder raised, fee 100 sat)',
    () => ({ raw: edited((tx) => setOutput(tx, 1, { value: ch.deposit.value - AMOUNT - 100n })) }),
    'TX_FEE_TOO_LOW',
  ],
  [
    'pays its fee rate while the floor is one sat/vB higher',
    () => ({ raw: commit.rawTx, expect: { minFeeRate: RATE + 1 } }),
    'TX_FEE_TOO_LOW',
  ],
  [
    'uses a commit script with another payee key',
    () => {
      const script = commitScriptWith({ payeePubkey: otherKey });
      return {
        raw: edited((tx) => setOutput(tx, 0, { script: p2shOutputScript(script) })),
        commitScript: script,
      };
    },
    'TX_BAD_SCRIPT',
  ],
  [
    'uses a commit script with another payer key',
    () => {
      const script = commitScriptWith({ payerPubkey: otherKey });
      return {
        raw: edited((tx) => setOutput(tx, 0, { script: p2shOutputScript(script) })),
        commitScript: script,
      };
    },
    'TX_BAD_SCRIPT',
  ],
  [
    'uses a commit script with another spend secret hash',
    () => {
      const script = commitScriptWith({ spendSecretHash: otherIssued });
      return {
        raw: edited((tx) => setOutput(tx, 0, { script: p2shOutputScript(script) })),
        commitScript: script,
      };
    },
    'TX_BAD_SCRIPT',
  ],
  [
    'uses a revoke hash the payee never issued',
    () => {
      const script = commitScriptWith({
        revokeSecretHash: hash160(secretFromLabel('verify not issued')),
      });
      return {
        raw: edited((tx) => setOutput(tx, 0, { script: p2shOutputScript(script) })),
        commitScript: script,
      };
    },
    'TX_BAD_SCRIPT',
  ],
  [
    'is checked while no revoke hash is outstanding',
    () => ({ raw: commit.rawTx, expect: { issuedRevokeHashes: [] } }),
    'TX_BAD_SCRIPT',
  ],
  [
    'uses another delay (one block shorter)',
    () => {
      const script = commitScriptWith({ delayTime: ch.delayTime - 1 });
      return {
        raw: edited((tx) => setOutput(tx, 0, { script: p2shOutputScript(script) })),
        commitScript: script,
      };
    },
    'TX_BAD_SCRIPT',
  ],
  [
    'is checked against another agreed delay',
    () => ({ raw: commit.rawTx, expect: { delayTime: ch.delayTime + 1 } }),
    'TX_BAD_SCRIPT',
  ],
  [
    'comes with a garbage commit script',
    () => ({ raw: commit.rawTx, commitScript: Uint8Array.of(0x51) }),
    'TX_BAD_SCRIPT',
  ],
  [
    'spends through another deposit script',
    () => {
      const otherDeposit = buildDepositScript({
        payerPubkey: pub(ch.payerKey),
        payeePubkey: pub(ch.payeeKey),
        spendSecretHash: hash160(ch.spendSecret),
        expireTime: ch.expireTime + 1,
      });
      const tx = decodeTransaction(commit.rawTx);
      const scriptSig = buildUnlockingScript({
        kind: 'commit',
        payerSignature: signP2shInput(tx, 0, otherDeposit, ch.payerKey),
        payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
        depositScript: otherDeposit,
      });
      return { raw: encodeTransaction(withScriptSig(tx, 0, scriptSig)) };
    },
    'TX_BAD_SCRIPT',
  ],
  [
    'carries a revoke spend instead of a commit spend',
    () => {
      const tx = decodeTransaction(commit.rawTx);
      const scriptSig = buildUnlockingScript({
        kind: 'revoke',
        payerSignature: signature,
        revokeSecret: ch.revokeSecret,
        commitScript: ch.commitScript,
      });
      return { raw: encodeTransaction(withScriptSig(tx, 0, scriptSig)) };
    },
    'TX_BAD_SCRIPT',
  ],
  [
    'has an empty scriptSig',
    () => ({
      raw: encodeTransaction(withScriptSig(decodeTransaction(commit.rawTx), 0, new Uint8Array(0))),
    }),
    'TX_UNSIGNED',
  ],
  [
    'has only the P2SH placeholder scriptSig',
    () => ({
      raw: encodeTransaction(withScriptSig(decodeTransaction(commit.rawTx), 0, ch.depositOut)),
    }),
    'TX_UNSIGNED',
  ],
  [
    'has a payer signature with one byte of r flipped',
    () => {
      const flipped = signature.slice();
      flipped[10]! ^= 0x01;
      return { raw: withPayerSignature(commit.rawTx, flipped) };
    },
    'TX_BAD_SIGNATURE',
  ],
  [
    'has a payer signature with the last byte of s flipped',
    () => {
      const flipped = signature.slice();
      flipped[flipped.length - 2]! ^= 0x01;
      return { raw: withPayerSignature(commit.rawTx, flipped) };
    },
    'TX_BAD_SIGNATURE',
  ],
  [
    'is signed by the payee in the payer slot',
    () => ({
      raw: encodeTransaction(
        withScriptSig(
          decodeTransaction(commit.rawTx),
          0,
          buildUnlockingScript({
            kind: 'commit',
            payerSignature: signP2shInput(
              decodeTransaction(commit.rawTx),
              0,
              ch.depositScript,
              ch.payeeKey,
            ),
            payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
            depositScript: ch.depositScript,
          }),
        ),
      ),
    }),
    'TX_BAD_SIGNATURE',
  ],
  [
    'carries a payer signature made for another amount',
    () => {
      const other = createCommit({
        deposit: ch.deposit,
        depositScript: ch.depositScript,
        commitScript: ch.commitScript,
        amount: AMOUNT + 1n,
        feeRate: RATE,
        payerPrivateKey: ch.payerKey,
      });
      return { raw: withPayerSignature(commit.rawTx, payerSignatureOf(other.rawTx)) };
    },
    'TX_BAD_SIGNATURE',
  ],
  [
    'has the high-S twin of the payer signature',
    () => ({ raw: withPayerSignature(commit.rawTx, highS(signature)) }),
    'TX_BAD_SIGNATURE_FORMAT',
  ],
  [
    'has a non-DER garbage payer signature (72 bytes)',
    () => ({ raw: withPayerSignature(commit.rawTx, new Uint8Array(72).fill(0xab)) }),
    'TX_BAD_SIGNATURE_FORMAT',
  ],
  [
    'has the payer signature with SIGHASH_NONE as its sighash byte',
    () => ({
      raw: withPayerSignature(
        commit.rawTx,
        concatBytes(signature.subarray(0, signature.length - 1), Uint8Array.of(0x02)),
      ),
    }),
    'TX_BAD_SIGNATURE_FORMAT',
  ],
  [
    'has the payer signature with SIGHASH_ALL|ANYONECANPAY',
    () => ({
      raw: withPayerSignature(
        commit.rawTx,
        concatBytes(signature.subarray(0, signature.length - 1), Uint8Array.of(0x81)),
      ),
    }),
    'TX_BAD_SIGNATURE_FORMAT',
  ],
  [
    'is truncated by one byte',
    () => ({ raw: commit.rawTx.subarray(0, commit.rawTx.length - 1) }),
    'TX_MALFORMED',
  ],
  [
    'has a trailing byte',
    () => ({ raw: concatBytes(commit.rawTx, Uint8Array.of(0)) }),
    'TX_MALFORMED',
  ],
  ['is random bytes', () => ({ raw: keyFromLabel('verify random bytes') }), 'TX_MALFORMED'],
  ['is empty', () => ({ raw: new Uint8Array(0) }), 'TX_MALFORMED'],
];

describe('verifyPayerCommit accepts the honest commit', () => {
  test('at a floor equal to the rate it was built with', () => {
    const verified = verifyPayerCommit(commit.rawTx, ch.commitScript, AMOUNT, expectations);
    expect(verified.amount).toBe(AMOUNT);
    expect(verified.remainder).toBe(remainder);
    expect(verified.fee).toBe(commit.fee);
    expect(verified.fee + verified.amount + verified.remainder).toBe(ch.deposit.value);
    expect(bytesToHex(verified.revokeSecretHash)).toBe(bytesToHex(hash160(ch.revokeSecret)));
    expect(verified.feeRate).toBeGreaterThanOrEqual(RATE);
    expect(verified.rawTx).toBe(commit.rawTx);
  });

  test('and every edit helper leaves an unedited commit acceptable (re-signing is faithful)', () => {
    const resigned = edited((tx) => tx);
    expect(verifyPayerCommit(resigned, ch.commitScript, AMOUNT, expectations).amount).toBe(AMOUNT);
  });

  test('a commit without remainder (amount at capacity) is accepted', () => {
    const full = createCommit({
      deposit: ch.deposit,
      depositScript: ch.depositScript,
      commitScript: ch.commitScript,
      amount: ch.deposit.value - 1_000n,
      feeRate: RATE,
      payerPrivateKey: ch.payerKey,
    });
    expect(full.remainder).toBe(0n);
    const verified = verifyPayerCommit(full.rawTx, ch.commitScript, full.amount, expectations);
    expect(verified.remainder).toBe(0n);
    expect(verified.fee).toBe(1_000n);
  });
});

describe('verifyPayerCommit rejects every deviation, without side effects', () => {
  test.each(deviations)('a commit that %s → %s', (_name, make, code) => {
    const d = make();
    const rawBefore = d.raw.slice();
    const expect_ = { ...expectations, ...d.expect };
    const issuedBefore = expect_.issuedRevokeHashes.map((h) => h.slice());
    const scriptBefore = (d.commitScript ?? ch.commitScript).slice();
    expectTxError(
      () =>
        verifyPayerCommit(d.raw, d.commitScript ?? ch.commitScript, d.amount ?? AMOUNT, expect_),
      code,
    );
    expect(equalBytes(d.raw, rawBefore)).toBe(true);
    expect(expect_.issuedRevokeHashes.map(bytesToHex)).toEqual(issuedBefore.map(bytesToHex));
    expect(equalBytes(d.commitScript ?? ch.commitScript, scriptBefore)).toBe(true);
    // The honest commit is still accepted afterwards.
    expect(verifyPayerCommit(commit.rawTx, ch.commitScript, AMOUNT, expectations).amount).toBe(
      AMOUNT,
    );
  });
});

describe('completeCommit', () => {
  test('with the payer key instead of the payee key → TX_WRONG_KEY', () => {
    expectTxError(
      () => completeCommit(commit.rawTx, ch.depositScript, ch.payerKey),
      'TX_WRONG_KEY',
    );
  });

  test('with a stranger key → TX_WRONG_KEY', () => {
    expectTxError(
      () => completeCommit(commit.rawTx, ch.depositScript, keyFromLabel('verify stranger')),
      'TX_WRONG_KEY',
    );
  });

  test('with an invalid key (zero) → TX_INVALID_KEY', () => {
    expectTxError(
      () => completeCommit(commit.rawTx, ch.depositScript, new Uint8Array(32)),
      'TX_INVALID_KEY',
    );
  });

  test('refuses a high-S payer signature → TX_BAD_SIGNATURE_FORMAT', () => {
    expectTxError(
      () =>
        completeCommit(
          withPayerSignature(commit.rawTx, highS(signature)),
          ch.depositScript,
          ch.payeeKey,
        ),
      'TX_BAD_SIGNATURE_FORMAT',
    );
  });

  test('refuses a flipped payer signature → TX_BAD_SIGNATURE', () => {
    const flipped = signature.slice();
    flipped[10]! ^= 0x01;
    expectTxError(
      () =>
        completeCommit(withPayerSignature(commit.rawTx, flipped), ch.depositScript, ch.payeeKey),
      'TX_BAD_SIGNATURE',
    );
  });

  test('refuses a garbage deposit script → TX_BAD_SCRIPT', () => {
    expectTxError(
      () => completeCommit(commit.rawTx, Uint8Array.of(0x51), ch.payeeKey),
      'TX_BAD_SCRIPT',
    );
  });

  test('drops witness data a payer attached, so that the completed commit stays valid', () => {
    const withWitness = encodeTransaction({
      ...decodeTransaction(commit.rawTx),
      witnesses: [[Uint8Array.of(1, 2, 3)]],
    });
    const completed = completeCommit(withWitness, ch.depositScript, ch.payeeKey);
    expect(decodeTransaction(completed).witnesses).toBeUndefined();
    expect(bitcore(completed, ch.depositOut, ch.deposit.value)).toEqual({ ok: true });
    expect(bytesToHex(completed)).toBe(
      bytesToHex(completeCommit(commit.rawTx, ch.depositScript, ch.payeeKey)),
    );
  });

  test('completes only the payee slot: payer signature and everything else unchanged, bitcore-valid', () => {
    const completed = completeCommit(commit.rawTx, ch.depositScript, ch.payeeKey);
    const before = decodeTransaction(commit.rawTx);
    const after = decodeTransaction(completed);
    expect(after.outputs).toEqual(before.outputs);
    expect({ ...after.inputs[0]!, scriptSig: null }).toEqual({
      ...before.inputs[0]!,
      scriptSig: null,
    });
    expect(bytesToHex(payerSignatureOf(completed))).toBe(bytesToHex(signature));
    expect(bitcore(completed, ch.depositOut, ch.deposit.value)).toEqual({ ok: true });
  });
});
