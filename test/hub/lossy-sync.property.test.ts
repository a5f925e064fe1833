import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubWorld } from './harness.js';

/**
 * A fetch over real HTTP that, as the plan says, loses the response after the hub handled the
 * request, or sends the request twice, before answering. The client retries with the same
 * nonce, so every loss is followed by a retry that gets the stored answer.
 */
function lossyFetch(plan: () => 'ok' | 'lose' | 'twice'): typeof fetch {
  return async (input, init) => {
    const fate = plan();
    if (fate === 'lose') {
      await fetch(input, init);
      throw new TypeError('response lost');
    }
    if (fate === 'twice') {
      const [a, b] = await Promise.all([fetch(input, init), fetch(input, init)]);
      await a.text();
      return b;
    }
    return fetch(input, init);
  };
}

const action = fc.oneof(
  fc.record({
    kind: fc.constant('pay' as const),
    fromAlice: fc.boolean(),
    amount: fc.integer({ min: 1, max: 3000 }),
  }),
  fc.record({ kind: fc.constant('sync' as const), alice: fc.boolean() }),
  fc.record({ kind: fc.constant('restart' as const) }),
);

describe('sync over a lossy, duplicating HTTP layer with hub restarts', () => {
  it('loses and doubles no payment', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 3, maxLength: 8 }),
        fc.array(fc.constantFrom('ok' as const, 'lose' as const, 'twice' as const), {
          minLength: 64,
          maxLength: 64,
        }),
        async (actions, fates) => {
          let i = 0;
          let lostInARow = 0;
          // At most two losses in a row: the client tries three times.
          const plan = () => {
            const fate = fates[i++ % fates.length]!;
            if (fate === 'lose' && lostInARow >= 2) {
              lostInARow = 0;
              return 'ok';
            }
            lostInARow = fate === 'lose' ? lostInARow + 1 : 0;
            return fate;
          };
          const w = await HubWorld.create();
          try {
            const alice = await w.client(1, lossyFetch(plan));
            const bob = await w.client(2, lossyFetch(plan));
            const a = await alice.connect({
              asset: 'BTC',
              quantity: 100_000n,
              expireBlocks: 100,
              delayBlocks: 4,
            });
            const b = await bob.connect({
              asset: 'BTC',
              quantity: 100_000n,
              expireBlocks: 100,
              delayBlocks: 4,
            });
            await w.mine(2);
            await alice.sync();
            await bob.sync();
            let toBob = 0n;
            let toAlice = 0n;
            for (const step of actions) {
              if (step.kind === 'pay') {
                const [payer, from, to] = step.fromAlice
                  ? [alice, a.handle, b.handle]
                  : [bob, b.handle, a.handle];
                await payer.pay({ from, to, amount: BigInt(step.amount) });
                if (step.fromAlice) toBob += BigInt(step.amount);
                else toAlice += BigInt(step.amount);
              } else if (step.kind === 'sync') await (step.alice ? alice : bob).sync();
              else {
                await w.stopHub();
                await w.startHub();
                await w.mine(1);
              }
            }
            await alice.sync();
            await bob.sync();
            const [ac] = await alice.connections();
            const [bc] = await bob.connections();
            expect(bc!.received).toBe(toBob);
            expect(ac!.received).toBe(toAlice);
            expect(ac!.sent).toBe(toBob);
            expect(bc!.sent).toBe(toAlice);
            const receivedByBob = (await bob.history()).filter((h) => h.direction === 'received');
            expect(receivedByBob.reduce((s, h) => s + h.amount, 0n)).toBe(toBob);
          } finally {
            await w.close();
          }
        },
      ),
      { numRuns: 4, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  }, 80_000);
});
