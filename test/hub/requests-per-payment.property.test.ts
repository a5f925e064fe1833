import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import type { HubClient } from '../../src/hub-client/index.js';
import { Hub, type HubServer, startHubServer } from '../../src/hub/index.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { propertyConfig } from '../support/property-config.js';
import { inProcessClient } from './in-process.js';

/**
 * Once its channels are open, a client pays with one request and syncs with one: the payee's
 * next revoke hash, its answer to the hub's commit, waits for the client's next request instead
 * of a round of its own. Mixed with blocks (at which channels send again what is unanswered)
 * and with clients reopened over their stores (a new process: what was queued in memory is
 * gone), no payment is lost, doubled or held back.
 */

type Step =
  | { kind: 'pay'; from: number; to: number; amount: number }
  | { kind: 'sync'; who: number }
  | { kind: 'mine' }
  | { kind: 'reopen'; who: number };

const CLIENTS = 3;
const who = fc.integer({ min: 0, max: CLIENTS - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        from: who,
        shift: fc.integer({ min: 1, max: CLIENTS - 1 }),
        amount: fc.integer({ min: 600, max: 2_000 }),
      })
      .map(({ from, shift, amount }) => ({
        kind: 'pay' as const,
        from,
        to: (from + shift) % CLIENTS,
        amount,
      })),
  },
  { weight: 3, arbitrary: who.map((w) => ({ kind: 'sync' as const, who: w })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'mine' as const }) },
  { weight: 1, arbitrary: who.map((w) => ({ kind: 'reopen' as const, who: w })) },
);

interface Party {
  client: HubClient;
  handle: string;
  readonly store: MemoryStore;
  /** Reopened and not yet paid from: it has not seen the hub's terms. */
  fresh: boolean;
}

describe('hub client: requests per payment', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    cleanup.length = 0;
  });

  it('pays with one request and syncs with one, and every payment reaches its payee once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 14 }), async (steps) => {
        const sim = new SimulatedChain();
        const hub = await Hub.start({
          chain: sim,
          store: new MemoryStore(),
          privateKey: testPrivateKey(100),
          network: 'regtest',
          chainJobMs: 3_600_000,
        });
        await hub.fundWallet(sim.fund(hub.wallet!.outputScript, 5_000_000n), 5_000_000n);
        const server: HubServer = await startHubServer(hub);
        const parties: Party[] = [];
        cleanup.push(async () => {
          for (const p of parties) await p.client.stop().catch(() => undefined);
          await server.close();
          await hub.stop();
        });
        const requests: string[] = [];
        const counting: typeof fetch = (input, init) => {
          requests.push(JSON.parse(String(init?.body)).method);
          return fetch(input, init);
        };
        const open = (i: number, store: MemoryStore) =>
          inProcessClient(sim, server, { wallet: 10 + i, key: 40 + i }, store, counting);
        for (let i = 0; i < CLIENTS; i++) {
          const store = new MemoryStore();
          const client = await open(i, store);
          const { handle } = await client.connect({
            asset: 'BTC',
            quantity: 100_000n,
            expireBlocks: 500,
            delayBlocks: 4,
          });
          parties.push({ client, handle, store, fresh: false });
        }
        for (let i = 0; i < 3; i++) {
          sim.mine(1);
          await hub.manager.idle();
          for (const p of parties) await p.client.sync();
        }
        const due = Array.from({ length: CLIENTS }, () => 0n);
        const sent = Array.from({ length: CLIENTS }, () => 0n);
        for (const s of steps) {
          const before = requests.length;
          if (s.kind === 'pay') {
            const p = parties[s.from]!;
            await p.client.pay({
              from: p.handle,
              to: parties[s.to]!.handle,
              amount: BigInt(s.amount),
            });
            due[s.to]! += BigInt(s.amount);
            sent[s.from]! += BigInt(s.amount);
            // A reopened client asks for the terms (its fee) once, at its first payment.
            expect(requests.slice(before)).toEqual(
              p.fresh ? ['hub_status', 'hub_pay'] : ['hub_pay'],
            );
            p.fresh = false;
          } else if (s.kind === 'sync') {
            await parties[s.who]!.client.sync();
            expect(requests.slice(before)).toEqual(['hub_sync']);
          } else if (s.kind === 'mine') {
            sim.mine(1);
            await hub.manager.idle();
            for (const p of parties) await p.client.channels.idle();
          } else {
            const p = parties[s.who]!;
            await p.client.stop();
            p.client = await open(s.who, p.store);
            p.fresh = true;
          }
        }
        // One sync each collects everything still queued at the hub.
        for (const p of parties) {
          const before = requests.length;
          await p.client.sync();
          expect(requests.slice(before)).toEqual(['hub_sync']);
        }
        for (let i = 0; i < CLIENTS; i++) {
          const [status] = await parties[i]!.client.connections();
          expect(status!.received).toBe(due[i]);
          expect(status!.sent).toBe(sent[i]);
          const received = (await parties[i]!.client.history()).filter(
            (h) => h.direction === 'received',
          );
          expect(received.reduce((sum, h) => sum + h.amount, 0n)).toBe(due[i]);
        }
      }),
      propertyConfig('hub requests per payment', 5),
    );
  }, 120_000);
});
