import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HubClient } from '../../../src/hub-client/index.js';
import { requestDigest, signHex } from '../../../src/hub/signing.js';
import { testPrivateKey } from '../../support/channel-harness.js';
import { propertyConfig } from '../../support/property-config.js';
import { ChildWorld, type HubChild, freePort } from './child-world.js';

/**
 * The hub model (issue: hub-side model suite): honest clients paying each other at random
 * through a hub child process that is killed (SIGKILL) at random moments, even with requests
 * in flight, and restarted on its SQLite file; a dishonest party replaying, tampering with and
 * forging requests. Clients retry until answered (same body, same nonce), so every honest
 * payment must arrive exactly once; at the end every channel closes and every satoshi is
 * accounted for (PROTOCOL.md §8: conservation; payer and payee safety per client).
 */

const HONEST = 3;

type Action =
  | { kind: 'pay'; from: number; to: number; amount: number }
  | { kind: 'sync'; who: number }
  | { kind: 'mine' }
  | { kind: 'crash'; afterMs: number; during: { from: number; to: number; amount: number } }
  | { kind: 'replay'; pick: number }
  | { kind: 'tamper'; pick: number }
  | { kind: 'forge'; victim: number };

const party = fc.integer({ min: 0, max: HONEST - 1 });
const payment = fc
  .record({ from: party, to: party, amount: fc.integer({ min: 600, max: 4000 }) })
  .filter((p) => p.from !== p.to);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: payment.map((p) => ({ kind: 'pay' as const, ...p })) },
  { weight: 2, arbitrary: party.map((who) => ({ kind: 'sync' as const, who })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'mine' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .record({ afterMs: fc.integer({ min: 0, max: 60 }), during: payment })
      .map((c) => ({ kind: 'crash' as const, ...c })),
  },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'replay' as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'tamper' as const, pick })) },
  { weight: 1, arbitrary: party.map((victim) => ({ kind: 'forge' as const, victim })) },
);

interface Captured {
  readonly body: string;
  readonly method: string;
}

/** The hub behind a fixed URL that may be down for a while; requests wait for it and retry. */
class HubHandle {
  hub!: HubChild;
  up: Promise<void> = Promise.resolve();
  private markUp: () => void = () => undefined;
  readonly captured: Captured[] = [];

  constructor(
    readonly w: ChildWorld,
    readonly port: number,
    readonly db: string,
    private readonly fund: ReturnType<ChildWorld['fundHub']>,
  ) {}

  async start(): Promise<void> {
    this.hub = await this.w.startHub({ db: this.db, port: this.port, fund: this.fund });
    this.markUp();
  }

  async crash(): Promise<void> {
    this.up = new Promise((ok) => {
      this.markUp = ok;
    });
    await this.hub.kill();
  }

  /** A client's fetch: records each request (for the dishonest party) and retries until answered. */
  readonly fetch: typeof fetch = async (input, init) => {
    const body = String(init?.body ?? '');
    const method = (JSON.parse(body) as { method: string }).method;
    if (method !== 'hub_status') this.captured.push({ body, method });
    return this.send(input, init);
  };

  /** Sends until answered, waiting while the hub is down; not recorded. */
  private readonly send: typeof fetch = async (input, init) => {
    for (;;) {
      try {
        return await fetch(input, init);
      } catch {
        await this.up;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };

  /**
   * Posts a raw JSON-RPC body of the dishonest party; the hub's typed error code, or 'ok'. Not
   * recorded: only honest clients' requests are there to replay (a forged request replayed is
   * refused by its signature, as when it was first sent).
   */
  async post(body: string): Promise<{ code: string; result?: unknown }> {
    const response = await this.send(this.hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = (await response.json()) as {
      result?: unknown;
      error?: { data?: { code?: string } };
    };
    return answer.error
      ? { code: answer.error.data?.code ?? '?' }
      : { code: 'ok', result: answer.result };
  }
}

/** Below this a channel output costs more to spend than it holds: abandoned by design. */
const UNECONOMIC = 1_000n;

/**
 * What every party holds plus fees plus abandoned dust (outputs of channel scripts too small
 * to spend), and the channel outputs left that are not dust (each one a failure).
 */
function settled(w: ChildWorld): { total: bigint; stuck: string[] } {
  const known = new Set(w.scripts.map((x) => Buffer.from(x).toString('hex')));
  const others = w.sim
    .listUnspent()
    .filter((u) => !known.has(Buffer.from(u.script).toString('hex')));
  const dust = others.filter((u) => u.value < UNECONOMIC).reduce((s, u) => s + u.value, 0n);
  const stuck = others
    .filter((u) => u.value >= UNECONOMIC)
    .map((u) => `${u.txid}:${u.vout}=${u.value}`);
  return { total: w.total() + dust, stuck };
}

async function scenario(actions: readonly Action[]): Promise<void> {
  const w = await ChildWorld.create();
  try {
    const h = new HubHandle(w, await freePort(), `${w.dir}/hub.sqlite`, w.fundHub(3, 1_000_000n));
    await h.start();
    const clients: HubClient[] = [];
    for (let i = 0; i < HONEST; i++) clients.push(await w.client(21 + i, h.hub.url, h.fetch));
    const handles: string[] = [];
    for (const c of clients)
      handles.push(
        (await c.connect({ asset: 'BTC', quantity: 150_000n, expireBlocks: 50, delayBlocks: 4 }))
          .handle,
      );
    for (let i = 0; i < 2; i++) {
      await w.mine(1, 60);
      for (const c of clients) await c.sync();
    }
    const sent = Array<bigint>(HONEST).fill(0n);
    const due = Array<bigint>(HONEST).fill(0n);
    const pay = async (p: { from: number; to: number; amount: number }) => {
      // The payee's room is bounded by the hub's deposit: stay well inside it.
      if (due[p.to]! + BigInt(p.amount) > 100_000n) return;
      await clients[p.from]!.pay({
        from: handles[p.from]!,
        to: handles[p.to]!,
        amount: BigInt(p.amount),
      });
      sent[p.from]! += BigInt(p.amount);
      due[p.to]! += BigInt(p.amount);
    };
    const mallory = testPrivateKey(666);
    for (const a of actions) {
      if (a.kind === 'pay') await pay(a);
      else if (a.kind === 'sync') await clients[a.who]!.sync();
      else if (a.kind === 'mine') await w.mine(1, 30);
      else if (a.kind === 'crash') {
        const inFlight = pay(a.during);
        await new Promise((r) => setTimeout(r, a.afterMs));
        await h.crash();
        await h.start();
        await inFlight;
      } else if (a.kind === 'replay' || a.kind === 'tamper') {
        const pool = h.captured.filter((c) => c.method !== 'hub_connect');
        if (pool.length === 0) continue;
        const victim = pool[a.pick % pool.length]!;
        const request = JSON.parse(victim.body) as { params: Record<string, unknown> };
        if (a.kind === 'tamper') {
          // Another payee or amount under the victim's signature: refused, nothing changes
          // (by the schema when the victim's method takes no such params, else by the signature).
          request.params = { ...request.params, amount: '3999', to: handles[0], memo: 'forged' };
          const { code } = await h.post(JSON.stringify(request));
          expect(['BAD_SIGNATURE', 'INVALID_PARAMS']).toContain(code);
        } else {
          // A replay gets the stored answer back (changing nothing) or is refused.
          const { code } = await h.post(victim.body);
          expect(['ok', 'REPLAYED']).toContain(code);
        }
      } else {
        // Mallory signs a payment out of the victim's connection with her own key.
        const params = {
          handle: handles[a.victim],
          to: handles[(a.victim + 1) % HONEST],
          amount: '1000',
          messages: [],
        };
        const nonce = Date.now() * 1000 + 999;
        const expiry = Math.floor(Date.now() / 1000) + 60;
        const hubId = Buffer.from(
          (await import('../../../src/transactions/keys.js')).publicKeyOf(w.hubKey),
        ).toString('hex');
        const signature = signHex(requestDigest(hubId, 'hub_pay', params, nonce, expiry), mallory);
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'hub_pay',
          params,
          auth: { nonce, expiry, signature },
        });
        expect((await h.post(body)).code).toBe('BAD_SIGNATURE');
      }
    }
    // Every honest payment arrives, once.
    for (let round = 0; round < 2; round++) for (const c of clients) await c.sync();
    for (let i = 0; i < HONEST; i++) {
      const [status] = await clients[i]!.connections();
      expect(status!.sent).toBe(sent[i]);
      expect(status!.received).toBe(due[i]);
    }
    for (let i = 0; i < HONEST; i++) await clients[i]!.close(handles[i]!);
    await w.mine(30, 5);
    for (const c of clients) await c.sync().catch(() => undefined);
    // Until every channel has paid out (bounded: a stuck output fails the check below).
    for (let i = 0; i < 25 && settled(w).total !== w.funded; i++) await w.mine(10, 1);
    // Conservation over every channel and wallet; each client ends with its net, less fees.
    const end = settled(w);
    expect(end.stuck).toEqual([]);
    expect(end.total).toBe(w.funded);
    for (let i = 0; i < HONEST; i++) {
      const net = 1_000_000n - sent[i]! + due[i]!;
      const balance = w.sim.balanceOf(w.scripts[1 + i]!);
      expect(balance).toBeLessThanOrEqual(net);
      expect(balance).toBeGreaterThan(net - 15_000n);
    }
  } finally {
    await w.close();
  }
}

describe('hub model: random payments, kill -9 of the hub, a dishonest party', () => {
  it('loses and doubles no honest payment, refuses every forgery, conserves every satoshi', async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 6, maxLength: 10 }), scenario), {
      ...propertyConfig('hub model', 1),
      endOnFailure: true,
    });
  }, 150_000);
});
