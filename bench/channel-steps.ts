/**
 * Random channel actions through the test harness with bitcore verifying every transaction:
 * the kind of step a channel property suite takes (pay, give back, mine, redeliver, close).
 */
import { ChannelCommandError } from '../src/runtime/channels.js';
import {
  type TestChannel,
  mine,
  openTestChannel,
  settle,
} from '../test/support/channel-harness.js';
import type { Benchmark } from './harness.js';

/** Steps per sample: one channel driven through this many random actions. */
export const STEPS_PER_CHANNEL = 60;

/** A small seeded generator (mulberry32), so that every sample takes the same actions. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function refusedOrDone(command: Promise<void>): Promise<void> {
  try {
    await command;
  } catch (error) {
    // A refused command is a legitimate step outcome (e.g. nothing to give back).
    if (!(error instanceof ChannelCommandError)) throw error;
  }
}

/** One random action followed by delivery and chain catch-up. */
async function step(t: TestChannel, next: () => number): Promise<void> {
  const roll = next();
  if (roll < 0.5) {
    await refusedOrDone(t.payer.pay(BigInt(500 + Math.floor(next() * 5_000))));
  } else if (roll < 0.6) {
    const transferred = t.payee.status().transferred;
    await refusedOrDone(t.payee.revokeUntil((transferred * 3n) / 4n));
  } else if (roll < 0.85) {
    await mine(t, 1);
  } else if (roll < 0.98) {
    // A payment whose messages arrive twice: the duplicates must be refused or ignored.
    await refusedOrDone(t.payer.pay(1_000n));
    t.link.queue.push(...t.link.queue.map((m) => ({ ...m })));
  } else {
    await refusedOrDone(t.payee.close());
  }
  await settle(t);
}

/** Random channel steps per second with bitcore verification (channel setup untimed). */
export function channelStepsBenchmark(seed: number): Benchmark<TestChannel> {
  return {
    name: `random channel steps, bitcore verification (${STEPS_PER_CHANNEL} per channel)`,
    operations: STEPS_PER_CHANNEL,
    prepare: async () => {
      const t = await openTestChannel({ expireTime: 500 });
      await settle(t);
      await mine(t, 1);
      return t;
    },
    run: async (n, t) => {
      const next = random(seed);
      for (let i = 0; i < n; i++) await step(t, next);
    },
  };
}
