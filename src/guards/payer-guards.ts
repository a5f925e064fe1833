import { bytesToHex, equalBytes, hexToBytes } from '../bytes.js';
import type { PayerContext, PublishedCommit } from '../machines/context.js';
import { type LoadedHistory, payerCommitKey } from '../machines/history.js';
import {
  findPayerCommit,
  findPayerCommitByScript,
  matchPayerSecrets,
  newTopUnrevoked,
  revokeHashes,
} from '../machines/payer-history.js';
import { formatAmount, parseAmount } from '../messages/amount.js';
import type { OfferMessage, RevokeHashMessage, RevokeSecretsMessage } from '../messages/schema.js';
import { assetRevocationTrusted } from '../counterparty/asset-address-guards.js';
import { type PayerAssetBudget, assetTermsOf, payerAssetBudget } from '../machines/asset-mode.js';
import type { CommitAddressReadings } from '../machines/asset-readings.js';
import { buildCommitScript } from '../scripts/commit-script.js';
import { buildDepositScript } from '../scripts/deposit-script.js';
import { p2shOutputScript } from '../scripts/p2sh.js';
import { commitCapacity } from '../transactions/commit-transaction.js';
import { assetMismatch } from './asset-match.js';
import { type Check, attempt, fail, pass } from './check.js';
import { checkChannelId, checkReportedTransaction, relativeLockPassed } from './channel-guards.js';

const clamp = (value: number, range: { min: number; max: number }) =>
  Math.min(Math.max(value, range.min), range.max);

/** The times the payer settles on for an acceptable offer. */
export interface AcceptedOffer {
  readonly expireTime: number;
  readonly delayTime: number;
  /** The deposit script these terms give. */
  readonly depositScript: Uint8Array;
  /** Asset mode: the BTC the channel carries (see {@link payerAssetBudget}). */
  readonly asset: PayerAssetBudget | null;
}

/**
 * Asset mode: the offer must be for the payer's asset (a BTC channel takes no asset offer), and
 * the BTC it asks of every commit output at most the payer's `maxCommitValue`: that BTC goes
 * to the payee with a payout.
 */
function checkOfferAsset(
  context: PayerContext,
  message: OfferMessage,
  depositScript: Uint8Array,
  delayTime: number,
): Check<PayerAssetBudget | null> {
  const wanted = context.asset;
  const offered = message.asset;
  const mismatch = assetMismatch('OFFER_UNACCEPTABLE', 'offer', wanted, offered);
  if (mismatch) return mismatch;
  if (!wanted || !offered) return pass(null);
  const budget = attempt(() =>
    payerAssetBudget(
      context,
      assetTermsOf(context)!,
      depositScript,
      delayTime,
      parseAmount(offered.commitValue),
    ),
  );
  if (!budget.ok) return budget;
  const cap = wanted.maxCommitValue;
  if (cap !== undefined && budget.value.commitValue > parseAmount(cap)) {
    return fail(
      'OFFER_UNACCEPTABLE',
      `commit value ${offered.commitValue} exceeds the payer's maximum of ${cap}`,
    );
  }
  return budget;
}

/**
 * The part of an offered range the payer accepts: the offer's range cut to the payer's own
 * bounds, or null when nothing is left.
 */
function acceptedRange(
  offered: { min: number; max: number },
  bounds: { min: number; max: number },
): { min: number; max: number } | null {
  const min = Math.max(offered.min, bounds.min);
  const max = Math.min(offered.max, bounds.max);
  return min <= max ? { min, max } : null;
}

/**
 * An offer is acceptable when it is for this channel and network, names a key other than the
 * payer's, asks a fee floor no higher than the payer's own fee rate, and its time ranges reach
 * into the payer's bounds: a payout delay of at least `minDelayTime` (so a revoked commit can
 * always be answered with a revoke) and a deposit expiry of at most `maxExpireTime` (so a
 * vanished payee cannot lock the deposit for long). The payer's preferred times are moved into
 * what is left of the ranges.
 */
export function checkOffer(context: PayerContext, message: OfferMessage): Check<AcceptedOffer> {
  const channel = checkChannelId(context.channelId, message);
  if (!channel.ok) return channel;
  if (message.network !== context.network)
    return fail('OFFER_UNACCEPTABLE', `offer is for ${message.network}, not ${context.network}`);
  if (message.payeePubkey === context.payerPubkey)
    return fail('OFFER_UNACCEPTABLE', 'payee key equals the payer key');
  if (message.minFeeRate > context.feeRate) {
    return fail(
      'OFFER_UNACCEPTABLE',
      `fee floor ${message.minFeeRate} exceeds the payer's rate ${context.feeRate}`,
    );
  }
  const delay = acceptedRange(message.delayTime, { min: context.minDelayTime, max: 65535 });
  if (!delay) {
    return fail(
      'OFFER_DELAY_TOO_SHORT',
      `offered delay ${message.delayTime.min}..${message.delayTime.max} is below the payer's minimum of ${context.minDelayTime} blocks`,
    );
  }
  const expire = acceptedRange(message.expireTime, { min: 1, max: context.maxExpireTime });
  if (!expire) {
    return fail(
      'OFFER_EXPIRE_TOO_LONG',
      `offered expiry ${message.expireTime.min}..${message.expireTime.max} exceeds the payer's maximum of ${context.maxExpireTime} blocks`,
    );
  }
  const delayTime = clamp(context.preferredDelayTime, delay);
  const expireTime = clamp(context.preferredExpireTime, expire);
  // The payout delay runs after the commit confirms, which must happen before expiry.
  if (delayTime >= expireTime) {
    return fail(
      'OFFER_UNACCEPTABLE',
      `the accepted delay ${delayTime} is not below the accepted expiry ${expireTime}`,
    );
  }
  const depositScript = attempt(() =>
    buildDepositScript({
      payerPubkey: hexToBytes(context.payerPubkey),
      payeePubkey: hexToBytes(message.payeePubkey),
      spendSecretHash: hexToBytes(message.spendSecretHash),
      expireTime,
    }),
  );
  if (!depositScript.ok) return depositScript;
  const asset = checkOfferAsset(context, message, depositScript.value, delayTime);
  if (!asset.ok) return asset;
  return pass({ expireTime, delayTime, depositScript: depositScript.value, asset: asset.value });
}

/** The wallet's deposit transaction must pay the deposit amount to P2SH(deposit script) at `vout`. */
export function checkDepositPublished(
  context: PayerContext,
  txid: string,
  vout: number,
  rawTx: string,
): Check {
  if (!context.depositScript) return fail('UNEXPECTED_EVENT', 'no deposit script yet');
  const tx = checkReportedTransaction(txid, rawTx);
  if (!tx.ok) return tx;
  const output = tx.value.outputs[vout];
  if (
    !output ||
    !equalBytes(output.script, p2shOutputScript(hexToBytes(context.depositScript))) ||
    output.value !== parseAmount(context.depositAmount)
  ) {
    return fail(
      'DEPOSIT_MISMATCH',
      'the transaction does not pay the deposit amount to the deposit script',
    );
  }
  return pass(true);
}

/** A revoke hash is usable unless a commit of this channel already carries it. */
export function checkRevokeHash(
  context: PayerContext,
  message: RevokeHashMessage,
  history: LoadedHistory = {},
): Check {
  const channel = checkChannelId(context.channelId, message);
  if (!channel.ok) return channel;
  const hash = message.revokeSecretHash;
  if (context.commits.some((c) => c.revokeSecretHash === hash)) {
    return fail('REVOKE_HASH_REUSED', 'a commit already carries this revoke hash');
  }
  if (context.historyCommits > 0) {
    if (!(payerCommitKey(hash) in history))
      return fail('HISTORY_INCOMPLETE', 'the commits in history were not looked up for this hash');
    if (findPayerCommit(context, history, hash))
      return fail('REVOKE_HASH_REUSED', 'an older commit already carries this revoke hash');
  }
  return pass(true);
}

/** The amount of the payer's highest unrevoked commit: what the payee holds. */
export function payerTransferred(context: PayerContext): bigint {
  return parseAmount(context.transferred);
}

/** A payment that can be made now, with its new cumulative amount and commit script. */
export interface PlannedPayment {
  readonly cumulative: bigint;
  readonly commitScript: Uint8Array;
}

/**
 * A payment needs a confirmed deposit, an outstanding revoke hash, and a new cumulative amount
 * within the deposit's capacity at the payer's fee rate.
 */
export function checkPay(context: PayerContext, amountText: string): Check<PlannedPayment> {
  const { deposit, depositScript, nextRevokeHash, payeePubkey, spendSecretHash, delayTime } =
    context;
  if (
    !deposit ||
    deposit.confirmedHeight === null ||
    !depositScript ||
    !payeePubkey ||
    !spendSecretHash ||
    delayTime === null
  ) {
    return fail('DEPOSIT_UNCONFIRMED', 'payments need a confirmed deposit');
  }
  if (!nextRevokeHash) return fail('NO_REVOKE_HASH', "waiting for the payee's next revoke hash");
  let amount: bigint;
  try {
    amount = parseAmount(amountText);
  } catch {
    return fail('AMOUNT_INVALID', `not an amount: ${amountText}`);
  }
  if (amount === 0n) return fail('AMOUNT_INVALID', 'payment amount must be positive');
  const cumulative = payerTransferred(context) + amount;
  const commitScript = buildCommitScript({
    payerPubkey: hexToBytes(context.payerPubkey),
    payeePubkey: hexToBytes(payeePubkey),
    spendSecretHash: hexToBytes(spendSecretHash),
    revokeSecretHash: hexToBytes(nextRevokeHash),
    delayTime,
  });
  if (context.asset) {
    // The deposit's BTC was checked against the channel's budget when it was published: every
    // commit splits it the same way, so only the asset bounds the amount.
    const quantity = parseAmount(context.asset.quantity);
    return cumulative <= quantity
      ? pass({ cumulative, commitScript })
      : fail('AMOUNT_INVALID', `cumulative ${formatAmount(cumulative)} outside 1..${quantity}`);
  }
  const capacity = attempt(() =>
    commitCapacity(
      { outpoint: { txid: deposit.txid, vout: deposit.vout }, value: parseAmount(deposit.value) },
      hexToBytes(depositScript),
      commitScript,
      context.feeRate,
    ),
  );
  if (!capacity.ok) return capacity;
  if (cumulative < capacity.value.minAmount || cumulative > capacity.value.maxAmount) {
    return fail(
      'AMOUNT_INVALID',
      `cumulative ${formatAmount(cumulative)} outside ${capacity.value.minAmount}..${capacity.value.maxAmount}`,
    );
  }
  return pass({ cumulative, commitScript });
}

/** Revoke secrets are accepted from the channel's payee; secrets matching no commit are ignored. */
export function checkRevokeSecrets(
  context: PayerContext,
  message: RevokeSecretsMessage,
  history: LoadedHistory = {},
  readings: CommitAddressReadings = {},
): Check<RevokeSecretsPlan> {
  const channel = checkChannelId(context.channelId, message);
  if (!channel.ok) return channel;
  const matched = matchPayerSecrets(context, history, message.secrets);
  const untrusted = context.asset
    ? untrustedGiveBacks(context, history, matched, readings)
    : new Set<string>();
  for (const hash of untrusted) matched.delete(hash);
  const top = newTopUnrevoked(context, history, new Set(matched.keys()));
  if (top === undefined)
    return fail(
      'HISTORY_INCOMPLETE',
      'the commits these secrets reach are not in the loaded history',
    );
  // A give-back not trusted yet is not acknowledged: the payee sends it again at every block,
  // and it is judged again with the addresses as they are then.
  const known = [...new Set(revokeHashes(message.secrets))].filter(
    (hash) => !untrusted.has(hash) && findPayerCommit(context, history, hash) !== null,
  );
  return pass({ matched, top, known });
}

/**
 * Asset mode: the give-backs among `matched` the payer may not count yet, by revoke hash. A
 * payout may move a commit address's whole balance by spending any output there that is
 * `delay_time` old, so a give-back counts only when the history of its commit address, read
 * when the secret arrived, shows the payer's revoke would come first (`assetRevocationTrusted`);
 * one without a reading is not trusted.
 */
function untrustedGiveBacks(
  context: PayerContext,
  history: LoadedHistory,
  matched: ReadonlyMap<string, string>,
  readings: CommitAddressReadings,
): Set<string> {
  const untrusted = new Set<string>();
  for (const hash of matched.keys()) {
    const commit = findPayerCommit(context, history, hash);
    const address = commit && bytesToHex(p2shOutputScript(hexToBytes(commit.commitScript)));
    const reading = address ? readings[address] : undefined;
    const published = context.published;
    const ownOutput =
      published && commit && published.commitScript === commit.commitScript
        ? { txid: published.txid, vout: 0 }
        : null;
    const trusted =
      reading !== undefined &&
      context.delayTime !== null &&
      assetRevocationTrusted(reading, {
        commitOutput: ownOutput,
        height: context.height,
        delayTime: context.delayTime,
      });
    if (!trusted) untrusted.add(hash);
  }
  return untrusted;
}

/** What a batch of revoke secrets does to the payer's commits. */
export interface RevokeSecretsPlan {
  /** Unrevoked commits the batch revokes: revoke hash to secret. */
  readonly matched: ReadonlyMap<string, string>;
  /** The highest commit left unrevoked, null when none is. */
  readonly top: { readonly hash: string; readonly amount: string } | null;
  /** Revoke hashes of this channel's commits among the batch, revoked before or now: acknowledged. */
  readonly known: string[];
}

/**
 * Identifies a transaction spending the deposit as one of the payer's commits (matched by its
 * commit output script), and finds its remainder output.
 */
export function identifyPublishedCommit(
  context: PayerContext,
  txid: string,
  rawTx: string,
  blockHeight: number | null,
  history: LoadedHistory = {},
): Check<PublishedCommit> {
  if (!context.depositScript) return fail('UNRELATED_TRANSACTION', 'no deposit');
  const tx = checkReportedTransaction(txid, rawTx);
  if (!tx.ok) return tx;
  const [first] = tx.value.outputs;
  const commit = first && findPayerCommitByScript(context, history, bytesToHex(first.script));
  if (!first || !commit)
    return fail(
      'UNRELATED_TRANSACTION',
      'the deposit was spent by something other than a commit of this channel',
    );
  const depositOut = p2shOutputScript(hexToBytes(context.depositScript));
  const remainderIndex = tx.value.outputs.findIndex(
    (o, i) => i > 0 && equalBytes(o.script, depositOut),
  );
  const remainderOutput = tx.value.outputs[remainderIndex];
  // In asset mode the output's BTC is not what the commit transfers: the record's amount is.
  const value = context.asset ? { value: formatAmount(first.value) } : {};
  return pass({
    txid,
    commitScript: commit.commitScript,
    amount: context.asset ? commit.amount : formatAmount(first.value),
    ...value,
    confirmedHeight: blockHeight,
    remainder: remainderOutput
      ? { vout: remainderIndex, value: formatAmount(remainderOutput.value) }
      : null,
    revokeSecretHash: commit.revokeSecretHash,
    revokeSecret: commit.revokeSecret,
  });
}

/** The deposit can be expired in the next block. */
export function depositExpired(context: PayerContext): boolean {
  return (
    context.deposit !== null &&
    context.expireTime !== null &&
    relativeLockPassed(context.deposit.confirmedHeight, context.expireTime, context.height)
  );
}

/** The remainder of the published commit can be expired in the next block. */
export function remainderExpired(context: PayerContext): boolean {
  return (
    context.published !== null &&
    context.expireTime !== null &&
    relativeLockPassed(context.published.confirmedHeight, context.expireTime, context.height)
  );
}

/** The published commit is one the payee revoked: the payer must take it back. */
export function publishedCommitRevoked(context: PayerContext): boolean {
  const published = context.published;
  return published !== null && published.revokeSecret !== null;
}
