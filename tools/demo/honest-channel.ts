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

/** Options of {@link runHonestChannel}. */
export interface HonestChannelOptions {
  /** Number of payments (default 25). */
  readonly payments?: number;
  /** Amount of each payment, satoshis (default 2,000). */
  readonly paymentAmount?: bigint;
  /** Payments the payee gives back before closing (default 5). */
  readonly givenBack?: number;
}

/** Channel 1's parameters. */
export const HONEST_CHANNEL: ChannelParams = {
  channelId: 'demo-honest',
  funding: 2_000_000n,
  depositAmount: 1_000_000n,
  expireTime: 60,
  delayTime: 6,
  clearance: 6,
  feeRate: 2,
  payerKeySeed: 0x01,
  payeeKeySeed: 0x02,
};

/**
 * Channel 1, everyone honest: deposit, a stream of payments, a give-back (revoke-until), close
 * by the payee, payout after `delay_time`, and the payer's change with the revealed spend secret.
 */
export async function runHonestChannel(
  reporter: Reporter,
  options: HonestChannelOptions = {},
): Promise<ScenarioResult> {
  const payments = options.payments ?? 25;
  const each = options.paymentAmount ?? 2_000n;
  const givenBack = options.givenBack ?? 5;
  const title = 'Channel 1: pay, give back, close, pay out, change';
  reporter.heading(title);
  const { world, broadcasts } = await createLoggedWorld(HONEST_CHANNEL, reporter);
  await openChannel(world, reporter);

  for (let i = 1; i <= payments; i++) {
    await world.payer.pay(each);
    await world.settle();
    reporter.progress(
      i,
      payments,
      `paid ${sats(each)}, payee holds a commit for ${sats(world.payee.status().transferred)}`,
    );
  }
  const paid = each * BigInt(payments);

  const keep = paid - each * BigInt(givenBack);
  await world.payee.revokeUntil(keep);
  await world.settle();
  reporter.step(
    `payee gives back ${sats(paid - keep)}: revoke-until ${sats(keep)} revokes ${world.payee.context.revokedCommits.length + world.payee.context.revokedDepth} commits; payer sees ${sats(world.payer.status().transferred)}`,
  );

  reporter.step(`payee closes with its best commit (${sats(keep)})`);
  await world.payee.close();
  await world.settle();
  await mineUntilFinal(world, reporter, HONEST_CHANNEL.delayTime + 20);

  const ledger = await readLedger(world, broadcasts);
  const checks = new Checks();
  const maxFee = BigInt(HONEST_CHANNEL.feeRate) * MAX_CHANNEL_TX_VSIZE;
  checks.equal('payee outcome', world.payee.status().outcome, 'paid-out');
  checks.equal('payer outcome', world.payer.status().outcome, 'settled');
  checks.equal('payee transferred after give-back', world.payee.status().transferred, keep);
  checks.equal('payer agrees on transferred', world.payer.status().transferred, keep);
  checks.equal(
    'payee received its commit minus the payout fee',
    ledger.payee,
    keep - feesOf(ledger, 'payout'),
  );
  checks.within('payee balance within fee bounds', ledger.payee, keep - maxFee, keep);
  checks.equal(
    'payer recovered the rest minus commit and change fees',
    ledger.payerRecovered,
    ledger.deposit - keep - feesOf(ledger, 'commit', 'change'),
  );
  checks.within(
    'payer recovery within fee bounds',
    ledger.payerRecovered,
    ledger.deposit - keep - 2n * maxFee,
    ledger.deposit - keep,
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
  checks.equal(
    'no refused messages or commands',
    world.payer.runtime.rejections.length + world.payee.runtime.rejections.length,
    0,
  );
  return {
    title,
    outcomes: { payer: world.payer.status().outcome, payee: world.payee.status().outcome },
    ledger,
    checks: checks.results,
    ok: checks.ok,
  };
}
