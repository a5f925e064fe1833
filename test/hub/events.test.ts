import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubClient, IncomingPayment } from '../../src/hub-client/index.js';
import { eventsDigest } from '../../src/hub/events-token.js';
import { PaymentEvents } from '../../src/hub/events.js';
import { startHubServer } from '../../src/hub/server.js';
import { signHex } from '../../src/hub/signing.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { HubWorld } from './harness.js';

let w: HubWorld;
let alice: HubClient;
let bob: HubClient;
let a: string;
let b: string;
// Seed n's first channel key signs for its connection (see HubWorld.client).
const bobKey = testPrivateKey(2001);
const aliceKey = testPrivateKey(1001);

beforeAll(async () => {
  w = await HubWorld.create();
  alice = await w.client(1);
  bob = await w.client(2);
  const terms = { asset: 'BTC', quantity: 100_000n, expireBlocks: 100, delayBlocks: 4 };
  a = (await alice.connect(terms)).handle;
  b = (await bob.connect(terms)).handle;
  // Deposits confirmed on both sides before any payment.
  for (let i = 0; i < 2; i++) {
    await w.mine(1);
    await alice.sync();
    await bob.sync();
  }
}, 30_000);
afterAll(async () => w.close());

function eventsUrl(base: string, handle: string, signer: Uint8Array, expiry: number): string {
  const signature = signHex(eventsDigest(w.hub.id, handle, expiry), signer);
  return `${new URL('/events', base)}?handle=${handle}&expiry=${expiry}&signature=${signature}`;
}
const soon = () => Math.floor(Date.now() / 1000) + 60;

describe('payments pushed as server-sent events', () => {
  it('tells the payee of a queued payment at once; the sync then hands it over', async () => {
    const got: IncomingPayment[] = [];
    let notify: () => void = () => undefined;
    const arrived = new Promise<void>((ok) => {
      notify = ok;
    });
    const sub = bob.subscribe(b, {
      onPayment: (p) => {
        got.push(p);
        notify();
      },
    });
    await sub.ready;
    const receipt = await alice.pay({ from: a, to: b, amount: 1000n, memo: 'tea' });
    await arrived;
    expect(got).toEqual([{ token: receipt.token, from: a, to: b, amount: 1000n, memo: 'tea' }]);
    const [sync] = await bob.sync(b);
    expect(sync!.received.map((r) => r.token)).toEqual([receipt.token]);
    sub.close();
    await sub.closed;
  });

  it('a second subscriber of another connection hears nothing of it', async () => {
    const heard: IncomingPayment[] = [];
    const sub = alice.subscribe(a, { onPayment: (p) => heard.push(p) });
    await sub.ready;
    const bobs: IncomingPayment[] = [];
    const bobSub = bob.subscribe(b, { onPayment: (p) => bobs.push(p) });
    await bobSub.ready;
    await alice.pay({ from: a, to: b, amount: 500n });
    await bob.sync(b);
    expect(heard).toEqual([]);
    expect(bobs.length).toBe(1);
    sub.close();
    bobSub.close();
    await Promise.all([sub.closed, bobSub.closed]);
  });

  it('refuses a token not signed by the connection, expired, too far ahead, or malformed', async () => {
    const url = w.server.url;
    const cases: [string, number, string][] = [
      [eventsUrl(url, b, aliceKey, soon()), 401, 'BAD_SIGNATURE'],
      [eventsUrl(url, 'ab'.repeat(16), bobKey, soon()), 401, 'BAD_SIGNATURE'],
      [eventsUrl(url, b, bobKey, Math.floor(Date.now() / 1000) - 1), 401, 'EXPIRED'],
      [eventsUrl(url, b, bobKey, soon() + 7200), 401, 'EXPIRED'],
      [`${eventsUrl(url, b, bobKey, soon())}&extra=1`, 400, 'INVALID_PARAMS'],
      [`${eventsUrl(url, b, bobKey, soon())}&handle=${b}`, 400, 'INVALID_PARAMS'],
      [`${new URL('/events', url)}?handle=${b}&expiry=1e9&signature=00`, 400, 'INVALID_PARAMS'],
      [`${new URL('/events', url)}`, 400, 'INVALID_PARAMS'],
    ];
    for (const [u, status, code] of cases) {
      const response = await fetch(u);
      expect(response.status, u).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    // The client signs tokens only for its own connections.
    expect(() => alice.subscribe(b, { onPayment: () => undefined })).toThrow(/UNKNOWN_HANDLE/);
  });

  it('limits the subscriptions of one connection', async () => {
    const events = new PaymentEvents({ perHandle: 2 });
    const server = await startHubServer(w.hub, { events });
    try {
      const subs = [0, 1, 2].map(() =>
        fetch(eventsUrl(server.url, b, bobKey, soon())).then((r) => r.status),
      );
      expect((await Promise.all(subs)).sort()).toEqual([200, 200, 429]);
      expect(events.size).toBe(2);
    } finally {
      await server.close();
    }
    expect(events.size).toBe(0);
  });

  it('ends the streams when the server stops, and the subscriber learns of it', async () => {
    const server = await startHubServer(w.hub);
    const stream = await fetch(eventsUrl(server.url, b, bobKey, soon()));
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: ready');
    const closing = server.close();
    for (;;) if ((await reader.read()).done) break;
    await closing;
    // A client subscription sees `closed` resolve when the hub's server goes (the last test).
    const errors: unknown[] = [];
    const sub = bob.subscribe(b, { onPayment: () => undefined, onError: (e) => errors.push(e) });
    await sub.ready;
    await w.server.close();
    await sub.closed;
    expect(errors).toEqual([]);
  });
});
