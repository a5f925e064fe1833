import { expect } from 'vitest';
import { bytesToHex, equalBytes, hexToBytes } from '../../../src/bytes.js';
import type { Outpoint } from '../../../src/chain/chain.js';
import { parseAmount } from '../../../src/messages/amount.js';
import { hash160 } from '../../../src/scripts/hash.js';
import { p2shOutputScript } from '../../../src/scripts/p2sh.js';
import { decodeTransaction } from '../../../src/transactions/raw-transaction.js';
import {
  buildExpireTransaction,
  buildPayoutTransaction,
  buildRevokeTransaction,
} from '../../../src/transactions/spend-transactions.js';
import { PAYEE_DESTINATION, PAYEE_KEY, PAYER_DESTINATION, PAYER_KEY, type World } from './world.js';
import { snapshotContext } from '../../support/snapshot-context.js';

/** An output of the channel (deposit, remainder or commit output) no transaction spent. */
export interface Leftover {
  readonly outpoint: Outpoint;
  readonly value: bigint;
  readonly kind: 'deposit-script' | 'commit';
  /** The commit's redeem script (hex) for a commit output. */
  readonly commitScript: string | null;
  /** Who may still take it: the payer (deposit script, revoked commit) or the payee. */
  readonly owner: 'payer' | 'payee';
  /** True when the spend that would take it cannot pay its own fee plus a non-dust output. */
  readonly uneconomic: boolean;
}

/** Where the deposit's value went, traced through confirmed transactions only. */
export interface Settlement {
  readonly payer: bigint;
  readonly payee: bigint;
  readonly payerFees: bigint;
  readonly payeeFees: bigint;
  /** Value paid to any script other than the channel's and the two destinations. */
  readonly foreign: bigint;
  readonly leftovers: Leftover[];
  /** The commit that spent the deposit, if any. */
  readonly published: { readonly commitScript: string; readonly amount: bigint } | null;
}

const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);

/**
 * Follows the deposit output through every confirmed spend: commit (fee paid by the payer),
 * payout (payee), revoke, change and expire (payer). Commit outputs are recognised by their
 * redeem script, read from the spending transaction or from the commits the parties signed.
 */
export async function traceSettlement(w: World): Promise<Settlement> {
  const depositScript = hexToBytes(w.depositScript);
  const depositOut = p2shOutputScript(depositScript);
  const commitScripts = new Map<string, string>();
  for (const version of w.stores.payer.versions('model-channel')) {
    const context = snapshotContext<{ commits: { commitScript: string }[] }>(version);
    for (const c of context.commits)
      commitScripts.set(bytesToHex(p2shOutputScript(hexToBytes(c.commitScript))), c.commitScript);
  }
  let payer = 0n;
  let payee = 0n;
  let payerFees = 0n;
  let payeeFees = 0n;
  let foreign = 0n;
  let published: Settlement['published'] = null;
  const leftovers: Leftover[] = [];
  const queue: { outpoint: Outpoint; value: bigint; commitScript: string | null }[] = [
    { outpoint: w.depositOutpoint, value: w.params.depositAmount, commitScript: null },
  ];
  while (queue.length > 0) {
    const item = queue.shift()!;
    const spender = await w.chain.getSpender(item.outpoint);
    if (!spender || spender.blockHeight === null) {
      leftovers.push(leftover(w, item.outpoint, item.value, item.commitScript));
      continue;
    }
    const tx = decodeTransaction(spender.rawTx);
    const fee = item.value - sum(tx.outputs.map((o) => o.value));
    expect(tx.inputs.length, 'a channel transaction spends one input').toBe(1);
    const isCommit =
      item.commitScript === null &&
      !!tx.outputs[0] &&
      commitScripts.has(bytesToHex(tx.outputs[0].script));
    if (isCommit) {
      payerFees += fee;
      const commitScript = commitScripts.get(bytesToHex(tx.outputs[0]!.script))!;
      published ??= { commitScript, amount: tx.outputs[0]!.value };
      tx.outputs.forEach((o, vout) => {
        const outpoint = { txid: spender.txid, vout };
        if (vout === 0) queue.push({ outpoint, value: o.value, commitScript });
        else if (equalBytes(o.script, depositOut))
          queue.push({ outpoint, value: o.value, commitScript: null });
        else foreign += o.value;
      });
      continue;
    }
    for (const o of tx.outputs) {
      if (equalBytes(o.script, PAYER_DESTINATION)) {
        payer += o.value;
        payerFees += fee;
      } else if (equalBytes(o.script, PAYEE_DESTINATION)) {
        payee += o.value;
        payeeFees += fee;
      } else foreign += o.value;
    }
  }
  return { payer, payee, payerFees, payeeFees, foreign, leftovers, published };
}

function buildable(build: () => unknown): boolean {
  try {
    build();
    return true;
  } catch {
    return false;
  }
}

function leftover(
  w: World,
  outpoint: Outpoint,
  value: bigint,
  commitScript: string | null,
): Leftover {
  if (commitScript === null) {
    const uneconomic = !buildable(() =>
      buildExpireTransaction({
        outpoint,
        value,
        destinationScript: PAYER_DESTINATION,
        feeRate: w.params.payerFeeRate,
        privateKey: PAYER_KEY,
        depositScript: hexToBytes(w.depositScript),
      }),
    );
    return { outpoint, value, kind: 'deposit-script', commitScript, owner: 'payer', uneconomic };
  }
  const secret = revokeSecretOf(w, commitScript);
  if (secret !== null) {
    const uneconomic = !buildable(() =>
      buildRevokeTransaction({
        outpoint,
        value,
        destinationScript: PAYER_DESTINATION,
        feeRate: w.params.payerFeeRate,
        privateKey: PAYER_KEY,
        commitScript: hexToBytes(commitScript),
        revokeSecret: hexToBytes(secret),
      }),
    );
    return { outpoint, value, kind: 'commit', commitScript, owner: 'payer', uneconomic };
  }
  const uneconomic = !buildable(() =>
    buildPayoutTransaction({
      outpoint,
      value,
      destinationScript: PAYEE_DESTINATION,
      feeRate: w.params.payeeFeeRate,
      privateKey: PAYEE_KEY,
      commitScript: hexToBytes(commitScript),
      spendSecret: w.params.spendSecret,
    }),
  );
  return { outpoint, value, kind: 'commit', commitScript, owner: 'payee', uneconomic };
}

/** The revoke secret of a commit, when the payer learned it (model knowledge, not the engine's). */
function revokeSecretOf(w: World, commitScript: string): string | null {
  for (const version of w.stores.payee.versions('model-channel')) {
    const context = snapshotContext<{
      revokedCommits: { commitScript: string; revokeSecret: string }[];
    }>(version);
    const revoked = context.revokedCommits.find((r) => r.commitScript === commitScript);
    if (revoked && w.payerLearned.has(hashOfSecret(revoked.revokeSecret)))
      return revoked.revokeSecret;
  }
  return null;
}

function hashOfSecret(secret: string): string {
  return bytesToHex(hash160(hexToBytes(secret)));
}

/** The highest commit the payer signed whose revocation it did not learn (model knowledge). */
export function payerExposure(w: World): bigint {
  let max = 0n;
  const seen = new Set<string>();
  for (const version of w.stores.payer.versions('model-channel')) {
    const context = snapshotContext<{
      commits: { amount: string; revokeSecretHash: string; commitScript: string }[];
    }>(version);
    for (const c of context.commits) {
      if (seen.has(c.commitScript)) continue;
      seen.add(c.commitScript);
      const amount = parseAmount(c.amount);
      if (!w.payerLearned.has(c.revokeSecretHash) && amount > max) max = amount;
    }
  }
  return max;
}

/**
 * True when the payer could take a commit output of `value` back with its revoke secret: the
 * revoke transaction pays its fee and leaves a non-dust output. Below that the output is dust to
 * the payer and a published revoked commit costs it that much (PROTOCOL.md §8, dust aside).
 */
export function revokeEconomic(w: World, commitScript: string, value: bigint): boolean {
  const secret = revokeSecretOf(w, commitScript);
  if (secret === null) return false;
  return buildable(() =>
    buildRevokeTransaction({
      outpoint: { txid: '00'.repeat(32), vout: 0 },
      value,
      destinationScript: PAYER_DESTINATION,
      feeRate: w.params.payerFeeRate,
      privateKey: PAYER_KEY,
      commitScript: hexToBytes(commitScript),
      revokeSecret: hexToBytes(secret),
    }),
  );
}

/** True when the published commit is one whose revocation the payer learned. */
export function publishedWasRevoked(w: World, commitScript: string): boolean {
  return revokeSecretOf(w, commitScript) !== null;
}
