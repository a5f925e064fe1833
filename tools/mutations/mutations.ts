/**
 * Deliberate engine mutations: each is one textual replacement in one source file. The mutation
 * run (`npm run mutate`) applies each to a copy of the repository and expects the suites to fail.
 */
export interface Mutation {
  /** Short stable name. */
  readonly id: string;
  /** What the mutated engine gets wrong. */
  readonly description: string;
  /** Path of the file to patch, relative to the repository root. */
  readonly file: string;
  /** Text that must occur exactly once in the file. */
  readonly search: string;
  readonly replace: string;
}

export const MUTATIONS: readonly Mutation[] = [
  {
    id: 'payer-ignores-revoked-publish',
    description: 'the payer stops watching for revoked commits (never punishes a published one)',
    file: 'src/machines/payer-machine.ts',
    search: 'publishedCommitRevoked: ({ context }) => publishedCommitRevoked(context),',
    replace: 'publishedCommitRevoked: ({ context }) => publishedCommitRevoked(context) && false,',
  },
  {
    id: 'payee-skips-signature-check',
    description: "the payee accepts a commit without checking the payer's signature",
    file: 'src/transactions/commit-transaction.ts',
    search:
      "  assertValidSignature(spend.payerSignature, sighash, depositFields.payerPubkey, 'payer signature');\n  return {\n    rawTx,",
    replace: '  void sighash;\n  return {\n    rawTx,',
  },
  {
    id: 'revoke-until-off-by-one',
    description: 'revoke-until stops only below q, not at q (revokes the commit equal to q)',
    file: 'src/machines/bookkeeping.ts',
    search: 'if (amount <= quantity) break;',
    replace: 'if (amount < quantity) break;',
  },
  {
    id: 'payee-never-closes-at-clearance',
    description: 'the clearance check is removed: the payee only closes after expiry',
    file: 'src/guards/payee-guards.ts',
    search: 'return left !== null && left < context.clearance;',
    replace: 'return left !== null && left < 0;',
  },
  {
    id: 'payee-closes-too-late',
    description: 'the payee closes when one block is left, racing the expire it should pre-empt',
    file: 'src/guards/payee-guards.ts',
    search: 'return left !== null && left < context.clearance;',
    replace: 'return left !== null && left < 2;',
  },
  {
    id: 'remainder-to-wrong-script',
    description: 'the commit pays its remainder to the commit script instead of the deposit script',
    file: 'src/transactions/commit-transaction.ts',
    search: '  const depositOutScript = p2shOutputScript(depositScript);\n  const withRemainder',
    replace: '  const depositOutScript = p2shOutputScript(commitScript);\n  const withRemainder',
  },
  {
    id: 'payer-ignores-revoke-secrets',
    description: 'the payer drops the revoke secrets it receives',
    file: 'src/machines/payer-machine.ts',
    search: '      if (matched.size > 0 || topUnrevoked !== context.topUnrevoked) {',
    replace: '      if (matched.size < 0) {',
  },
  {
    id: 'payee-keeps-revoked-commits',
    description: 'the payee forgets to drop revoked commits from its active set',
    file: 'src/machines/payee-machine.ts',
    search: 'const popped = popActiveCommits(context, loaded, revoke, keep, history);',
    replace:
      'const popped = popActiveCommits(context, loaded, revoke, [...keep, ...revoke], history);',
  },
  {
    id: 'commit-fee-floor-not-enforced',
    description: 'the payee does not enforce its fee-rate floor on commits',
    file: 'src/transactions/commit-transaction.ts',
    search: 'if (fee < feeFor(completedSize, expect.minFeeRate)) {',
    replace: 'if (fee < 0n) {',
  },
  {
    id: 'payout-sequence-off-by-one',
    description: "the payout's nSequence is delay_time - 1 (below the script's CSV)",
    file: 'src/transactions/spend-transactions.ts',
    search: 'return parseCommitScript(redeemScript).delayTime;',
    replace: 'return parseCommitScript(redeemScript).delayTime - 1;',
  },
  {
    id: 'payer-ignores-deposit-spend',
    description: 'the payer does not recognise the commit that spent the deposit',
    file: 'src/machines/payer-machine.ts',
    search:
      '          historyOf(event),\n        ).ok\n      );\n    },\n    /** Our expire of the deposit confirmed',
    replace:
      '          historyOf(event),\n        ).ok &&\n        false\n      );\n    },\n    /** Our expire of the deposit confirmed',
  },
  {
    id: 'payee-accepts-equal-amount',
    description: 'the payee accepts a commit that does not raise the transferred amount',
    file: 'src/guards/payee-guards.ts',
    search: 'if (amount <= transferredAmount(context.activeCommits))',
    replace: 'if (amount < transferredAmount(context.activeCommits))',
  },
  {
    id: 'chain-bip68-off-by-one',
    description: 'the simulated chain lets a relative lock pass one block early',
    file: 'src/chain/simulated-chain.ts',
    search: 'if (height - confirmedAt < lock) {',
    replace: 'if (height - confirmedAt < lock - 1) {',
  },
  {
    id: 'payee-forgets-requested-revoke',
    description: 'the payee accepts commits whose revoke hash it never issued',
    file: 'src/transactions/commit-transaction.ts',
    search:
      'if (!expect.issuedRevokeHashes.some((h) => equalBytes(h, commitFields.revokeSecretHash))) {',
    replace: 'if (expect.issuedRevokeHashes.length === -1) {',
  },
  {
    id: 'revoke-sequence-like-reference',
    description:
      "the revoke carries nSequence = delay_time (the reference vector's choice), so it races the payout",
    file: 'src/transactions/spend-transactions.ts',
    search: '    default:\n      return FINAL_SEQUENCE;',
    replace:
      "    case 'revoke':\n      return parseCommitScript(redeemScript).delayTime;\n    default:\n      return FINAL_SEQUENCE;",
  },
  {
    id: 'payer-never-outbids-payout',
    description:
      'a payout of a revoked commit waiting in the mempool is not outbid: the revoke keeps its own fee',
    file: 'src/machines/payer-machine.ts',
    search: 'const revoke = revokeToBroadcast(context, planRevoke(context, conflict));',
    replace: 'const revoke = revokeToBroadcast(context, planRevoke(context, conflict && null));',
  },
  {
    id: 'payer-settles-on-unfinal-payout',
    description:
      'a payout of the revoked commit ends the commit output at its first confirmation, reorganisations aside',
    file: 'src/machines/payer-machine.ts',
    search:
      "                    guard: 'payoutConfirmed',\n                    target: 'payoutConfirming',\n                    actions: ['recordSpendSecret', COMMIT_OUTPUT_FINAL_SPEND],",
    replace:
      "                    guard: 'payoutConfirmed',\n                    target: 'done',\n                    actions: ['recordSpendSecret', COMMIT_OUTPUT_FINAL_SPEND],",
  },
  {
    id: 'runtime-forgets-unspent-after-restart',
    description:
      'a restarted runtime never says a watched output is unspent again, so a spend a reorganisation took out while it was down stays in its snapshot',
    file: 'src/runtime/channel-runtime.ts',
    search: "if (before === 'unspent' || before === 'unseen') continue;",
    replace: "if (before === 'unspent' || before === 'unseen' || before === undefined) continue;",
  },
  {
    id: 'payer-trusts-every-asset-give-back',
    description:
      'asset mode: the payer counts every give-back, even while BTC parked at the commit address could pay the asset out first',
    file: 'src/guards/payer-guards.ts',
    search: '    if (!trusted) untrusted.add(hash);',
    replace: '    if (!trusted && hash === "") untrusted.add(hash);',
  },
  {
    id: 'payee-ignores-asset-balance',
    description:
      'asset mode: the payee opens on a deposit whose address holds less of the asset than announced',
    file: 'src/guards/payee-guards.ts',
    search: '  if (balance.value < parseAmount(asset.quantity)) {',
    replace: '  if (balance.value < 0n) {',
  },
  {
    id: 'payee-ignores-older-deposit-output',
    description:
      'asset mode: the payee opens although an older output at the deposit address could expire the asset early',
    file: 'src/guards/payee-guards.ts',
    search: "  return address.ok ? pass(true) : fail('DEPOSIT_MISMATCH', address.reason);",
    replace: '  return pass(true);',
  },
  {
    id: 'asset-expire-moves-nothing',
    description:
      "asset mode: the payer's change and expire name no quantity, so the asset stays at the deposit address",
    file: 'src/machines/asset-mode.ts',
    search: '  return context.asset ? parseAmount(context.asset.quantity) : 0n;',
    replace: '  return context.asset ? 1n : 0n;',
  },
];
