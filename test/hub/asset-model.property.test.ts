import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HubClient } from '../../src/hub-client/index.js';
import { propertyConfig } from '../support/property-config.js';
import {
  AssetHubWorld,
  CLIENT_ALLOCATION,
  HUB_ALLOCATION,
  HUB_ASSET,
  HUB_ASSET_TERMS,
} from './asset-world.js';

/**
 * The hub in asset mode: three clients connected in a Counterparty asset pay each other at
 * random through the hub over loopback HTTP, with syncs, blocks and hub restarts on its store
 * in between. Every payment the hub accepted is delivered exactly once (each client received
 * exactly what was paid to it), and once every channel
 * closed the ledger shows each client holding exactly its allocation less what it sent and the
 * fees, plus what it received, and the hub the fees: the asset is conserved to the unit.
 *
 * Budget: `FC_RUNS` scales the runs, `FC_SEED` replays.
 */

const CLIENTS = 3;

type Action =
  | { readonly kind: 'pay'; readonly from: number; readonly to: number; readonly amount: number }
  | { readonly kind: 'sync'; readonly who: number }
  | { readonly kind: 'mine' }
  | { readonly kind: 'restart' };

const party = fc.integer({ min: 0, max: CLIENTS - 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({ from: party, to: party, amount: fc.integer({ min: 1, max: 120 }) })
      .filter((p) => p.from !== p.to)
      .map((p) => ({ kind: 'pay' as const, ...p })),
  },
  { weight: 2, arbitrary: party.map((who) => ({ kind: 'sync' as const, who })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'mine' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

async function run(actions: readonly Action[]): Promise<void> {
  const w = await AssetHubWorld.create(CLIENTS);
  try {
    const clients = w.clients as HubClient[];
    const handles: string[] = [];
    for (const client of clients)
      handles.push(
        (
          await client.connect({
            asset: HUB_ASSET,
            quantity: 1_000n,
            expireBlocks: 80,
            delayBlocks: 4,
          })
        ).handle,
      );
    await w.mine(3);
    // What the hub accepted: each payment must reach its payee exactly once.
    const sent = Array<bigint>(CLIENTS).fill(0n);
    const received = Array<bigint>(CLIENTS).fill(0n);
    const paidFees = Array<bigint>(CLIENTS).fill(0n);
    for (const action of actions) {
      switch (action.kind) {
        case 'pay': {
          const amount = BigInt(action.amount);
          // A payment beyond what the payer's channel or the payee's can carry is refused, and
          // then changes nothing.
          const paid = await clients[action.from]!.pay({
            from: handles[action.from]!,
            to: handles[action.to]!,
            amount,
          }).then(
            () => true,
            (error: { hubCode?: string; code?: string }) => {
              const code = error.hubCode ?? error.code;
              expect(['INSUFFICIENT_FUNDS', 'AMOUNT_INVALID'], String(error)).toContain(code);
              return false;
            },
          );
          if (paid) {
            sent[action.from]! += amount;
            received[action.to]! += amount;
            paidFees[action.from]! += HUB_ASSET_TERMS.paymentFee;
          }
          break;
        }
        case 'sync':
          await clients[action.who]!.sync(handles[action.who]!);
          break;
        case 'mine':
          await w.mine(1);
          break;
        case 'restart':
          await w.stopHub();
          await w.startHub();
          break;
      }
    }
    for (let round = 0; round < 2; round++)
      for (const [who, client] of clients.entries()) await client.sync(handles[who]!);
    for (const [who, client] of clients.entries()) {
      const [connection] = await client.connections();
      expect(connection!.received, `client ${who} received`).toBe(received[who]);
      expect(connection!.sent, `client ${who} sent`).toBe(sent[who]! + paidFees[who]!);
    }
    for (const [who, client] of clients.entries()) await client.close(handles[who]!);
    await w.mine(110);
    const balances = await w.balances();
    for (let who = 0; who < CLIENTS; who++)
      expect(balances.clients[who], `client ${who}`).toBe(
        CLIENT_ALLOCATION - sent[who]! - paidFees[who]! + received[who]!,
      );
    expect(balances.hub + balances.clients.reduce((a, b) => a + b, 0n)).toBe(
      HUB_ALLOCATION + CLIENT_ALLOCATION * BigInt(CLIENTS),
    );
  } finally {
    await w.close();
  }
}

describe('hub model in asset mode (asset units on the simulated Counterparty ledger)', () => {
  it('payments through restarts arrive once, and every unit is accounted for', async () => {
    await fc.assert(fc.asyncProperty(fc.array(actionArb, { minLength: 3, maxLength: 14 }), run), {
      ...propertyConfig('hub asset model', 4),
      verbose: 0,
    });
  }, 600_000);
});
