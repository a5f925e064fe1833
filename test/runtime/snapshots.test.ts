import { describe, expect, test } from 'vitest';
import type { PayeeContext } from '../../src/machines/context.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import {
  type TestChannel,
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';
import { snapshotContext } from '../support/snapshot-context.js';

type Step = (t: TestChannel) => Promise<void>;

const HAPPY: Step[] = [
  (t) => settle(t),
  (t) => mine(t, 1),
  async (t) => {
    await t.payer.pay(10_000n);
    await settle(t);
  },
  async (t) => {
    await t.payer.pay(20_000n);
    await settle(t);
  },
  async (t) => {
    await t.payee.revokeUntil(10_000n);
    await settle(t);
  },
  async (t) => {
    await t.payee.close();
    await settle(t);
  },
  ...Array.from({ length: 10 }, () => (t: TestChannel) => mine(t, 1)),
];

const REVOKED: Step[] = [
  (t) => settle(t),
  (t) => mine(t, 1),
  async (t) => {
    await t.payer.pay(10_000n);
    await settle(t);
  },
  async (t) => {
    await t.payer.pay(40_000n);
    await settle(t);
  },
  async (t) => {
    await t.payee.revokeUntil(10_000n);
    await settle(t);
  },
  async (t) => {
    // The payee restarts from the newest snapshot that still holds the revoked commit, and closes.
    const stale = [...t.payeeStore.versions(t.payeeEnv.storeKey)]
      .reverse()
      .find((text) =>
        snapshotContext<PayeeContext>(text).activeCommits.some((c) => c.amount === '50000'),
      );
    if (!stale) throw new Error('no stale snapshot');
    t.payee = await PayeeChannel.restore(stale, t.payeeEnv);
    await t.payee.close();
    await settle(t);
  },
  ...Array.from({ length: 45 }, () => (t: TestChannel) => mine(t, 1)),
];

interface Run {
  readonly payerOutcome: string | null;
  readonly payeeOutcome: string | null;
  readonly payerBalance: bigint;
  readonly payeeBalance: bigint;
  readonly states: Set<string>;
}

/** Runs the steps; with `restore`, both parties are replaced after every step by machines restored from their snapshots. */
async function run(steps: readonly Step[], restore: boolean): Promise<Run> {
  // Transaction validity is not under test here (recovery.test.ts checks it with bitcore).
  const t: TestChannel = await openTestChannel({ verify: false, expireTime: 30, delayTime: 5 });
  t.link.attach('payer', (text) => t.payer.receive(text).then(() => undefined));
  t.link.attach('payee', (text) => t.payee.receive(text).then(() => undefined));
  const states = new Set<string>();
  const rejections: unknown[] = [];
  for (const step of steps) {
    await step(t);
    if (restore) rejections.push(...t.payer.runtime.rejections, ...t.payee.runtime.rejections);
    states.add(`payer:${t.payer.status().state}`);
    states.add(`payee:${t.payee.status().state}`);
    for (const text of [t.payer.snapshot(), t.payee.snapshot()]) {
      const value: unknown = JSON.parse(text);
      expect(JSON.parse(JSON.stringify(value))).toEqual(value);
      expect(JSON.stringify(value)).toBe(text);
    }
    if (restore) {
      const payer = await PayerChannel.restore(t.payer.snapshot(), t.payerEnv);
      const payee = await PayeeChannel.restore(t.payee.snapshot(), t.payeeEnv);
      expect(payer.status()).toEqual(t.payer.status());
      expect(payee.status()).toEqual(t.payee.status());
      // The live context (an object, not text) survives the JSON round trip exactly.
      expect(payer.context).toEqual(t.payer.context);
      expect(payee.context).toEqual(t.payee.context);
      expect(JSON.parse(JSON.stringify(t.payee.context))).toEqual(t.payee.context);
      expect(payer.snapshot()).toBe(t.payer.snapshot());
      t.payer = payer;
      t.payee = payee;
    }
  }
  // A restored runtime hears the current height again and resends what is outstanding, so the
  // counterparty may see a commit or revoke hash twice; only those duplicates may be refused.
  const codes = new Set(rejections.map((r) => (r as { code: string }).code));
  for (const code of codes) expect(['AMOUNT_NOT_INCREASING', 'REVOKE_HASH_REUSED']).toContain(code);
  return {
    payerOutcome: t.payer.status().outcome,
    payeeOutcome: t.payee.status().outcome,
    payerBalance: t.chain.balanceOf(destinationOf(testPrivateKey(1))),
    payeeBalance: t.chain.balanceOf(destinationOf(testPrivateKey(2))),
    states,
  };
}

describe('persisted snapshots', () => {
  test.each([
    ['happy path', HAPPY, 'settled', 'paid-out'],
    ['revoked-commit path', REVOKED, 'settled', 'revoked-by-payer'],
  ] as const)(
    '%s: plain JSON at every state, and a restored machine carries on to the same outcome',
    async (_name, steps, payerOutcome, payeeOutcome) => {
      const straight = await run(steps, false);
      expect(straight.payerOutcome).toBe(payerOutcome);
      expect(straight.payeeOutcome).toBe(payeeOutcome);
      const restored = await run(steps, true);
      expect(restored.payerOutcome).toBe(straight.payerOutcome);
      expect(restored.payeeOutcome).toBe(straight.payeeOutcome);
      expect(restored.states).toEqual(straight.states);
      expect(straight.states.size).toBeGreaterThan(6);
      // Signatures differ in length by a byte between runs (fresh spend secrets), so fees may too.
      const close = (a: bigint, b: bigint) =>
        expect(a > b ? a - b : b - a).toBeLessThanOrEqual(10n);
      close(restored.payerBalance, straight.payerBalance);
      close(restored.payeeBalance, straight.payeeBalance);
    },
  );
});
