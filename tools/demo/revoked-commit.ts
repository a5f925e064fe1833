import { PayeeChannel } from '../../src/runtime/channels.js';
import { Checks } from './checks.js';
import { sats } from './format.js';
import { feesOf, readLedger } from './ledger.js';
import type { Reporter } from './reporter.js';
import {
  MAX_CHANNEL_TX_VSIZE,
  type ScenarioResult,
  createLoggedWorld,
  mineUntilFinal,
  openChannel,
} from './scenario.js';
import type { ChannelParams } from './world.js';

/** Channel 2's parameters. */
export const REVOKED_COMMIT_CHANNEL: ChannelParams = {
  channelId: 'demo-revoked',
  funding: 2_000_000n,
  depositAmount: 500_000n,
  expireTime: 30,
  delayTime: 6,
  clearance: 6,
  feeRate: 2,
  payerKeySeed: 0x03,
  payeeKeySeed: 0x04,
};

/**
 * Channel 2, a cheating payee: after giving value back it restarts from an old snapshot that
 * still holds the revoked commits, and closes with the highest of them. The payer takes the
 * commit output with the revoke secret before `delay_time` runs out, and later expires the
 * remainder of the deposit.
 */
export async function runRevokedCommit(reporter: Reporter): Promise<ScenarioResult> {
  const title = 'Channel 2: the payee publishes a revoked commit';
  reporter.heading(title);
  const params = REVOKED_COMMIT_CHANNEL;
  const { world, broadcasts } = await createLoggedWorld(params, reporter);
  await openChannel(world, reporter);

  for (const amount of [10_000n, 20_000n, 30_000n]) {
    await world.payer.pay(amount);
    await world.settle();
  }
  const revokedAmount = world.payee.status().transferred;
  reporter.step(`payer pays 10,000 + 20,000 + 30,000: payee holds ${sats(revokedAmount)}`);
  // The snapshot a careless operator might later restore: it predates the give-back.
  const versions = world.payeeStore.versions(params.channelId);
  const stale = versions[versions.length - 1]!;
  const staleIndex = versions.length;

  await world.payee.revokeUntil(10_000n);
  await world.settle();
  const kept = world.payee.status().transferred;
  reporter.step(
    `payee gives back down to ${sats(kept)}; the payer now holds the revoke secrets of ${world.payer.context.commits.filter((c) => c.revokeSecret !== null).length} commits`,
  );

  const restarted = await PayeeChannel.restore(stale, world.env('payee'));
  world.attachPayee(restarted);
  reporter.step(
    `payee restarts from stale snapshot #${staleIndex} of ${world.payeeStore.versions(params.channelId).length}: it believes it holds ${sats(restarted.status().transferred)}`,
  );
  reporter.step(`stale payee closes, publishing the revoked ${sats(revokedAmount)} commit`);
  await restarted.close();
  await world.settle();
  await mineUntilFinal(world, reporter, params.expireTime + 20);

  const ledger = await readLedger(world, broadcasts);
  const checks = new Checks();
  const maxFee = BigInt(params.feeRate) * MAX_CHANNEL_TX_VSIZE;
  const published = world.payer.context.published;
  checks.equal('payee outcome', world.payee.status().outcome, 'revoked-by-payer');
  checks.equal('payer outcome', world.payer.status().outcome, 'settled');
  checks.equal(
    'the published commit is the revoked one',
    published ? BigInt(published.amount) : null,
    revokedAmount,
  );
  const commitHeight = ledger.transactions.find((t) => t.label === 'commit')?.height ?? null;
  const revokeHeight = ledger.transactions.find((t) => t.label === 'revoke')?.height ?? null;
  // A payout is valid from `delay_time` blocks after the commit confirmed: the revoke must win.
  const payoutValidAt = commitHeight === null ? null : commitHeight + params.delayTime;
  checks.that(
    'payer revoked before the payout became valid',
    revokeHeight !== null &&
      payoutValidAt !== null &&
      revokeHeight < payoutValidAt &&
      !ledger.transactions.some((t) => t.label === 'payout'),
    `commit at height ${commitHeight ?? '—'}, revoke at ${revokeHeight ?? '—'}, payout valid from ${payoutValidAt ?? '—'}`,
  );
  checks.equal('payee received nothing', ledger.payee, 0n);
  checks.equal(
    'payer recovered everything but fees',
    ledger.payerRecovered,
    ledger.deposit - feesOf(ledger, 'commit', 'revoke', 'expire'),
  );
  checks.within(
    'payer recovery within fee bounds',
    ledger.payerRecovered,
    ledger.deposit - 3n * maxFee,
    ledger.deposit,
  );
  checks.equal(
    'conservation: payer + payee + fees = funding',
    ledger.payer + ledger.payee + ledger.fees,
    ledger.funding,
  );
  checks.equal(
    'conservation: payee + payer recovered + channel fees = deposit',
    ledger.payee + ledger.payerRecovered + ledger.channelFees,
    ledger.deposit,
  );
  return {
    title,
    outcomes: { payer: world.payer.status().outcome, payee: world.payee.status().outcome },
    ledger,
    checks: checks.results,
    ok: checks.ok,
  };
}
