import { bytesToHex, equalBytes, hexToBytes } from '../bytes.js';
import { checkAssetDepositAddress } from '../counterparty/asset-address-guards.js';
import { assetTermsOf } from '../machines/asset-mode.js';
import type { AssetDepositReading } from '../machines/asset-readings.js';
import type { ChannelAsset, PayeeContext, PayeeCommitRecord } from '../machines/context.js';
import { type VerifiedAssetCommit, verifyAssetCommit } from '../transactions/asset-commit.js';
import { revokeUntil, transferredAmount } from '../machines/bookkeeping.js';
import type { LoadedHistory } from '../machines/history.js';
import {
  type PayeeHistoryActive,
  activeCommitByScript,
  activeCommitsFor,
} from '../machines/payee-history.js';
import { parseAmount } from '../messages/amount.js';
import type { CommitMessage, DepositFundedMessage, DepositMessage } from '../messages/schema.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { verifyPayerCommit, type VerifiedCommit } from '../transactions/commit-transaction.js';
import { extractSpendSecret } from '../scripts/secret-extraction.js';
import { decodeTransaction } from '../transactions/raw-transaction.js';
import { assetMismatch } from './asset-match.js';
import { type Check, attempt, fail, pass } from './check.js';
import {
  blocksUntilUnlocked,
  checkChannelId,
  checkReportedTransaction,
  relativeLockPassed,
} from './channel-guards.js';

const inRange = (value: number, range: { min: number; max: number }) =>
  value >= range.min && value <= range.max;

/** What the payee learns from an acceptable `deposit` message. */
export interface AcceptedDeposit {
  readonly payerPubkey: string;
  readonly expireTime: number;
  readonly delayTime: number;
  /** Asset mode: the asset terms the deposit announces. */
  readonly asset?: ChannelAsset;
}

/**
 * Asset mode: the deposit must be for the offered asset, with a positive quantity and at least
 * the BTC per commit output the offer asked (a BTC channel takes no asset deposit).
 */
function checkDepositAsset(
  context: PayeeContext,
  message: DepositMessage,
): Check<ChannelAsset | null> {
  const offered = context.asset;
  const announced = message.asset;
  const mismatch = assetMismatch('DEPOSIT_UNACCEPTABLE', 'deposit', offered, announced);
  if (mismatch) return mismatch;
  if (!offered || !announced) return pass(null);
  if (parseAmount(announced.commitValue) < parseAmount(offered.commitValue)) {
    return fail(
      'DEPOSIT_UNACCEPTABLE',
      `commit value ${announced.commitValue} is below the offered ${offered.commitValue}`,
    );
  }
  if (parseAmount(announced.quantity) === 0n)
    return fail('DEPOSIT_UNACCEPTABLE', 'the deposit locks no asset');
  return pass({
    asset: announced.asset,
    quantity: announced.quantity,
    commitValue: announced.commitValue,
  });
}

/**
 * The payer's deposit script must name this payee's key and spend secret hash, the payer key it
 * announces, an expire time within the offered range and longer than the clearance, and a delay
 * within the offered range.
 */
export function checkDeposit(
  context: PayeeContext,
  message: DepositMessage,
): Check<AcceptedDeposit> {
  const channel = checkChannelId(context.channelId, message);
  if (!channel.ok) return channel;
  const parsed = attempt(() => parseDepositScript(hexToBytes(message.depositScript)));
  if (!parsed.ok) return parsed;
  const fields = parsed.value;
  if (!equalBytes(fields.payeePubkey, hexToBytes(context.payeePubkey)))
    return fail('DEPOSIT_UNACCEPTABLE', 'deposit script pays another payee');
  if (bytesToHex(fields.spendSecretHash) !== context.spendSecretHash)
    return fail('DEPOSIT_UNACCEPTABLE', 'deposit script has another spend secret hash');
  if (bytesToHex(fields.payerPubkey) !== message.payerPubkey)
    return fail('DEPOSIT_UNACCEPTABLE', 'deposit script names another payer key');
  if (
    !inRange(fields.expireTime, context.expireTimeRange) ||
    fields.expireTime <= context.clearance
  ) {
    return fail(
      'DEPOSIT_UNACCEPTABLE',
      `expire time ${fields.expireTime} outside the offered range`,
    );
  }
  if (!inRange(message.delayTime, context.delayTimeRange))
    return fail('DEPOSIT_UNACCEPTABLE', `delay ${message.delayTime} outside the offered range`);
  const asset = checkDepositAsset(context, message);
  if (!asset.ok) return asset;
  return pass({
    payerPubkey: message.payerPubkey,
    expireTime: fields.expireTime,
    delayTime: message.delayTime,
    ...(asset.value ? { asset: asset.value } : {}),
  });
}

/** A funding announcement is accepted once per channel: the deposit may only be used once. */
export function checkDepositFunded(context: PayeeContext, message: DepositFundedMessage): Check {
  const channel = checkChannelId(context.channelId, message);
  if (!channel.ok) return channel;
  if (context.deposit !== null)
    return fail('DEPOSIT_REUSED', 'this channel already has its deposit');
  if (parseAmount(message.value) === 0n) return fail('DEPOSIT_MISMATCH', 'deposit value is zero');
  return pass(true);
}

/** The confirmed deposit transaction must pay the announced value to P2SH(deposit script) at the announced output. */
export function checkDepositConfirmation(
  context: PayeeContext,
  txid: string,
  rawTx: string,
  reading?: AssetDepositReading,
  blockHeight?: number,
): Check {
  const deposit = context.deposit;
  if (!deposit || !context.depositScript || txid !== deposit.txid)
    return fail('UNRELATED_TRANSACTION', 'not the deposit transaction');
  const tx = checkReportedTransaction(txid, rawTx);
  if (!tx.ok) return tx;
  const output = tx.value.outputs[deposit.vout];
  const expectedScript = p2shOutputScript(hexToBytes(context.depositScript));
  if (
    !output ||
    !equalBytes(output.script, expectedScript) ||
    output.value !== parseAmount(deposit.value)
  ) {
    return fail(
      'DEPOSIT_MISMATCH',
      'the deposit output does not pay the announced value to the deposit script',
    );
  }
  return context.asset ? checkAssetDeposit(context, reading, blockHeight) : pass(true);
}

/**
 * Asset mode: the deposit address holds at least the announced quantity as Counterparty
 * computed it after the deposit's block, and no output there confirmed before the deposit
 * output (it would let the payer expire the asset before the deposit expires).
 */
function checkAssetDeposit(
  context: PayeeContext,
  reading: AssetDepositReading | undefined,
  blockHeight: number | undefined,
): Check {
  const deposit = context.deposit!;
  const asset = context.asset!;
  if (!reading || blockHeight === undefined)
    return fail('ASSET_READING_MISSING', 'an asset deposit is judged with the ledger reading');
  const balance = attempt(() => parseAmount(reading.balance));
  if (!balance.ok) return fail('DEPOSIT_MISMATCH', 'the ledger balance is not an amount');
  if (balance.value < parseAmount(asset.quantity)) {
    return fail(
      'DEPOSIT_MISMATCH',
      `the deposit address holds ${reading.balance} ${asset.asset}, not ${asset.quantity}`,
    );
  }
  const address = attempt(() =>
    checkAssetDepositAddress(
      reading.outputs,
      { txid: deposit.txid, vout: deposit.vout },
      blockHeight,
    ),
  );
  return address.ok ? pass(true) : fail('DEPOSIT_MISMATCH', address.reason);
}

/**
 * A commit is accepted only when it verifies in full (PROTOCOL.md §6: issued revoke hash, script of
 * this deposit with the agreed delay, the confirmed deposit outpoint, exact outputs, capacity, fee
 * floor, payer signature) and raises the transferred amount.
 */
export function checkCommit(
  context: PayeeContext,
  message: CommitMessage,
): Check<VerifiedCommit | VerifiedAssetCommit> {
  const channel = checkChannelId(context.channelId, message);
  if (!channel.ok) return channel;
  const { deposit, depositScript, delayTime } = context;
  if (!deposit || deposit.confirmedHeight === null || !depositScript || delayTime === null) {
    return fail('DEPOSIT_UNCONFIRMED', 'commits need a confirmed deposit');
  }
  const amount = parseAmount(message.amount);
  if (amount <= transferredAmount(context.activeCommits))
    return fail(
      'AMOUNT_NOT_INCREASING',
      `commit of ${amount} does not raise the transferred amount`,
    );
  const expect = {
    deposit: {
      outpoint: { txid: deposit.txid, vout: deposit.vout },
      value: parseAmount(deposit.value),
    },
    depositScript: depositScriptBytes(depositScript),
    delayTime,
    issuedRevokeHashes: context.requestedRevokes.map((r) => hexToBytes(r.hash)),
    minFeeRate: context.minFeeRate,
  };
  const commitTx = hexToBytes(message.commitTx);
  const commitScript = hexToBytes(message.commitScript);
  const terms = assetTermsOf(context);
  if (terms) {
    const asset = context.asset!;
    return attempt(() =>
      verifyAssetCommit(commitTx, commitScript, amount, {
        ...expect,
        terms,
        depositQuantity: parseAmount(asset.quantity),
        minCommitValue: parseAmount(asset.commitValue),
      }),
    );
  }
  return attempt(() => verifyPayerCommit(commitTx, commitScript, amount, expect));
}

/** The last deposit script decoded from hex: a channel's commits all name the same one. */
let lastDeposit: { hex: string; bytes: Uint8Array } | null = null;

/** `hexToBytes(hex)`, a copy of the last result when asked about the same text again. */
function depositScriptBytes(hex: string): Uint8Array {
  if (lastDeposit?.hex !== hex) lastDeposit = { hex, bytes: hexToBytes(hex) };
  return Uint8Array.from(lastDeposit.bytes);
}

/** Revoke-until must name a well-formed amount and revoke at least one commit. */
export function checkRevokeUntil(
  context: PayeeContext,
  amount: string,
  surpass: boolean,
  history: LoadedHistory = {},
): Check<RevokeUntilPlan> {
  let quantity: bigint;
  try {
    quantity = parseAmount(amount);
  } catch {
    return fail('AMOUNT_INVALID', `not an amount: ${amount}`);
  }
  const active = activeCommitsFor(context, history, quantity);
  if (!active.consistent)
    return fail(
      'HISTORY_INCOMPLETE',
      'the lower active commits this give-back reaches are not in the loaded history',
    );
  const { revoke, keep } = revokeUntil(active.commits, quantity, surpass);
  return revoke.length > 0
    ? pass({ revoke, keep, loaded: active.loaded })
    : fail('NOTHING_TO_REVOKE', `no commit to revoke down to ${amount}`);
}

/** What revoke-until gives back and keeps, over the context's commits and the loaded history. */
export interface RevokeUntilPlan {
  /** Commits given back, highest first. */
  readonly revoke: PayeeCommitRecord[];
  /** Commits kept, ascending. */
  readonly keep: PayeeCommitRecord[];
  /** The history records the plan looked at, highest first. */
  readonly loaded: readonly PayeeHistoryActive[];
}

/** Blocks left before the payer may expire the deposit; null before it confirms. */
export function depositBlocksLeft(
  context: Pick<PayeeContext, 'deposit' | 'expireTime' | 'height'>,
): number | null {
  const { deposit, expireTime, height } = context;
  if (!deposit || deposit.confirmedHeight === null || expireTime === null) return null;
  return blocksUntilUnlocked(deposit.confirmedHeight, expireTime, height);
}

/** The payee must close now: fewer than `clearance` blocks are left before the deposit expires. */
export function closeDeadlineReached(context: PayeeContext): boolean {
  const left = depositBlocksLeft(context);
  return left !== null && left < context.clearance;
}

/**
 * The payee gives the offer up: `fundingTimeout` blocks passed since it was made and the channel
 * has not opened. A hub must not keep dead offers forever.
 */
export function fundingTimedOut(context: PayeeContext): boolean {
  return context.height - context.offerHeight >= context.fundingTimeout;
}

/** The published commit has been confirmed for `delay_time` blocks: the payout can be mined next. */
export function payoutDelayPassed(context: PayeeContext): boolean {
  return (
    context.published !== null &&
    context.delayTime !== null &&
    relativeLockPassed(context.published.confirmedHeight, context.delayTime, context.height)
  );
}

/** One of the payee's commits, as found on chain. */
export interface OwnCommitOnChain {
  readonly commitScript: string;
  readonly amount: string;
}

/**
 * The payee's own commit that `rawTx` publishes, recognised by what it pays: its first output
 * pays P2SH of the commit script of the published commit or of an active one. Never by txid: a
 * miner may include a copy whose signature encoding (and so txid) differs.
 */
export function ownCommitPublished(
  context: PayeeContext,
  rawTx: string,
  history: LoadedHistory = {},
): OwnCommitOnChain | null {
  const decoded = attempt(() => decodeTransaction(hexToBytes(rawTx)));
  const first = decoded.ok ? decoded.value.outputs[0] : undefined;
  if (!first) return null;
  return activeCommitByScript(context, history, bytesToHex(first.script));
}

/**
 * True when `rawTx` is the payee's payout of the published commit, recognised by its spend path
 * (the payout spend that reveals the spend secret), whatever its txid.
 */
export function isOwnPayout(context: PayeeContext, rawTx: string): boolean {
  if (!context.published) return false;
  const decoded = attempt(() => hexToBytes(rawTx));
  return (
    decoded.ok &&
    extractSpendSecret(decoded.value, hexToBytes(context.published.commitScript)) !== null
  );
}
