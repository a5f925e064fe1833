import { bytesToHex, hexToBytes } from '../bytes.js';
import { hash160 } from '../scripts/hash.js';
import { parseCommitScript } from '../scripts/commit-script.js';
import { deriveRevokeSecret } from '../machines/revoke-secrets.js';
import { HISTORY_WINDOW } from '../machines/history.js';
import {
  CONTEXT_PATH,
  type ChannelTerms,
  commitScriptMatches,
  canonicalSpendEncoding,
  assetTermsAt,
  channelCapacity,
  commitTransactionValid,
  depositScriptMatches,
  distinctKeys,
  guarded,
  keyPairAt,
  pubkeyAt,
  refuse,
  satoshis,
  secretMatches,
  setTogether,
  spends,
  transactionWithId,
  watchesMatch,
} from './checks.js';
import type { PayeeSnapshotContext as PayeeContext } from './schema.js';

const at = (field: string) => `${CONTEXT_PATH}/${field}`;

const inRange = (value: number, range: { min: number; max: number }) =>
  value >= range.min && value <= range.max;

function checkConfig(context: PayeeContext): void {
  for (const name of ['expireTimeRange', 'delayTimeRange'] as const) {
    const range = context[name];
    if (range.min > range.max) refuse('SNAPSHOT_FIELD_INVALID', 'min exceeds max', at(name));
  }
  if (context.clearance >= context.expireTimeRange.max) {
    refuse('SNAPSHOT_FIELD_INVALID', 'not below the longest accepted expire time', at('clearance'));
  }
}

function termsOf(context: PayeeContext, payeePubkey: Uint8Array): ChannelTerms | null {
  const { payerPubkey, depositScript, expireTime, delayTime } = context;
  if (!setTogether({ payerPubkey, depositScript, expireTime, delayTime }, CONTEXT_PATH))
    return null;
  const payer = pubkeyAt(payerPubkey!, at('payerPubkey'));
  distinctKeys(payer, payeePubkey, at('payerPubkey'));
  // What checkDeposit accepted: times within the offered ranges, expiry beyond the clearance.
  if (!inRange(expireTime!, context.expireTimeRange) || expireTime! <= context.clearance) {
    refuse('SNAPSHOT_FIELD_INVALID', 'outside the offered range', at('expireTime'));
  }
  if (!inRange(delayTime!, context.delayTimeRange)) {
    refuse('SNAPSHOT_FIELD_INVALID', 'outside the offered range', at('delayTime'));
  }
  const terms: ChannelTerms = {
    payerPubkey: payer,
    payeePubkey,
    spendSecretHash: context.spendSecretHash,
    expireTime: expireTime!,
    delayTime: delayTime!,
    depositScript: depositScript!,
    ...assetTermsAt(context),
  };
  depositScriptMatches(terms, at('depositScript'));
  return terms;
}

/**
 * Every revoke secret the payee holds is one it derived from its seed, each index once, and
 * the counter says how many it derived: each derived secret is either still outstanding or
 * was used by exactly one commit, active or given back.
 */
function checkRevokeSecrets(context: PayeeContext): void {
  const held = [
    ...context.requestedRevokes.map((r, i) => ({
      secret: r.secret,
      path: `requestedRevokes/${i}/secret`,
    })),
    ...context.activeCommits.map((c, i) => ({
      secret: c.revokeSecret,
      path: `activeCommits/${i}/revokeSecret`,
    })),
    ...context.revokedCommits.map((c, i) => ({
      secret: c.revokeSecret,
      path: `revokedCommits/${i}/revokeSecret`,
    })),
  ];
  // Commits that live only in history hold one secret each too.
  const total = held.length + context.activeDepth + context.revokedDepth;
  if (context.revokeCounter !== total) {
    refuse('SNAPSHOT_FIELD_INVALID', `is not the ${total} secrets issued`, at('revokeCounter'));
  }
  // Secrets are derived from the newest index down, and only until every held one is found:
  // the secrets a context holds are nearly always the newest few, so a restore does not cost
  // one derivation per payment the channel ever carried.
  const wanted = new Map<string, number>();
  for (const [i, { secret, path }] of held.entries()) {
    if (wanted.has(secret)) refuse('SNAPSHOT_SECRET_MISMATCH', 'is held twice', at(path));
    wanted.set(secret, i);
  }
  let missing = wanted.size;
  for (let index = context.revokeCounter - 1; index >= 0 && missing > 0; index--) {
    if (wanted.has(deriveRevokeSecret(context.revokeSeed, index).secret)) missing--;
  }
  if (missing > 0) {
    const found = new Set<string>();
    for (let index = context.revokeCounter - 1; index >= 0; index--)
      found.add(deriveRevokeSecret(context.revokeSeed, index).secret);
    const stray = held.find((h) => !found.has(h.secret))!;
    refuse('SNAPSHOT_SECRET_MISMATCH', 'is not derived from revokeSeed', at(stray.path));
  }
  context.requestedRevokes.forEach((r, i) => {
    secretMatches(r.secret, r.hash, at(`requestedRevokes/${i}/secret`));
  });
  context.activeCommits.forEach((c, i) => {
    secretMatches(c.revokeSecret, c.revokeSecretHash, at(`activeCommits/${i}/revokeSecret`));
  });
}

function checkCommits(context: PayeeContext, terms: ChannelTerms | null): void {
  const deposit = context.deposit;
  const any =
    context.activeCommits.length +
      context.revokedCommits.length +
      context.activeDepth +
      context.revokedDepth >
    0;
  if (any && (!terms || !deposit)) {
    refuse('SNAPSHOT_FIELD_INVALID', 'commits without a deposit', at('activeCommits'));
  }
  checkHistoryCounters(context);
  if (!terms || !deposit) return;
  satoshis(deposit.value, at('deposit/value'));
  const depositValue = channelCapacity(terms, deposit);
  let previous = 0n;
  // Amounts first, for all commits: order and bounds are cheaper than signatures.
  context.activeCommits.forEach((commit, i) => {
    const path = at(`activeCommits/${i}/amount`);
    const amount = satoshis(commit.amount, path);
    if (amount <= previous) {
      refuse('SNAPSHOT_AMOUNT_INCONSISTENT', 'active commits must ascend by amount', path);
    }
    if (amount > depositValue) {
      refuse('SNAPSHOT_AMOUNT_INCONSISTENT', `exceeds the deposit value ${depositValue}`, path);
    }
    previous = amount;
  });
  context.revokedCommits.forEach((commit, i) => {
    const path = at(`revokedCommits/${i}/amount`);
    const amount = satoshis(commit.amount, path);
    if (amount === 0n || amount > depositValue) {
      refuse('SNAPSHOT_AMOUNT_INCONSISTENT', `not within 1..${depositValue}`, path);
    }
  });
  context.activeCommits.forEach((commit, i) => {
    const path = at(`activeCommits/${i}`);
    commitScriptMatches(
      terms,
      commit.commitScript,
      commit.revokeSecretHash,
      `${path}/commitScript`,
    );
    commitTransactionValid(
      terms,
      deposit,
      commit,
      commit.revokeSecretHash,
      context.minFeeRate,
      `${path}/rawTx`,
    );
  });
  context.revokedCommits.forEach((commit, i) => {
    const hash = bytesToHex(hash160(hexToBytes(commit.revokeSecret)));
    commitScriptMatches(terms, commit.commitScript, hash, at(`revokedCommits/${i}/commitScript`));
  });
  const revokedSecrets = new Set(context.revokedCommits.map((c) => c.revokeSecret));
  context.unackedRevokeSecrets.forEach((secret, i) => {
    // A secret of a commit given back long ago may be in history only.
    if (!revokedSecrets.has(secret) && context.revokedDepth === 0)
      refuse(
        'SNAPSHOT_SECRET_MISMATCH',
        'is not the secret of a revoked commit',
        at(`unackedRevokeSecrets/${i}`),
      );
  });
}

/**
 * The context's window and the history counters agree: lower active commits exist only below a
 * non-empty window and are reached from `activeTop`; given-back commits leave the window only
 * when it is full.
 */
function checkHistoryCounters(context: PayeeContext): void {
  const { activeCommits, activeTop, activeDepth, revokedCommits, revokedDepth } = context;
  if ((activeTop === null) !== (activeDepth === 0))
    refuse('SNAPSHOT_FIELD_INVALID', 'is set exactly when commits are in history', at('activeTop'));
  if (activeDepth > 0 && activeCommits.length === 0)
    refuse('SNAPSHOT_FIELD_INVALID', 'commits in history below an empty window', at('activeDepth'));
  if (activeTop !== null && activeCommits.some((c) => c.revokeSecretHash === activeTop))
    refuse('SNAPSHOT_FIELD_INVALID', 'names a commit of the window', at('activeTop'));
  if (revokedDepth > 0 && revokedCommits.length < HISTORY_WINDOW)
    refuse('SNAPSHOT_FIELD_INVALID', 'history below a window not full', at('revokedDepth'));
}

function checkPublished(context: PayeeContext, terms: ChannelTerms | null): void {
  const { published, payout, deposit } = context;
  if (payout && !published)
    refuse('SNAPSHOT_FIELD_INVALID', 'payout without a commit', at('payout'));
  if (!published) return;
  const hot = context.activeCommits.find((c) => c.commitScript === published.commitScript);
  if (!terms || !deposit || (!hot && context.activeDepth === 0)) {
    refuse('SNAPSHOT_FIELD_INVALID', 'names no active commit', at('published/commitScript'));
  }
  if (hot && published.amount !== hot.amount) {
    refuse('SNAPSHOT_AMOUNT_INCONSISTENT', `is not ${hot.amount}`, at('published/amount'));
  }
  // A lower commit adopted from the chain is in history: its script must still be this channel's.
  const commit = hot ?? {
    revokeSecretHash: guarded('SNAPSHOT_SCRIPT_MISMATCH', at('published/commitScript'), () =>
      bytesToHex(parseCommitScript(hexToBytes(published.commitScript)).revokeSecretHash),
    ),
  };
  if (!hot)
    commitScriptMatches(
      terms,
      published.commitScript,
      commit.revokeSecretHash,
      at('published/commitScript'),
    );
  transactionWithId(published, 'SNAPSHOT_COMMIT_INVALID', at('published'));
  // Completed, it has the same size as the payer-signed one the fee floor was checked on. A
  // commit adopted from the chain may be a re-encoded copy: its signatures are checked as
  // encoded canonically.
  commitTransactionValid(
    terms,
    deposit,
    { ...published, rawTx: canonicalSpendEncoding(published.rawTx) },
    commit.revokeSecretHash,
    0,
    at('published/rawTx'),
  );
  if (payout) {
    const tx = transactionWithId(payout, 'SNAPSHOT_FIELD_INVALID', at('payout'));
    if (!spends(tx, { txid: published.txid, vout: 0 })) {
      refuse('SNAPSHOT_FIELD_INVALID', 'does not spend the commit output', at('payout'));
    }
  }
}

/**
 * Semantic checks of a payee context that already matches its schema: keys, spend secret,
 * configuration, terms and deposit script, revoke secrets (hashes and derivation from the
 * seed), every commit (order, amounts, script, transaction, payer signature), the published
 * commit, the payout and watches.
 *
 * @throws {@link SnapshotError} naming the first offending field.
 */
export function checkPayeeContext(context: PayeeContext): void {
  const payeePubkey = keyPairAt(
    context.payeePrivateKey,
    context.payeePubkey,
    at('payeePrivateKey'),
    at('payeePubkey'),
  );
  secretMatches(context.spendSecret, context.spendSecretHash, at('spendSecret'));
  checkConfig(context);
  const terms = termsOf(context, payeePubkey);
  if (context.deposit) {
    if (!terms) refuse('SNAPSHOT_FIELD_INVALID', 'funded before the deposit script', at('deposit'));
    if (satoshis(context.deposit.value, at('deposit/value')) === 0n) {
      refuse('SNAPSHOT_AMOUNT_INCONSISTENT', 'a deposit holds value', at('deposit/value'));
    }
  }
  checkRevokeSecrets(context);
  checkCommits(context, terms);
  checkPublished(context, terms);
  const { deposit, published } = context;
  watchesMatch(
    context.watches,
    {
      deposit: deposit ? { txid: deposit.txid, vout: deposit.vout } : null,
      'commit-output': published ? { txid: published.txid, vout: 0 } : null,
    },
    deposit?.txid ?? null,
    at('watches'),
  );
}
