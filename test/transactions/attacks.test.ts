import bitcoreLib from 'bitcore-lib';
import { describe, expect, test } from 'vitest';
import { hexToBytes } from '../../src/bytes.js';
import {
  type UnlockingScript,
  buildUnlockingScript,
  parseUnlockingScript,
} from '../../src/scripts/index.js';
import {
  FINAL_SEQUENCE,
  type Outpoint,
  PAYEE_SIGNATURE_PLACEHOLDER,
  type TxData,
  buildPayoutTransaction,
  completeCommit,
  createCommit,
  decodeTransaction,
  encodeTransaction,
  rawTransactionId,
  signP2shInput,
  signUnsignedTransaction,
  withScriptSig,
} from '../../src/transactions/index.js';
import { STANDARD_TEST_FLAGS } from '../support/bitcore-verifier.js';
import {
  bitcore,
  highS,
  keyFromLabel,
  makeChannel,
  p2wpkhScript,
  pub,
  secretFromLabel,
} from './helpers.js';

const LOW_S = bitcoreLib.Script.Interpreter.SCRIPT_VERIFY_LOW_S;

const ch = makeChannel({ label: 'attacks', delayTime: 10, expireTime: 20, value: 100_000n });
const AMOUNT = 30_000n;
const commit = createCommit({
  deposit: ch.deposit,
  depositScript: ch.depositScript,
  commitScript: ch.commitScript,
  amount: AMOUNT,
  feeRate: 2,
  payerPrivateKey: ch.payerKey,
});
const completed = completeCommit(commit.rawTx, ch.depositScript, ch.payeeKey);
const commitTxid = rawTransactionId(completed);
const commitOutpoint: Outpoint = { txid: commitTxid, vout: 0 };
const remainderOutpoint: Outpoint = { txid: commitTxid, vout: 1 };
const DEST = p2wpkhScript(pub(keyFromLabel('attacks destination')));
const OK = { ok: true } as const;
const failsWith = (error: string) => ({ ok: false, error });

/** An unsigned one-input, one-output spend: what an attacker (or honest party) would sign. */
function unsignedTx(spent: Outpoint, sequence: number, version = 2, dest = DEST): TxData {
  return {
    version,
    inputs: [
      { txid: hexToBytes(spent.txid), index: spent.vout, scriptSig: new Uint8Array(0), sequence },
    ],
    outputs: [{ value: 20_000n, script: dest }],
    lockTime: 0,
  };
}

/** Puts a hand-built unlocking script into input 0 and serializes. */
function withUnlocking(tx: TxData, unlocking: UnlockingScript): Uint8Array {
  return encodeTransaction(withScriptSig(tx, 0, buildUnlockingScript(unlocking)));
}

const payoutSpend = {
  kind: 'payout',
  commitScript: ch.commitScript,
  spendSecret: ch.spendSecret,
} as const;
const expireSpend = { kind: 'expire', depositScript: ch.depositScript } as const;

/** Payout of the commit output signed properly by the payee at `sequence` in a `version` tx. */
function payoutAt(sequence: number, version = 2): Uint8Array {
  return signUnsignedTransaction(
    encodeTransaction(unsignedTx(commitOutpoint, sequence, version)),
    payoutSpend,
    ch.payeeKey,
  );
}

/** Expire of the remainder output signed properly by the payer at `sequence`. */
function expireAt(sequence: number): Uint8Array {
  return signUnsignedTransaction(
    encodeTransaction(unsignedTx(remainderOutpoint, sequence)),
    expireSpend,
    ch.payerKey,
  );
}

/** Value of the remainder output of the completed commit. */
const remainder = decodeTransaction(completed).outputs[1]!.value;
const onCommit = (raw: Uint8Array) => bitcore(raw, ch.commitOut, AMOUNT);
const onRemainder = (raw: Uint8Array) => bitcore(raw, ch.depositOut, remainder);
const onDeposit = (raw: Uint8Array) => bitcore(raw, ch.depositOut, ch.deposit.value);

describe('the honest transactions these attacks start from are valid', () => {
  test('completed commit', () => {
    expect(onDeposit(completed)).toEqual(OK);
  });
  test('payout at nSequence = delay_time', () => {
    expect(onCommit(payoutAt(ch.delayTime))).toEqual(OK);
  });
  test('expire at nSequence = expire_time', () => {
    expect(onRemainder(expireAt(ch.expireTime))).toEqual(OK);
  });
});

describe('relative locks: bitcore refuses early spends that are otherwise correctly signed', () => {
  test('payout with nSequence one below delay_time', () => {
    expect(onCommit(payoutAt(ch.delayTime - 1))).toEqual(
      failsWith('SCRIPT_ERR_UNSATISFIED_LOCKTIME'),
    );
  });

  test('payout with nSequence 0', () => {
    expect(onCommit(payoutAt(0))).toEqual(failsWith('SCRIPT_ERR_UNSATISFIED_LOCKTIME'));
  });

  test('payout in a version-1 transaction (BIP68 off) even with nSequence = delay_time', () => {
    expect(onCommit(payoutAt(ch.delayTime, 1))).toEqual(
      failsWith('SCRIPT_ERR_UNSATISFIED_LOCKTIME'),
    );
  });

  test('payout with the BIP68 disable bit set', () => {
    expect(onCommit(payoutAt((0x80000000 | ch.delayTime) >>> 0))).toEqual(
      failsWith('SCRIPT_ERR_UNSATISFIED_LOCKTIME'),
    );
  });

  test('expire with nSequence one below expire_time', () => {
    expect(onRemainder(expireAt(ch.expireTime - 1))).toEqual(
      failsWith('SCRIPT_ERR_UNSATISFIED_LOCKTIME'),
    );
  });

  test('expire with a final nSequence', () => {
    expect(onRemainder(expireAt(FINAL_SEQUENCE))).toEqual(
      failsWith('SCRIPT_ERR_UNSATISFIED_LOCKTIME'),
    );
  });
});

describe('secrets: a properly signed spend with the wrong secret fails HASH160 EQUALVERIFY', () => {
  const wrong = secretFromLabel('attacks wrong secret');

  test('payout with the right secret (hand-built control) is valid', () => {
    const tx = unsignedTx(commitOutpoint, ch.delayTime);
    const payeeSignature = signP2shInput(tx, 0, ch.commitScript, ch.payeeKey);
    const raw = withUnlocking(tx, {
      kind: 'payout',
      payeeSignature,
      spendSecret: ch.spendSecret,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(OK);
  });

  test('payout with a wrong spend secret', () => {
    const tx = unsignedTx(commitOutpoint, ch.delayTime);
    const payeeSignature = signP2shInput(tx, 0, ch.commitScript, ch.payeeKey);
    const raw = withUnlocking(tx, {
      kind: 'payout',
      payeeSignature,
      spendSecret: wrong,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EQUALVERIFY'));
  });

  test('payout presenting the revoke secret as the spend secret', () => {
    const tx = unsignedTx(commitOutpoint, ch.delayTime);
    const payeeSignature = signP2shInput(tx, 0, ch.commitScript, ch.payeeKey);
    const raw = withUnlocking(tx, {
      kind: 'payout',
      payeeSignature,
      spendSecret: ch.revokeSecret,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EQUALVERIFY'));
  });

  test('revoke with the right secret (hand-built control) is valid', () => {
    const tx = unsignedTx(commitOutpoint, FINAL_SEQUENCE);
    const payerSignature = signP2shInput(tx, 0, ch.commitScript, ch.payerKey);
    const raw = withUnlocking(tx, {
      kind: 'revoke',
      payerSignature,
      revokeSecret: ch.revokeSecret,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(OK);
  });

  test('revoke with a wrong revoke secret', () => {
    const tx = unsignedTx(commitOutpoint, FINAL_SEQUENCE);
    const payerSignature = signP2shInput(tx, 0, ch.commitScript, ch.payerKey);
    const raw = withUnlocking(tx, {
      kind: 'revoke',
      payerSignature,
      revokeSecret: wrong,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EQUALVERIFY'));
  });

  test('revoke presenting the spend secret as the revoke secret', () => {
    const tx = unsignedTx(commitOutpoint, FINAL_SEQUENCE);
    const payerSignature = signP2shInput(tx, 0, ch.commitScript, ch.payerKey);
    const raw = withUnlocking(tx, {
      kind: 'revoke',
      payerSignature,
      revokeSecret: ch.spendSecret,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EQUALVERIFY'));
  });

  test('change before the spend secret is known (payer guesses a random secret)', () => {
    const tx = unsignedTx(remainderOutpoint, FINAL_SEQUENCE);
    const payerSignature = signP2shInput(tx, 0, ch.depositScript, ch.payerKey);
    const raw = withUnlocking(tx, {
      kind: 'change',
      payerSignature,
      spendSecret: wrong,
      depositScript: ch.depositScript,
    });
    expect(onRemainder(raw)).toEqual(failsWith('SCRIPT_ERR_EQUALVERIFY'));
  });

  test('change once the spend secret is known (hand-built control) is valid', () => {
    const tx = unsignedTx(remainderOutpoint, FINAL_SEQUENCE);
    const payerSignature = signP2shInput(tx, 0, ch.depositScript, ch.payerKey);
    const raw = withUnlocking(tx, {
      kind: 'change',
      payerSignature,
      spendSecret: ch.spendSecret,
      depositScript: ch.depositScript,
    });
    expect(onRemainder(raw)).toEqual(OK);
  });
});

describe('keys: the other party signing a spend path fails CHECKSIG', () => {
  test('payer signs the payout (with the right secret and delay)', () => {
    const tx = unsignedTx(commitOutpoint, ch.delayTime);
    const raw = withUnlocking(tx, {
      kind: 'payout',
      payeeSignature: signP2shInput(tx, 0, ch.commitScript, ch.payerKey),
      spendSecret: ch.spendSecret,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('payee signs the revoke (with the right revoke secret)', () => {
    const tx = unsignedTx(commitOutpoint, FINAL_SEQUENCE);
    const raw = withUnlocking(tx, {
      kind: 'revoke',
      payerSignature: signP2shInput(tx, 0, ch.commitScript, ch.payeeKey),
      revokeSecret: ch.revokeSecret,
      commitScript: ch.commitScript,
    });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('payee signs the expire (after expire_time)', () => {
    const tx = unsignedTx(remainderOutpoint, ch.expireTime);
    const raw = withUnlocking(tx, {
      kind: 'expire',
      payerSignature: signP2shInput(tx, 0, ch.depositScript, ch.payeeKey),
      depositScript: ch.depositScript,
    });
    expect(onRemainder(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('payee signs the change (with the spend secret it knows)', () => {
    const tx = unsignedTx(remainderOutpoint, FINAL_SEQUENCE);
    const raw = withUnlocking(tx, {
      kind: 'change',
      payerSignature: signP2shInput(tx, 0, ch.depositScript, ch.payeeKey),
      spendSecret: ch.spendSecret,
      depositScript: ch.depositScript,
    });
    expect(onRemainder(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });
});

describe('commit signatures: the 2-of-2 needs both, in order, for this transaction', () => {
  const completedTx = decodeTransaction(completed);
  const spend = parseUnlockingScript(completedTx.inputs[0]!.scriptSig);
  if (spend.kind !== 'commit') throw new TypeError('completed commit does not parse as a commit');
  const commitWith = (payerSignature: Uint8Array, payeeSignature: Uint8Array) =>
    withUnlocking(completedTx, {
      kind: 'commit',
      payerSignature,
      payeeSignature,
      depositScript: ch.depositScript,
    });

  test('swapped signatures (payee signature first)', () => {
    const raw = commitWith(spend.payeeSignature, spend.payerSignature);
    expect(onDeposit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('signed by the payer only (payee placeholder left in place)', () => {
    expect(onDeposit(commit.rawTx)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('signed by the payee only (placeholder in the payer slot)', () => {
    const raw = commitWith(PAYEE_SIGNATURE_PLACEHOLDER, spend.payeeSignature);
    expect(onDeposit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('the payer signature twice', () => {
    const raw = commitWith(spend.payerSignature, spend.payerSignature);
    expect(onDeposit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('payee signature taken from another commit of the same deposit', () => {
    const other = completeCommit(
      createCommit({
        deposit: ch.deposit,
        depositScript: ch.depositScript,
        commitScript: ch.commitScript,
        amount: AMOUNT + 1_000n,
        feeRate: 2,
        payerPrivateKey: ch.payerKey,
      }).rawTx,
      ch.depositScript,
      ch.payeeKey,
    );
    const otherSpend = parseUnlockingScript(decodeTransaction(other).inputs[0]!.scriptSig);
    if (otherSpend.kind !== 'commit') throw new TypeError('not a commit');
    expect(onDeposit(other)).toEqual(OK);
    const raw = commitWith(spend.payerSignature, otherSpend.payeeSignature);
    expect(onDeposit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('high-S payee signature: rejected by LOW_S, valid without it', () => {
    const raw = commitWith(spend.payerSignature, highS(spend.payeeSignature));
    expect(onDeposit(raw)).toEqual(failsWith('SCRIPT_ERR_SIG_DER_HIGH_S'));
    const lax = bitcore(raw, ch.depositOut, ch.deposit.value, 0, STANDARD_TEST_FLAGS & ~LOW_S);
    expect(lax).toEqual(OK);
  });
});

describe('signature reuse and malleated signatures in recovery spends', () => {
  const payout = buildPayoutTransaction({
    outpoint: commitOutpoint,
    value: AMOUNT,
    destinationScript: DEST,
    feeRate: 2,
    privateKey: ch.payeeKey,
    commitScript: ch.commitScript,
    spendSecret: ch.spendSecret,
  });
  const payoutTx = decodeTransaction(payout.rawTx);
  const payoutSpendScript = parseUnlockingScript(payoutTx.inputs[0]!.scriptSig);
  if (payoutSpendScript.kind !== 'payout') throw new TypeError('not a payout');
  const signature = payoutSpendScript.payeeSignature;

  test('the built payout is valid', () => {
    expect(onCommit(payout.rawTx)).toEqual(OK);
  });

  test('payout signature reused for a payout to another destination', () => {
    const stolen = unsignedTx(commitOutpoint, ch.delayTime, 2, p2wpkhScript(pub(ch.payerKey)));
    const raw = withUnlocking(stolen, { ...payoutSpendScript, payeeSignature: signature });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('payout signature reused on the second input of a two-input transaction', () => {
    const twoInputs: TxData = {
      ...payoutTx,
      inputs: [
        { ...payoutTx.inputs[0]!, txid: hexToBytes('11'.repeat(32)), scriptSig: new Uint8Array(0) },
        payoutTx.inputs[0]!,
      ],
    };
    const raw = encodeTransaction(twoInputs);
    expect(bitcore(raw, ch.commitOut, AMOUNT, 1)).toEqual(
      failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'),
    );
  });

  test('payout signature with nSequence changed after signing', () => {
    const raw = encodeTransaction({
      ...payoutTx,
      inputs: [{ ...payoutTx.inputs[0]!, sequence: ch.delayTime + 1 }],
    });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK'));
  });

  test('high-S payout signature: rejected by LOW_S, valid without it', () => {
    const raw = withUnlocking(payoutTx, { ...payoutSpendScript, payeeSignature: highS(signature) });
    expect(onCommit(raw)).toEqual(failsWith('SCRIPT_ERR_SIG_DER_HIGH_S'));
    expect(bitcore(raw, ch.commitOut, AMOUNT, 0, STANDARD_TEST_FLAGS & ~LOW_S)).toEqual(OK);
  });
});
