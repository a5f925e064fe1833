/**
 * An open channel and a ready sequence of valid commits for it, built once through the
 * runtime on the simulated chain, so that the commit benchmarks measure realistic inputs.
 */
import { bytesToHex, hexToBytes } from '../src/bytes.js';
import type { PayeeContext, PayerContext } from '../src/machines/context.js';
import { deriveRevokeSecret } from '../src/machines/revoke-secrets.js';
import { formatAmount, parseAmount } from '../src/messages/amount.js';
import { MESSAGE_PROTOCOL, type CommitMessage } from '../src/messages/schema.js';
import { buildCommitScript } from '../src/scripts/commit-script.js';
import { type CreateCommitParams, createCommit } from '../src/transactions/commit-transaction.js';
import { mine, openTestChannel, settle } from '../test/support/channel-harness.js';

/** Everything the commit benchmarks need. */
export interface CommitFixture {
  /** The payee's context with the channel open and one revoke hash outstanding. */
  readonly payeeContext: PayeeContext;
  /** The payee's persisted snapshot (JSON text) in the same state. */
  readonly payeeSnapshot: string;
  /** Parameters of the payer's next commit (what `createCommit` is given). */
  readonly createParams: CreateCommitParams;
  /** Valid commit messages in order, each for the revoke hash issued after the previous one. */
  readonly commits: readonly CommitMessage[];
}

/** Amount of the first commit; every further commit adds the same. */
const STEP = 1_000n;

function commitScriptFor(payer: PayerContext, revokeHash: string): Uint8Array {
  return buildCommitScript({
    payerPubkey: hexToBytes(payer.payerPubkey),
    payeePubkey: hexToBytes(payer.payeePubkey!),
    spendSecretHash: hexToBytes(payer.spendSecretHash!),
    revokeSecretHash: hexToBytes(revokeHash),
    delayTime: payer.delayTime!,
  });
}

/** Opens a channel (deposit confirmed, no payment yet) and prepares `count` commits for it. */
export async function buildCommitFixture(count: number): Promise<CommitFixture> {
  const t = await openTestChannel({ verify: false });
  await settle(t);
  await mine(t, 1);
  const payer = t.payer.context;
  const payeeContext = t.payee.context;
  if (t.payee.status().state !== 'open' || !payer.nextRevokeHash || !payer.deposit) {
    throw new Error('fixture channel did not open');
  }
  const deposit = payer.deposit;
  const base = {
    deposit: {
      outpoint: { txid: deposit.txid, vout: deposit.vout },
      value: parseAmount(deposit.value),
    },
    depositScript: hexToBytes(payer.depositScript!),
    feeRate: payer.feeRate,
    payerPrivateKey: hexToBytes(payer.payerPrivateKey),
  };
  const firstHash = payer.nextRevokeHash;
  const createParams: CreateCommitParams = {
    ...base,
    commitScript: commitScriptFor(payer, firstHash),
    amount: STEP,
  };
  const commits: CommitMessage[] = [];
  for (let k = 0; k < count; k++) {
    // Commit k uses the hash outstanding now (k = 0) or the one issued after commit k-1.
    const revokeHash =
      k === 0
        ? firstHash
        : deriveRevokeSecret(payeeContext.revokeSeed, payeeContext.revokeCounter + k - 1).hash;
    const commitScript = commitScriptFor(payer, revokeHash);
    const amount = STEP * BigInt(k + 1);
    const commit = createCommit({ ...base, commitScript, amount });
    commits.push({
      protocol: MESSAGE_PROTOCOL,
      type: 'commit',
      channelId: payer.channelId,
      amount: formatAmount(amount),
      commitScript: bytesToHex(commitScript),
      commitTx: bytesToHex(commit.rawTx),
    });
  }
  return { payeeContext, payeeSnapshot: t.payee.snapshot(), createParams, commits };
}
