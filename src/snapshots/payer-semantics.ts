import { equalBytes, hexToBytes } from '../bytes.js';
import { checkDepositPublished } from '../guards/payer-guards.js';
import type { OutpointRef } from '../machines/effects.js';
import { parseUnlockingScript } from '../scripts/unlocking-scripts.js';
import { PAYEE_SIGNATURE_PLACEHOLDER } from '../transactions/p2sh-signing.js';
import { decodeTransaction } from '../transactions/raw-transaction.js';
import {
  CONTEXT_PATH,
  type ChannelTerms,
  commitScriptMatches,
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
import type { PayerSnapshotContext as PayerContext } from './schema.js';

const at = (field: string) => `${CONTEXT_PATH}/${field}`;

// The payer built its own commits at its fee rate; the floor does not concern it.
const NO_FEE_FLOOR = 0;

// What newPayerContext accepted: preferred times within the bounds, and a non-empty span.
function checkBounds(context: PayerContext): void {
  if (context.minDelayTime >= context.maxExpireTime) {
    refuse('SNAPSHOT_FIELD_INVALID', 'not below maxExpireTime', at('minDelayTime'));
  }
  if (context.preferredDelayTime < context.minDelayTime) {
    refuse('SNAPSHOT_FIELD_INVALID', 'below minDelayTime', at('preferredDelayTime'));
  }
  if (context.preferredExpireTime > context.maxExpireTime) {
    refuse('SNAPSHOT_FIELD_INVALID', 'above maxExpireTime', at('preferredExpireTime'));
  }
}

function termsOf(context: PayerContext, payerPubkey: Uint8Array): ChannelTerms | null {
  const { payeePubkey, spendSecretHash, expireTime, delayTime, depositScript } = context;
  const complete = setTogether(
    { payeePubkey, spendSecretHash, expireTime, delayTime, depositScript },
    CONTEXT_PATH,
  );
  if (!complete) return null;
  const payee = pubkeyAt(payeePubkey!, at('payeePubkey'));
  distinctKeys(payerPubkey, payee, at('payeePubkey'));
  // The payer refuses any offer outside its bounds, so agreed times outside them were not agreed.
  if (delayTime! < context.minDelayTime) {
    refuse('SNAPSHOT_FIELD_INVALID', `below minDelayTime ${context.minDelayTime}`, at('delayTime'));
  }
  if (expireTime! > context.maxExpireTime) {
    refuse(
      'SNAPSHOT_FIELD_INVALID',
      `above maxExpireTime ${context.maxExpireTime}`,
      at('expireTime'),
    );
  }
  const terms: ChannelTerms = {
    payerPubkey,
    payeePubkey: payee,
    spendSecretHash: spendSecretHash!,
    expireTime: expireTime!,
    delayTime: delayTime!,
    depositScript: depositScript!,
    ...assetTermsAt(context),
  };
  depositScriptMatches(terms, at('depositScript'));
  return terms;
}

function checkCommits(context: PayerContext, terms: ChannelTerms | null): void {
  const deposit = context.deposit;
  if (context.commits.length > 0 && (!terms || !deposit)) {
    refuse('SNAPSHOT_FIELD_INVALID', 'commits without a deposit', at('commits'));
  }
  if (!terms || !deposit) return;
  satoshis(deposit.value, at('deposit/value'));
  const depositValue = channelCapacity(terms, deposit);
  const hashes = new Set<string>();
  const scripts = new Set<string>();
  context.commits.forEach((commit, i) => {
    const path = at(`commits/${i}`);
    if (hashes.has(commit.revokeSecretHash) || scripts.has(commit.commitScript)) {
      refuse(
        'SNAPSHOT_FIELD_INVALID',
        'revoke hash used by two commits',
        `${path}/revokeSecretHash`,
      );
    }
    hashes.add(commit.revokeSecretHash);
    scripts.add(commit.commitScript);
    const amount = satoshis(commit.amount, `${path}/amount`);
    if (amount === 0n || amount > depositValue) {
      refuse('SNAPSHOT_AMOUNT_INCONSISTENT', `not within 1..${depositValue}`, `${path}/amount`);
    }
    commitScriptMatches(
      terms,
      commit.commitScript,
      commit.revokeSecretHash,
      `${path}/commitScript`,
    );
    if (commit.revokeSecret !== null) {
      secretMatches(commit.revokeSecret, commit.revokeSecretHash, `${path}/revokeSecret`);
    }
    const tx = commitTransactionValid(
      terms,
      deposit,
      commit,
      commit.revokeSecretHash,
      NO_FEE_FLOOR,
      `${path}/rawTx`,
    );
    // The payer built it: the payee's slot, which no signature covers, holds the placeholder.
    const spend = parseUnlockingScript(tx.inputs[0]!.scriptSig);
    if (spend.kind !== 'commit' || !equalBytes(spend.payeeSignature, PAYEE_SIGNATURE_PLACEHOLDER)) {
      refuse(
        'SNAPSHOT_COMMIT_INVALID',
        "the payee's slot does not hold the placeholder",
        `${path}/rawTx`,
      );
    }
  });
  if (context.nextRevokeHash !== null && hashes.has(context.nextRevokeHash)) {
    refuse('SNAPSHOT_FIELD_INVALID', 'a commit already carries this hash', at('nextRevokeHash'));
  }
  checkTopUnrevoked(context);
}

/**
 * The highest unrevoked commit and the transferred amount agree with the window: among
 * unrevoked commits, signing order is amount order, so every commit signed after the top is
 * revoked, and a top outside the window means the whole window is revoked.
 */
function checkTopUnrevoked(context: PayerContext): void {
  const { commits, topUnrevoked, transferred, historyCommits } = context;
  if (commits.length === 0 && historyCommits > 0)
    refuse(
      'SNAPSHOT_FIELD_INVALID',
      'commits in history below an empty window',
      at('historyCommits'),
    );
  const index = commits.findIndex((c) => c.revokeSecretHash === topUnrevoked);
  const top = commits[index];
  if (topUnrevoked !== null && !top && historyCommits === 0)
    refuse('SNAPSHOT_FIELD_INVALID', 'names no commit', at('topUnrevoked'));
  if (top && top.revokeSecret !== null)
    refuse('SNAPSHOT_FIELD_INVALID', 'names a revoked commit', at('topUnrevoked'));
  commits.slice(index + 1).forEach((commit, i) => {
    if (commit.revokeSecret === null)
      refuse(
        'SNAPSHOT_FIELD_INVALID',
        'an unrevoked commit above the highest unrevoked one',
        at(`commits/${index + 1 + i}/revokeSecret`),
      );
  });
  if (topUnrevoked === null && transferred !== '0')
    refuse('SNAPSHOT_AMOUNT_INCONSISTENT', 'is not 0 with no unrevoked commit', at('transferred'));
  if (top && transferred !== top.amount)
    refuse('SNAPSHOT_AMOUNT_INCONSISTENT', `is not ${top.amount}`, at('transferred'));
  commits.forEach((commit, i) => {
    const earlier = commits.slice(0, i).some((c) => c.revokeSecretHash === commit.below);
    if (commit.below !== null && !earlier && historyCommits === 0)
      refuse('SNAPSHOT_FIELD_INVALID', 'names no earlier commit', at(`commits/${i}/below`));
  });
}

function checkPublished(context: PayerContext, terms: ChannelTerms | null): void {
  const published = context.published;
  if (!published) return;
  const index = context.commits.findIndex((c) => c.commitScript === published.commitScript);
  const commit = context.commits[index];
  if (!commit) {
    if (context.historyCommits === 0)
      refuse(
        'SNAPSHOT_FIELD_INVALID',
        'names no commit of the payer',
        at('published/commitScript'),
      );
    // An older commit, in history: its script is still the channel's, with its revoke hash.
    if (terms)
      commitScriptMatches(
        terms,
        published.commitScript,
        published.revokeSecretHash,
        at('published/commitScript'),
      );
    if (published.revokeSecret !== null)
      secretMatches(
        published.revokeSecret,
        published.revokeSecretHash,
        at('published/revokeSecret'),
      );
    return;
  }
  if (
    published.revokeSecretHash !== commit.revokeSecretHash ||
    published.revokeSecret !== commit.revokeSecret
  )
    refuse('SNAPSHOT_FIELD_INVALID', "is not the commit's revoke hash and secret", at('published'));
  if (published.amount !== commit.amount) {
    checkEarlierSelfsCommit(context, published);
    return;
  }
  // The payer's signature covers every output, so whatever copy was mined pays as it does.
  const tx = guarded('SNAPSHOT_COMMIT_INVALID', at(`commits/${index}/rawTx`), () =>
    decodeTransaction(hexToBytes(commit.rawTx)),
  );
  // Asset mode: the OP_RETURN of the send is output 1, and output 0 carries the commit's BTC.
  const remainderVout = context.asset ? 2 : 1;
  const remainderOut = tx.outputs[remainderVout];
  const remainder = published.remainder;
  const valueConsistent = context.asset
    ? published.value !== undefined &&
      satoshis(published.value, at('published/value')) === tx.outputs[0]?.value
    : published.value === undefined;
  const consistent =
    valueConsistent &&
    (remainder === null
      ? remainderOut === undefined
      : remainderOut !== undefined &&
        remainder.vout === remainderVout &&
        satoshis(remainder.value, at('published/remainder/value')) === remainderOut.value);
  if (!consistent) {
    refuse(
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      "is not the commit's remainder",
      at('published/remainder'),
    );
  }
}

/**
 * A published commit of a record's script but of another amount: a payer restored from an
 * older snapshot may have signed a new amount with a revoke hash its earlier self had already
 * used, and the chain holds the earlier self's commit, whose amount and remainder the machine
 * took from the chain. Only what holds of any commit of the deposit is checked then: the amount
 * and remainder fit in the deposit.
 */
function checkEarlierSelfsCommit(
  context: PayerContext,
  published: NonNullable<PayerContext['published']>,
): void {
  const depositValue = context.deposit
    ? satoshis(context.deposit.value, at('deposit/value'))
    : null;
  const amount = satoshis(published.amount, at('published/amount'));
  const remainder = published.remainder
    ? satoshis(published.remainder.value, at('published/remainder/value'))
    : 0n;
  // Asset mode: the amount is asset units, and the BTC of the commit output is `value`.
  const asset = context.asset;
  const btc = asset ? satoshis(published.value ?? '0', at('published/value')) : amount;
  const quantity = asset ? satoshis(asset.quantity, at('asset/quantity')) : amount;
  if (
    depositValue === null ||
    amount === 0n ||
    amount > quantity ||
    (asset !== undefined) !== (published.value !== undefined) ||
    btc + remainder > depositValue
  ) {
    refuse(
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      `with its remainder not within 1..${depositValue ?? 0n}`,
      at('published/amount'),
    );
  }
  const remainderVout = asset ? 2 : 1;
  if (published.remainder !== null && published.remainder.vout !== remainderVout)
    refuse(
      'SNAPSHOT_FIELD_INVALID',
      `a remainder is output ${remainderVout}`,
      at('published/remainder/vout'),
    );
}

function outpointsOf(context: PayerContext) {
  const { deposit, published } = context;
  return {
    deposit: deposit ? { txid: deposit.txid, vout: deposit.vout } : null,
    'commit-output': published ? { txid: published.txid, vout: 0 } : null,
    remainder: published?.remainder
      ? { txid: published.txid, vout: published.remainder.vout }
      : null,
  } satisfies { readonly [label: string]: OutpointRef | null };
}

function checkBroadcasts(context: PayerContext): void {
  const targets = outpointsOf(context);
  const deposit = context.deposit;
  if ((deposit === null) !== (context.broadcasts.deposit === undefined)) {
    refuse('SNAPSHOT_FIELD_INVALID', 'deposit and its broadcast go together', at('broadcasts'));
  }
  for (const [label, record] of Object.entries(context.broadcasts)) {
    const path = at(`broadcasts/${label}`);
    if (label === 'deposit') {
      const check = checkDepositPublished(context, record.txid, deposit!.vout, record.rawTx);
      if (!check.ok || record.txid !== deposit!.txid) {
        refuse('SNAPSHOT_FIELD_INVALID', check.ok ? 'is not the deposit' : check.reason, path);
      }
      continue;
    }
    const tx = transactionWithId(record, 'SNAPSHOT_FIELD_INVALID', path);
    const valid =
      label === 'revoke'
        ? spends(tx, targets['commit-output'])
        : label === 'change'
          ? context.spendSecret !== null && spends(tx, targets.remainder)
          : spends(tx, targets.deposit) || spends(tx, targets.remainder);
    if (!valid) refuse('SNAPSHOT_FIELD_INVALID', `does not spend what a ${label} spends`, path);
  }
}

/**
 * Semantic checks of a payer context that already matches its schema: keys, terms and deposit
 * script, spend and revoke secrets, every commit (script, transaction, payer signature),
 * amounts, the published commit, broadcasts and watches.
 *
 * @throws {@link SnapshotError} naming the first offending field.
 */
export function checkPayerContext(context: PayerContext): void {
  const payerPubkey = keyPairAt(
    context.payerPrivateKey,
    context.payerPubkey,
    at('payerPrivateKey'),
    at('payerPubkey'),
  );
  checkBounds(context);
  const terms = termsOf(context, payerPubkey);
  if (context.spendSecret !== null) {
    if (context.spendSecretHash === null) {
      refuse('SNAPSHOT_FIELD_INVALID', 'known before the offer', at('spendSecret'));
    }
    secretMatches(context.spendSecret, context.spendSecretHash, at('spendSecret'));
  }
  if (context.deposit) {
    if (!terms) refuse('SNAPSHOT_FIELD_INVALID', 'funded before the offer', at('deposit'));
    if (context.deposit.value !== context.depositAmount) {
      refuse(
        'SNAPSHOT_AMOUNT_INCONSISTENT',
        `is not ${context.depositAmount}`,
        at('deposit/value'),
      );
    }
  }
  checkCommits(context, terms);
  checkPublished(context, terms);
  checkBroadcasts(context);
  watchesMatch(context.watches, outpointsOf(context), context.deposit?.txid ?? null, at('watches'));
}
