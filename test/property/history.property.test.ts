import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { revokeUntil } from '../../src/machines/bookkeeping.js';
import { HISTORY_WINDOW } from '../../src/machines/history.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { IncrementalStore } from '../../src/runtime/incremental-store.js';
import type { MemoryStore } from '../../src/runtime/store.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';
import { propertyConfig } from '../support/property-config.js';

const CONFIG = propertyConfig('channel history', 20);

/** What a run does: pay, give back (PROTOCOL.md §6), or restart both parties from their stores. */
type Step =
  | { readonly kind: 'pay'; readonly units: number }
  | { readonly kind: 'revoke'; readonly fraction: number; readonly surpass: boolean }
  | { readonly kind: 'restart' };

const UNIT = 1_000n;

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      units: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('revoke' as const),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      surpass: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

/**
 * Long runs of payments and give-backs, many reaching below the commits a context keeps, agree
 * with revoke-until over the full list of commits (the reference); both parties agree with each
 * other after every step, through restarts, and the channel settles with every satoshi counted.
 */
describe('channel history against the full-list reference', () => {
  for (const incremental of [false, true])
    test(`deep give-backs and restarts keep both parties on the reference bookkeeping${incremental ? ' (incremental store, restarts from the logs)' : ''}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 30 }), async (steps) => {
          let t = await openTestChannel({ verify: false, expireTime: 200, incremental });
          await settle(t);
          await mine(t, 1);
          let active: { amount: string }[] = [];
          let top = 0n;
          for (const s of steps) {
            if (s.kind === 'pay') {
              top += BigInt(s.units) * UNIT;
              // The first commit must clear the dust floor: pay at least 1,000 sat each time.
              await t.payer.pay(top - (active.length > 0 ? BigInt(active.at(-1)!.amount) : 0n));
              active.push({ amount: String(top) });
            } else if (s.kind === 'revoke') {
              if (active.length === 0) continue;
              const q = BigInt(Math.floor(Number(top) * s.fraction));
              const plan = revokeUntil(active, q, s.surpass);
              if (plan.revoke.length === 0) continue;
              await t.payee.revokeUntil(q, { surpass: s.surpass });
              active = plan.keep;
              top = active.length > 0 ? BigInt(active.at(-1)!.amount) : 0n;
            } else {
              // A restart reads the stores anew: a fresh incremental store replays the log.
              const reopen = (log: MemoryStore) =>
                incremental ? new IncrementalStore(log, { compactEvery: 8 }) : log;
              const payerEnv = { ...t.payerEnv, store: reopen(t.payerStore) };
              const payeeEnv = { ...t.payeeEnv, store: reopen(t.payeeStore) };
              const payer = await PayerChannel.restore(
                (await payerEnv.store.load('test-channel'))!,
                payerEnv,
              );
              const payee = await PayeeChannel.restore(
                (await payeeEnv.store.load('test-channel'))!,
                payeeEnv,
              );
              t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
              t.link.attach('payee', (text) => payee.receive(text).then(() => undefined));
              t = { ...t, payer, payee, payerEnv, payeeEnv };
            }
            await settle(t);
            expect(t.payee.status().transferred).toBe(top);
            expect(t.payer.status().transferred).toBe(top);
            const payee = t.payee.context;
            expect(payee.activeCommits.length).toBeLessThanOrEqual(HISTORY_WINDOW);
            expect(payee.activeCommits.length + payee.activeDepth).toBe(active.length);
          }
          if (top === 0n) return;
          await t.payee.close();
          await settle(t);
          for (let i = 0; i < 12 && !(t.payee.done && t.payer.done); i++) await mine(t, 1);
          expect(t.payee.status().outcome).toBe('paid-out');
          expect(t.payer.status().outcome).toBe('settled');
        }),
        CONFIG,
      );
    }, 240_000);
});
