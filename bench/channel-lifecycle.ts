/**
 * Full channel lifecycles through the runtime on the simulated chain: deposit, payments, close,
 * payout and change — with and without bitcore's independent script interpreter.
 */
import { mine, openTestChannel, settle } from '../test/support/channel-harness.js';
import type { Benchmark } from './harness.js';

/** Payments in each lifecycle. */
export const PAYMENTS_PER_LIFECYCLE = 100;

/** Runs one channel from offer to payout and change; throws when it ends any other way. */
export async function runLifecycle(verify: boolean, payments: number): Promise<void> {
  const t = await openTestChannel({ verify });
  await settle(t);
  await mine(t, 1);
  for (let i = 0; i < payments; i++) {
    await t.payer.pay(1_000n);
    await settle(t);
  }
  await t.payee.close();
  await settle(t);
  await mine(t, 12);
  const payee = t.payee.status();
  const payer = t.payer.status();
  if (payee.outcome !== 'paid-out' || payer.outcome !== 'settled') {
    throw new Error(`lifecycle ended ${payee.outcome}/${payer.outcome}`);
  }
  if (payee.transferred !== 1_000n * BigInt(payments)) throw new Error('payments lost');
  const rejections = [...t.payee.runtime.rejections, ...t.payer.runtime.rejections];
  if (rejections.length > 0) throw new Error(`rejections: ${JSON.stringify(rejections)}`);
}

/** Lifecycles per second; `verify` puts bitcore's interpreter behind every broadcast. */
export function lifecycleBenchmark(verify: boolean): Benchmark<void> {
  return {
    name: `lifecycle, ${PAYMENTS_PER_LIFECYCLE} payments, ${verify ? 'bitcore verification' : 'no script verification'}`,
    operations: 1,
    run: async (n) => {
      for (let i = 0; i < n; i++) await runLifecycle(verify, PAYMENTS_PER_LIFECYCLE);
    },
  };
}
