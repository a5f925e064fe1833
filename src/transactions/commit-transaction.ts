import { bytesToHex, equalBytes, hexToBytes } from '../bytes.js';
import { commitBelongsToDeposit, parseCommitScript } from '../scripts/commit-script.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { ScriptError } from '../scripts/errors.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { buildUnlockingScript, parseUnlockingScript } from '../scripts/unlocking-scripts.js';
import { TransactionError } from './errors.js';
import { assertAmount, assertFeeRate, dustThreshold, feeFor, feeRateOf } from './fees.js';
import { publicKeyOf } from './keys.js';
import { MAX_SIZE_SIGNATURE, PAYEE_SIGNATURE_PLACEHOLDER, signP2shInput } from './p2sh-signing.js';
import {
  FINAL_SEQUENCE,
  type Outpoint,
  type TxData,
  decodeTransaction,
  encodeTransaction,
  virtualSizeOf,
  withScriptSig,
} from './raw-transaction.js';
import { assertValidSignature, legacySighash } from './signatures.js';

/** Version of every transaction the library builds (needed for BIP68/BIP112). */
export const TRANSACTION_VERSION = 2;

/** The deposit output a channel's commits spend. */
export interface DepositOutput {
  readonly outpoint: Outpoint;
  /** Value of the deposit output, satoshis. */
  readonly value: bigint;
}

/** Parameters of {@link createCommit}. */
export interface CreateCommitParams {
  readonly deposit: DepositOutput;
  readonly depositScript: Uint8Array;
  readonly commitScript: Uint8Array;
  /** Cumulative amount transferred to the payee by this commit, satoshis. */
  readonly amount: bigint;
  /** Fee rate, sat/vB; the fee is taken from the payer's remainder. */
  readonly feeRate: number;
  readonly payerPrivateKey: Uint8Array;
}

/** A commit transaction and its value split. */
export interface CommitTransaction {
  /** Raw transaction (payer-signed with the payee slot holding the placeholder, or complete). */
  readonly rawTx: Uint8Array;
  /** Amount paid to P2SH(commit script). */
  readonly amount: bigint;
  /** Value returned to P2SH(deposit script); 0 when below dust and left to the fee. */
  readonly remainder: bigint;
  readonly fee: bigint;
}

/** Capacity bounds of a deposit at a fee rate: the smallest and largest commit amount. */
export interface CommitCapacity {
  readonly minAmount: bigint;
  readonly maxAmount: bigint;
}

function outpointInput(outpoint: Outpoint, scriptSig: Uint8Array) {
  if (
    !/^[0-9a-f]{64}$/.test(outpoint.txid) ||
    !Number.isInteger(outpoint.vout) ||
    outpoint.vout < 0 ||
    outpoint.vout > 0xffffffff
  ) {
    throw new TransactionError(
      'TX_INVALID_PARAMS',
      'outpoint must be a 64-hex txid and a 32-bit vout',
    );
  }
  return {
    txid: hexToBytes(outpoint.txid),
    index: outpoint.vout,
    scriptSig,
    sequence: FINAL_SEQUENCE,
  };
}

function commitSkeleton(
  deposit: DepositOutput,
  depositScript: Uint8Array,
  outputs: TxData['outputs'],
): TxData {
  // Sized with two maximal signatures so that the real transaction is never larger than estimated.
  const sizingScriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature: MAX_SIZE_SIGNATURE,
    payeeSignature: MAX_SIZE_SIGNATURE,
    depositScript,
  });
  return {
    version: TRANSACTION_VERSION,
    inputs: [outpointInput(deposit.outpoint, sizingScriptSig)],
    outputs,
    lockTime: 0,
  };
}

/**
 * Splits a deposit into commit amount, remainder and fee. The remainder output is left out when
 * it would be dust; its value then goes to the fee.
 */
function splitDeposit(
  deposit: DepositOutput,
  depositScript: Uint8Array,
  commitScript: Uint8Array,
  amount: bigint,
  feeRate: number,
) {
  const commitOut = { value: amount, script: p2shOutputScript(commitScript) };
  const depositOutScript = p2shOutputScript(depositScript);
  const withRemainder = commitSkeleton(deposit, depositScript, [
    commitOut,
    { value: 0n, script: depositOutScript },
  ]);
  const feeWithRemainder = feeFor(virtualSizeOf(withRemainder), feeRate);
  const remainder = deposit.value - amount - feeWithRemainder;
  if (remainder >= dustThreshold(depositOutScript)) {
    return {
      outputs: [commitOut, { value: remainder, script: depositOutScript }],
      remainder,
      fee: feeWithRemainder,
    };
  }
  const alone = commitSkeleton(deposit, depositScript, [commitOut]);
  const minFee = feeFor(virtualSizeOf(alone), feeRate);
  if (deposit.value - amount < minFee) {
    throw new TransactionError(
      'TX_AMOUNT_OUT_OF_RANGE',
      `amount ${amount} leaves less than the fee ${minFee}`,
    );
  }
  return { outputs: [commitOut], remainder: 0n, fee: deposit.value - amount };
}

/**
 * The range of commit amounts a deposit supports at a fee rate: at least the P2SH dust limit,
 * at most the deposit value less the fee of a commit without remainder.
 */
export function commitCapacity(
  deposit: DepositOutput,
  depositScript: Uint8Array,
  commitScript: Uint8Array,
  feeRate: number,
): CommitCapacity {
  assertFeeRate(feeRate);
  const commitOutScript = p2shOutputScript(commitScript);
  const alone = commitSkeleton(deposit, depositScript, [{ value: 0n, script: commitOutScript }]);
  return {
    minAmount: dustThreshold(commitOutScript),
    maxAmount: deposit.value - feeFor(virtualSizeOf(alone), feeRate),
  };
}

/**
 * Builds and signs (as payer) the commit transaction for a cumulative amount: spends the deposit
 * through the 2-of-2 branch, pays `amount` to P2SH(commit script) and the remainder back to
 * P2SH(deposit script). The payee's slot holds {@link PAYEE_SIGNATURE_PLACEHOLDER}.
 *
 * @throws {@link TransactionError} for a wrong key, a script mismatch, or an amount the deposit cannot carry.
 */
export function createCommit(params: CreateCommitParams): CommitTransaction {
  const { deposit, depositScript, commitScript, amount, feeRate, payerPrivateKey } = params;
  assertAmount(amount);
  assertAmount(deposit.value, 'deposit value');
  assertFeeRate(feeRate);
  const depositFields = parseDepositScriptOrThrow(depositScript);
  if (!commitBelongsToDeposit(commitScript, depositScript)) {
    throw new TransactionError(
      'TX_BAD_SCRIPT',
      'commit script does not belong to the deposit script',
    );
  }
  if (!equalBytes(publicKeyOf(payerPrivateKey), depositFields.payerPubkey)) {
    throw new TransactionError('TX_WRONG_KEY', 'key is not the payer key of the deposit');
  }
  const capacity = commitCapacity(deposit, depositScript, commitScript, feeRate);
  if (amount < capacity.minAmount || amount > capacity.maxAmount) {
    throw new TransactionError(
      'TX_AMOUNT_OUT_OF_RANGE',
      `amount ${amount} outside ${capacity.minAmount}..${capacity.maxAmount}`,
    );
  }
  const split = splitDeposit(deposit, depositScript, commitScript, amount, feeRate);
  const unsigned = commitSkeleton(deposit, depositScript, split.outputs);
  const payerSignature = signP2shInput(unsigned, 0, depositScript, payerPrivateKey);
  const scriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature,
    payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
    depositScript,
  });
  return {
    rawTx: encodeTransaction(withScriptSig(unsigned, 0, scriptSig)),
    amount,
    remainder: split.remainder,
    fee: split.fee,
  };
}

function parseDepositScriptOrThrow(depositScript: Uint8Array) {
  try {
    return parseDepositScript(depositScript);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
  }
}

/** What the payee expects of a commit before accepting it. */
export interface CommitExpectations {
  readonly deposit: DepositOutput;
  readonly depositScript: Uint8Array;
  /** The delay agreed for this channel's commit scripts. */
  readonly delayTime: number;
  /** Revoke secret hashes the payee has issued and not yet seen used. */
  readonly issuedRevokeHashes: readonly Uint8Array[];
  /** The payee's fee-rate floor, sat/vB. */
  readonly minFeeRate: number;
}

/** A commit the payee has checked in full. */
export interface VerifiedCommit extends CommitTransaction {
  readonly revokeSecretHash: Uint8Array;
  /** Fee rate of the completed transaction (payee signature at its largest), sat/vB. */
  readonly feeRate: number;
}

/**
 * Reads the payer's and payee's signatures and checks the redeem script of a commit input.
 * Distinguishes an unsigned input (only the P2SH placeholder or nothing) from a foreign script.
 */
function readCommitInput(tx: TxData, depositScript: Uint8Array) {
  const input = tx.inputs[0];
  if (tx.inputs.length !== 1 || !input)
    throw new TransactionError('TX_WRONG_INPUT', 'a commit spends exactly one input');
  if (
    input.scriptSig.length === 0 ||
    equalBytes(input.scriptSig, p2shOutputScript(depositScript))
  ) {
    throw new TransactionError('TX_UNSIGNED', 'the commit carries no payer signature');
  }
  let spend: ReturnType<typeof parseUnlockingScript>;
  try {
    spend = parseUnlockingScript(input.scriptSig);
  } catch (cause) {
    if (cause instanceof ScriptError && cause.code === 'SCRIPT_INVALID_SIGNATURE_PUSH') {
      throw new TransactionError('TX_BAD_SIGNATURE_FORMAT', cause.message);
    }
    throw new TransactionError('TX_BAD_SCRIPT', `commit input: ${(cause as Error).message}`);
  }
  if (spend.kind !== 'commit')
    throw new TransactionError('TX_BAD_SCRIPT', `input is a ${spend.kind} spend, not a commit`);
  if (!equalBytes(spend.depositScript, depositScript)) {
    throw new TransactionError('TX_BAD_SCRIPT', 'the commit spends a different deposit script');
  }
  return spend;
}

/**
 * Checks a payer-signed commit in full before the payee relies on it: one input spending the
 * channel's deposit outpoint through the 2-of-2 branch with a final nSequence; version 2,
 * nLockTime 0 and no witness data; outputs exactly `amount` to P2SH(commit script) and
 * optionally a non-dust remainder to P2SH(deposit script); a commit script that belongs to the
 * deposit, carries an issued revoke hash and the agreed delay; a fee rate at or above the floor;
 * a strict-DER, low-S, SIGHASH_ALL payer signature that verifies.
 *
 * @throws {@link TransactionError} naming the first check that fails.
 */
export function verifyPayerCommit(
  rawTx: Uint8Array,
  commitScript: Uint8Array,
  amount: bigint,
  expect: CommitExpectations,
): VerifiedCommit {
  const tx = decodeTransaction(rawTx);
  const { deposit, depositScript } = expect;
  const depositFields = parseDepositScriptOrThrow(depositScript);
  const spend = readCommitInput(tx, depositScript);
  const input = tx.inputs[0]!;
  if (bytesToHex(input.txid) !== deposit.outpoint.txid || input.index !== deposit.outpoint.vout) {
    throw new TransactionError('TX_WRONG_INPUT', 'the commit does not spend the channel deposit');
  }
  if (
    tx.version !== TRANSACTION_VERSION ||
    tx.lockTime !== 0 ||
    input.sequence !== FINAL_SEQUENCE
  ) {
    throw new TransactionError(
      'TX_WRONG_FIELDS',
      'a commit is version 2 with nLockTime 0 and a final nSequence',
    );
  }
  // Witness data on a legacy P2SH input makes the transaction invalid (and is not signed over).
  if (tx.witnesses?.some((w) => w.length > 0)) {
    throw new TransactionError('TX_WRONG_FIELDS', 'a commit carries no witness data');
  }
  let commitFields: ReturnType<typeof parseCommitScript>;
  try {
    commitFields = parseCommitScript(commitScript);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `commit script: ${(cause as Error).message}`);
  }
  if (!commitBelongsToDeposit(commitScript, depositScript)) {
    throw new TransactionError('TX_BAD_SCRIPT', 'commit script does not belong to the deposit');
  }
  if (commitFields.delayTime !== expect.delayTime) {
    throw new TransactionError(
      'TX_BAD_SCRIPT',
      `commit delay ${commitFields.delayTime} is not the agreed ${expect.delayTime}`,
    );
  }
  if (!expect.issuedRevokeHashes.some((h) => equalBytes(h, commitFields.revokeSecretHash))) {
    throw new TransactionError('TX_BAD_SCRIPT', 'commit revoke hash was not issued by the payee');
  }
  const [commitOut, remainderOut, ...extra] = tx.outputs;
  if (
    !commitOut ||
    extra.length > 0 ||
    !equalBytes(commitOut.script, p2shOutputScript(commitScript))
  ) {
    throw new TransactionError(
      'TX_WRONG_OUTPUTS',
      'first output must pay P2SH(commit script), with at most a remainder after it',
    );
  }
  if (commitOut.value !== amount) {
    throw new TransactionError(
      'TX_WRONG_OUTPUTS',
      `commit output pays ${commitOut.value}, not the claimed ${amount}`,
    );
  }
  const depositOutScript = p2shOutputScript(depositScript);
  if (
    remainderOut &&
    (!equalBytes(remainderOut.script, depositOutScript) ||
      remainderOut.value < dustThreshold(depositOutScript))
  ) {
    throw new TransactionError(
      'TX_WRONG_OUTPUTS',
      'remainder must be a non-dust output to P2SH(deposit script)',
    );
  }
  const remainder = remainderOut?.value ?? 0n;
  if (amount < dustThreshold(commitOut.script) || amount + remainder > deposit.value) {
    throw new TransactionError(
      'TX_AMOUNT_OUT_OF_RANGE',
      `amount ${amount} is dust or exceeds the deposit`,
    );
  }
  const fee = deposit.value - amount - remainder;
  const completedSize = virtualSizeOf(
    withScriptSig(tx, 0, buildUnlockingScript({ ...spend, payeeSignature: MAX_SIZE_SIGNATURE })),
  );
  const feeRate = feeRateOf(fee, completedSize);
  if (fee < feeFor(completedSize, expect.minFeeRate)) {
    throw new TransactionError(
      'TX_FEE_TOO_LOW',
      `fee rate ${feeRate.toFixed(3)} sat/vB is below the floor ${expect.minFeeRate}`,
    );
  }
  const sighash = legacySighash(tx, 0, depositScript);
  assertValidSignature(spend.payerSignature, sighash, depositFields.payerPubkey, 'payer signature');
  return {
    rawTx,
    amount,
    remainder,
    fee,
    revokeSecretHash: commitFields.revokeSecretHash,
    feeRate,
  };
}

/**
 * Completes a payer-signed commit with the payee's signature (the reference's "finalize").
 * Refuses a commit whose redeem script is not `depositScript`, that is unsigned, or whose payer
 * signature is malformed or invalid.
 *
 * @throws {@link TransactionError} `TX_BAD_SCRIPT`, `TX_UNSIGNED`, `TX_BAD_SIGNATURE_FORMAT`,
 * `TX_BAD_SIGNATURE`, `TX_WRONG_KEY` or `TX_MALFORMED`.
 */
export function completeCommit(
  rawTx: Uint8Array,
  depositScript: Uint8Array,
  payeePrivateKey: Uint8Array,
): Uint8Array {
  const tx = decodeTransaction(rawTx);
  const depositFields = parseDepositScriptOrThrow(depositScript);
  if (!equalBytes(publicKeyOf(payeePrivateKey), depositFields.payeePubkey)) {
    throw new TransactionError('TX_WRONG_KEY', 'key is not the payee key of the deposit');
  }
  const spend = readCommitInput(tx, depositScript);
  const sighash = legacySighash(tx, 0, depositScript);
  assertValidSignature(spend.payerSignature, sighash, depositFields.payerPubkey, 'payer signature');
  const payeeSignature = signP2shInput(tx, 0, depositScript, payeePrivateKey);
  // Witness data is not covered by the signatures and invalidates a P2SH input: drop any.
  const completed = withScriptSig(tx, 0, buildUnlockingScript({ ...spend, payeeSignature }));
  return encodeTransaction({ ...completed, witnesses: undefined });
}
