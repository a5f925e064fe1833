import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestDigest, signHex } from '../../src/hub/signing.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { HubWorld } from './harness.js';

let w: HubWorld;
let handle: string;
let otherHandle: string;
// Seed 1's first channel key signs for its connection (see HubWorld.client).
const key = testPrivateKey(1001);
const otherKey = testPrivateKey(2001);

beforeAll(async () => {
  w = await HubWorld.create();
  const alice = await w.client(1);
  const bob = await w.client(2);
  handle = (
    await alice.connect({ asset: 'BTC', quantity: 100_000n, expireBlocks: 100, delayBlocks: 4 })
  ).handle;
  otherHandle = (
    await bob.connect({ asset: 'BTC', quantity: 100_000n, expireBlocks: 100, delayBlocks: 4 })
  ).handle;
}, 30_000);
afterAll(async () => w.close());

let nonce = Date.now() * 10;
function request(
  method: string,
  params: Record<string, unknown>,
  signer = key,
  n = ++nonce,
  expiry = Math.floor(Date.now() / 1000) + 60,
) {
  const signature = signHex(requestDigest(w.hub.id, method, params, n, expiry), signer);
  return { jsonrpc: '2.0', id: n, method, params, auth: { nonce: n, expiry, signature } };
}

async function post(
  body: unknown,
): Promise<{ error?: { code: number; data: { code: string } }; result?: unknown }> {
  const response = await fetch(w.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return (await response.json()) as never;
}

describe('hub authentication', () => {
  it('accepts a request signed by the connection key', async () => {
    const answer = await post(request('hub_sync', { handle, messages: [] }));
    expect(answer.error).toBeUndefined();
  });

  it('refuses a sync or close for another connection signed by a different key (forgery)', async () => {
    for (const method of ['hub_sync', 'hub_close']) {
      const answer = await post(request(method, { handle: otherHandle, messages: [] }, key));
      expect(answer.error!.data.code).toBe('BAD_SIGNATURE');
    }
    const sync = await post(request('hub_sync', { handle: otherHandle, messages: [] }, otherKey));
    expect(sync.error).toBeUndefined();
  });

  it('refuses an unsigned request and a tampered one', async () => {
    const unsigned = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'hub_sync',
      params: { handle, messages: [] },
    });
    expect(unsigned.error!.data.code).toBe('BAD_SIGNATURE');
    const r = request('hub_pay', { handle, to: otherHandle, amount: '1', messages: [] });
    r.params.amount = '2';
    expect((await post(r)).error!.data.code).toBe('BAD_SIGNATURE');
  });

  it('gives a retried request its stored answer, and refuses the nonce for anything else (replay, cross-method)', async () => {
    const first = request('hub_sync', { handle, messages: [] });
    const a = await post(first);
    const b = await post(first);
    expect(b).toEqual(a);
    // The same nonce signed over another method is a replay, as is an older nonce.
    const cross = request('hub_close', { handle, messages: [] }, key, first.auth.nonce);
    expect((await post(cross)).error!.data.code).toBe('REPLAYED');
    const older = request('hub_sync', { handle, messages: [] }, key, first.auth.nonce - 1);
    expect((await post(older)).error!.data.code).toBe('REPLAYED');
    // A request signed for sync and sent as close fails its signature.
    const moved = { ...request('hub_sync', { handle, messages: [] }), method: 'hub_close' };
    expect((await post(moved)).error!.data.code).toBe('BAD_SIGNATURE');
  });

  it('refuses an expired request', async () => {
    const answer = await post(request('hub_sync', { handle, messages: [] }, key, ++nonce, 1000));
    expect(answer.error!.data.code).toBe('EXPIRED');
  });

  it('status lists no connection, handle or balance', async () => {
    const answer = await post({ jsonrpc: '2.0', id: 1, method: 'hub_status' });
    const text = JSON.stringify(answer.result);
    expect(text).not.toContain(handle);
    expect(text).not.toContain(otherHandle);
    expect(Object.keys(answer.result as object).sort()).toEqual([
      'height',
      'hubId',
      'hubPublicKey',
      'methods',
      'network',
      'terms',
    ]);
  });

  it('the client refuses an answer not signed by the pinned hub', async () => {
    const { HubClient } = await import('../../src/hub-client/index.js');
    const { MemoryStore } = await import('../../src/runtime/store.js');
    const { SingleKeyWallet } = await import('../../src/runtime/wallet.js');
    const chain = w.chain();
    const client = await HubClient.open({
      url: w.server.url,
      chain,
      store: new MemoryStore(),
      wallet: new SingleKeyWallet(chain, testPrivateKey(3)),
      keys: { nextChannelKey: async () => ({ privateKey: testPrivateKey(3001), path: 'm/0' }) },
      payoutScript: async () => new Uint8Array(22),
      hubPublicKey: publicKeyOf(testPrivateKey(5)), // not the hub's key
    });
    await expect(client.status()).rejects.toMatchObject({ code: 'HUB_BAD_SIGNATURE' });
    await client.stop();
  });
});

describe('hostile input', () => {
  it('answers bad JSON, wrong version, unknown method, bad params and oversized bodies with typed errors', async () => {
    expect((await post('{"jsonrpc":')).error!.data.code).toBe('PARSE_ERROR');
    expect((await post({ jsonrpc: '1.0', id: 1, method: 'hub_status' })).error!.data.code).toBe(
      'INVALID_REQUEST',
    );
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'nope' })).error!.data.code).toBe(
      'METHOD_NOT_FOUND',
    );
    expect(
      (await post({ jsonrpc: '2.0', id: 1, method: 'hub_status', params: [1] })).error!.data.code,
    ).toBe('INVALID_PARAMS');
    expect(
      (await post(request('hub_pay', { handle, to: otherHandle, amount: 5, messages: [] }))).error!
        .data.code,
    ).toBe('INVALID_PARAMS');
    expect((await post(request('hub_sync', { handle, messages: 'x' }))).error!.data.code).toBe(
      'INVALID_PARAMS',
    );
    expect((await post([])).error!.data.code).toBe('INVALID_REQUEST');
    const batch = Array.from({ length: 21 }, () => ({
      jsonrpc: '2.0',
      id: 1,
      method: 'hub_status',
    }));
    expect((await post(batch)).error!.data.code).toBe('INVALID_REQUEST');
    const big = await fetch(w.server.url, { method: 'POST', body: 'x'.repeat(1_100_000) });
    expect(big.status).toBe(413);
  });

  it('a payment larger than what the client paid the hub is refused and changes nothing', async () => {
    const answer = await post(
      request('hub_pay', { handle, to: otherHandle, amount: '1000', messages: [] }),
    );
    expect(answer.error!.data.code).toBe('INSUFFICIENT_FUNDS');
  });
});
