import { bytesToHex, equalBytes, hexToBytes } from '../bytes.js';
import { commitBelongsToDeposit, parseCommitScript } from '../scripts/commit-script.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { ScriptError } from '../scripts/errors.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { buildUnlockingScript, parseUnlockingScript } from '../scripts/unlocking-scripts.js';
import { type AssetTerms, assetSendOutputs } from './asset-terms.js';
import { type DepositOutput, TRANSACTION_VERSION } from './commit-transaction.js';
import { TransactionError } from './errors.js';
import { assertAmount, assertFeeRate, dustThreshold, feeFor, feeRateOf } from './fees.js';
import { publicKeyOf } from './keys.js';
import { MAX_SIZE_SIGNATURE, PAYEE_SIGNATURE_PLACEHOLDER, signP2shInput } from './p2sh-signing.js';
import {
  FINAL_SEQUENCE,
  type TxData,
  type TxOutput,
  decodeTransaction,
  encodeTransaction,
  virtualSizeOf,
  withScriptSig,
} from './raw-transaction.js';
import { assertValidSignature, legacySighash } from './signatures.js';

/** Parameters of {@link createAssetCommit}. */
export interface CreateAssetCommitParams {
  /** The deposit output; its value is BTC, the asset sits on the deposit address. */
  readonly deposit: DepositOutput;
  readonly depositScript: Uint8Array;
  readonly commitScript: Uint8Array;
  /** Cumulative asset units transferred to the payee by this commit (at least 1). */
  readonly amount: bigint;
  /**
   * BTC for the commit output: it pays the fee of the payout or revoke that later moves the
   * asset on. The same for every commit of a channel (see {@link minAssetSpendValue}).
   */
  readonly commitValue: bigint;
  /** Fee rate, sat/vB; the fee and the commit output's BTC come out of the deposit's BTC. */
  readonly feeRate: number;
  readonly payerPrivateKey: Uint8Array;
  readonly terms: AssetTerms;
}

/** An asset-mode commit transaction and its split. */
export interface AssetCommitTransaction {
  /** Raw transaction (payer-signed, payee slot holding the placeholder). */
  readonly rawTx: Uint8Array;
  /** Asset units the commit sends to P2SH(commit script). */
  readonly amount: bigint;
  /** BTC of the commit output. */
  readonly commitValue: bigint;
  /** BTC returned to P2SH(deposit script) for the change or expire. */
  readonly remainder: bigint;
  /** BTC fee. */
  readonly fee: bigint;
}

function parseDepositScriptOrThrow(depositScript: Uint8Array) {
  try {
    return parseDepositScript(depositScript);
  } catch (cause) {
    throw new TransactionError('TX_BAD_SCRIPT', `deposit script: ${(cause as Error).message}`);
  }
}

function assertOutpoint(deposit: DepositOutput): void {
  const { txid, vout } = deposit.outpoint;
  if (!/^[0-9a-f]{64}$/.test(txid) || !Number.isInteger(vout) || vout < 0 || vout > 0xffffffff) {
    throw new TransactionError('TX_INVALID_PARAMS', 'outpoint must be a 64-hex txid and a vout');
  }
}

/**
 * The three outputs of an asset commit: P2SH(commit script) with `commitValue` BTC (the send's
 * destination), the OP_RETURN sending `amount`, and P2SH(deposit script) with the BTC remainder,
 * which keeps an output at the deposit address so that its change or expire can move the asset
 * left there.
 */
function assetCommitOutputs(
  terms: AssetTerms,
  deposit: DepositOutput,
  depositScript: Uint8Array,
  commitScript: Uint8Array,
  amount: bigint,
  commitValue: bigint,
  remainder: bigint,
): TxOutput[] {
  return [
    ...assetSendOutputs(
      terms,
      amount,
      p2shOutputScript(commitScript),
      commitValue,
      deposit.outpoint.txid,
    ),
    { value: remainder, script: p2shOutputScript(depositScript) },
  ];
}

function commitTx(deposit: DepositOutput, scriptSig: Uint8Array, outputs: TxOutput[]): TxData {
  return {
    version: TRANSACTION_VERSION,
    inputs: [
      {
        txid: hexToBytes(deposit.outpoint.txid),
        index: deposit.outpoint.vout,
        scriptSig,
        sequence: FINAL_SEQUENCE,
      },
    ],
    outputs,
    lockTime: 0,
  };
}

/**
 * The BTC fee of an asset commit at `feeRate`, sized with two maximal signatures so that the
 * completed transaction never pays less.
 *
 * @throws {@link TransactionError} `TX_INVALID_PARAMS` or `TX_BAD_SCRIPT`.
 */
export function assetCommitFee(
  depositScript: Uint8Array,
  commitScript: Uint8Array,
  feeRate: number,
  terms: AssetTerms,
): bigint {
  assertFeeRate(feeRate);
  const deposit = { outpoint: { txid: '00'.repeat(32), vout: 0 }, value: 0n };
  const dust = dustThreshold(p2shOutputScript(commitScript));
  const outputs = assetCommitOutputs(terms, deposit, depositScript, commitScript, 1n, dust, 0n);
  const sizingScriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature: MAX_SIZE_SIGNATURE,
    payeeSignature: MAX_SIZE_SIGNATURE,
    depositScript,
  });
  return feeFor(virtualSizeOf(commitTx(deposit, sizingScriptSig, outputs)), feeRate);
}

/**
 * Builds and signs (as payer) an asset-mode commit: spends the deposit through the 2-of-2
 * branch, sends `amount` of the asset to P2SH(commit script) with `commitValue` BTC and returns
 * the rest of the BTC (less the fee) to P2SH(deposit script). The payee completes it with
 * `completeCommit`, which signs whatever outputs the payer signed.
 *
 * @throws {@link TransactionError} `TX_WRONG_KEY`, `TX_BAD_SCRIPT`, `TX_INVALID_PARAMS`,
 *   `TX_AMOUNT_OUT_OF_RANGE` (amount not positive or commit value below dust) or
 *   `TX_INSUFFICIENT_FUNDS` (the deposit's BTC cannot pay the commit value, the fee and a
 *   non-dust remainder).
 */
export function createAssetCommit(params: CreateAssetCommitParams): AssetCommitTransaction {
  const { deposit, depositScript, commitScript, amount, commitValue, feeRate, terms } = params;
  assertOutpoint(deposit);
  assertAmount(deposit.value, 'deposit value');
  assertAmount(commitValue, 'commit value');
  const fields = parseDepositScriptOrThrow(depositScript);
  if (!commitBelongsToDeposit(commitScript, depositScript)) {
    throw new TransactionError('TX_BAD_SCRIPT', 'commit script does not belong to the deposit');
  }
  if (!equalBytes(publicKeyOf(params.payerPrivateKey), fields.payerPubkey)) {
    throw new TransactionError('TX_WRONG_KEY', 'key is not the payer key of the deposit');
  }
  if (typeof amount !== 'bigint' || amount < 1n) {
    throw new TransactionError('TX_AMOUNT_OUT_OF_RANGE', 'an asset commit sends at least 1 unit');
  }
  if (commitValue < dustThreshold(p2shOutputScript(commitScript))) {
    throw new TransactionError('TX_AMOUNT_OUT_OF_RANGE', 'commit value is below dust');
  }
  const fee = assetCommitFee(depositScript, commitScript, feeRate, terms);
  const remainder = deposit.value - commitValue - fee;
  if (remainder < dustThreshold(p2shOutputScript(depositScript))) {
    throw new TransactionError(
      'TX_INSUFFICIENT_FUNDS',
      `deposit BTC ${deposit.value} cannot pay ${commitValue}, the fee ${fee} and a remainder`,
    );
  }
  const outputs = assetCommitOutputs(
    terms,
    deposit,
    depositScript,
    commitScript,
    amount,
    commitValue,
    remainder,
  );
  const unsigned = commitTx(deposit, p2shOutputScript(depositScript), outputs);
  const payerSignature = signP2shInput(unsigned, 0, depositScript, params.payerPrivateKey);
  const scriptSig = buildUnlockingScript({
    kind: 'commit',
    payerSignature,
    payeeSignature: PAYEE_SIGNATURE_PLACEHOLDER,
    depositScript,
  });
  return {
    rawTx: encodeTransaction(withScriptSig(unsigned, 0, scriptSig)),
    amount,
    commitValue,
    remainder,
    fee,
  };
}

/** What the payee expects of an asset commit before accepting it. */
export interface AssetCommitExpectations {
  readonly deposit: DepositOutput;
  readonly depositScript: Uint8Array;
  readonly delayTime: number;
  readonly issuedRevokeHashes: readonly Uint8Array[];
  readonly minFeeRate: number;
  readonly terms: AssetTerms;
  /** Asset units the deposit address received: no commit may send more. */
  readonly depositQuantity: bigint;
  /** Least BTC the commit output must carry for the payee's payout (see {@link minAssetSpendValue}). */
  readonly minCommitValue: bigint;
}

/** An asset commit the payee has checked in full. */
export interface VerifiedAssetCommit extends AssetCommitTransaction {
  readonly revokeSecretHash: Uint8Array;
  /** Fee rate of the completed transaction, sat/vB. */
  readonly feeRate: number;
}

function readCommitInput(tx: TxData, depositScript: Uint8Array) {
  const input = tx.inputs[0];
  if (tx.inputs.length !== 1 || !input) {
    throw new TransactionError('TX_WRONG_INPUT', 'a commit spends exactly one input');
  }
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
  if (spend.kind !== 'commit' || !equalBytes(spend.depositScript, depositScript)) {
    throw new TransactionError('TX_BAD_SCRIPT', 'the input is not a commit spend of the deposit');
  }
  return { input, spend };
}

/**
 * Checks a payer-signed asset commit in full: the checks of the BTC commit on the input, the
 * commit script, the fee rate and the payer's signature; and exactly three outputs, byte for byte
 * the ones {@link createAssetCommit} makes: P2SH(commit script) with at least `minCommitValue`
 * BTC, the OP_RETURN of a classic send of exactly `amount` units of the channel's asset (keyed by
 * the deposit txid, so Counterparty reads the deposit address as its source and the commit
 * address as its destination), and a non-dust BTC remainder to P2SH(deposit script). `amount`
 * is 1..`depositQuantity`.
 *
 * @throws {@link TransactionError} naming the first check that fails.
 */
export function verifyAssetCommit(
  rawTx: Uint8Array,
  commitScript: Uint8Array,
  amount: bigint,
  expect: AssetCommitExpectations,
): VerifiedAssetCommit {
  const tx = decodeTransaction(rawTx);
  const { deposit, depositScript } = expect;
  const depositFields = parseDepositScriptOrThrow(depositScript);
  const { input, spend } = readCommitInput(tx, depositScript);
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
    throw new TransactionError('TX_BAD_SCRIPT', `commit delay is not ${expect.delayTime}`);
  }
  if (!expect.issuedRevokeHashes.some((h) => equalBytes(h, commitFields.revokeSecretHash))) {
    throw new TransactionError('TX_BAD_SCRIPT', 'commit revoke hash was not issued by the payee');
  }
  if (typeof amount !== 'bigint' || amount < 1n || amount > expect.depositQuantity) {
    throw new TransactionError(
      'TX_AMOUNT_OUT_OF_RANGE',
      `amount ${amount} is outside 1..${expect.depositQuantity}`,
    );
  }
  const [commitOut, , remainderOut] = tx.outputs;
  if (tx.outputs.length !== 3 || !commitOut || !remainderOut) {
    throw new TransactionError('TX_WRONG_OUTPUTS', 'an asset commit has exactly three outputs');
  }
  if (commitOut.value < expect.minCommitValue) {
    throw new TransactionError(
      'TX_WRONG_OUTPUTS',
      `commit output carries ${commitOut.value} BTC, below ${expect.minCommitValue}`,
    );
  }
  let expected: TxOutput[];
  try {
    expected = assetCommitOutputs(
      expect.terms,
      deposit,
      depositScript,
      commitScript,
      amount,
      commitOut.value,
      remainderOut.value,
    );
  } catch (error) {
    if (!(error instanceof TransactionError)) throw error;
    throw new TransactionError('TX_WRONG_OUTPUTS', `commit output: ${error.message}`);
  }
  tx.outputs.forEach((output, i) => {
    if (output.value !== expected[i]!.value || !equalBytes(output.script, expected[i]!.script)) {
      throw new TransactionError(
        'TX_WRONG_OUTPUTS',
        i === 1
          ? `output 1 is not the classic send of ${amount} ${expect.terms.asset}`
          : `output ${i} does not pay the ${i === 0 ? 'commit' : 'deposit'} script`,
      );
    }
  });
  if (remainderOut.value < dustThreshold(remainderOut.script)) {
    throw new TransactionError('TX_WRONG_OUTPUTS', 'the remainder is dust');
  }
  const fee = deposit.value - commitOut.value - remainderOut.value;
  const completedSize = virtualSizeOf(
    withScriptSig(tx, 0, buildUnlockingScript({ ...spend, payeeSignature: MAX_SIZE_SIGNATURE })),
  );
  const feeRate = feeRateOf(fee, completedSize);
  if (fee < 0n || fee < feeFor(completedSize, expect.minFeeRate)) {
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
    commitValue: commitOut.value,
    remainder: remainderOut.value,
    fee,
    revokeSecretHash: commitFields.revokeSecretHash,
    feeRate,
  };
}
