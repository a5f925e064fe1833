import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub-client/index.js';
import { HUB_METHODS } from '../../src/hub/schemas/methods.js';
import { startHubServer } from '../../src/hub/server.js';
import { hubOpenRpcDocument } from '../../src/hub/schemas/openrpc.js';
import { InvalidParamsError, validateRequest } from '../../src/hub/schemas/validate.js';
import { requestDigest, responseDigest, signHex } from '../../src/hub/signing.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { propertyConfig } from '../support/property-config.js';
import { testPrivateKey } from '../support/channel-harness.js';
import { HubWorld } from './harness.js';

const root = resolve(import.meta.dirname, '../..');
const H = 'ab'.repeat(16);
const T = 'cd'.repeat(32);
const KEY = `02${'11'.repeat(32)}`;
const SIG = 'ee'.repeat(64);
const good: Record<string, Record<string, unknown>> = {
  hub_status: {},
  hub_connect: {
    asset: 'BTC',
    quantity: '100000',
    clientPublicKey: KEY,
    payoutScript: '0014'.padEnd(44, '0'),
    expireBlocks: 100,
    delayBlocks: 4,
  },
  hub_pay: { handle: H, to: H, amount: '1', memo: 'm', messages: ['{}'] },
  hub_cancel: { handle: H, token: T },
  hub_sync: { handle: H, messages: [] },
  hub_close: { handle: H },
};

function refusal(method: string, params: unknown, auth?: unknown): InvalidParamsError {
  try {
    validateRequest(method, params, auth);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidParamsError);
    return error as InvalidParamsError;
  }
  throw new Error(`${method} accepted ${JSON.stringify(params)}`);
}

describe('params schemas', () => {
  it('accept well-formed params of every method, and absent params of hub_status', () => {
    for (const m of HUB_METHODS) validateRequest(m.name, good[m.name], undefined);
    validateRequest('hub_status', undefined, undefined);
    validateRequest('hub_sync', good.hub_sync, { nonce: 1, expiry: 2, signature: SIG });
  });

  it('refuse hostile params with the JSON Pointer of the fault', () => {
    const cases: [string, unknown, string][] = [
      ['hub_status', [1], '/params'],
      ['hub_status', { extra: 1 }, '/params/extra'],
      ['hub_sync', { handle: H.toUpperCase() }, '/params/handle'],
      ['hub_sync', { handle: `${H}00` }, '/params/handle'],
      ['hub_sync', { handle: H, messages: 'x' }, '/params/messages'],
      ['hub_sync', { handle: H, messages: [1] }, '/params/messages/0'],
      ['hub_sync', { handle: H, messages: Array(257).fill('{}') }, '/params/messages'],
      ['hub_sync', { handle: H, messages: ['x'.repeat(200_001)] }, '/params/messages/0'],
      ['hub_sync', JSON.parse(`{"handle":"${H}","__proto__":{"polluted":1}}`), '/params/__proto__'],
      [
        'hub_sync',
        { handle: H, deep: JSON.parse(`${'['.repeat(3000)}${']'.repeat(3000)}`) },
        '/params/deep',
      ],
      ['hub_pay', { ...good.hub_pay, amount: 5 }, '/params/amount'],
      ['hub_pay', { ...good.hub_pay, amount: '05' }, '/params/amount'],
      ['hub_pay', { ...good.hub_pay, amount: '-5' }, '/params/amount'],
      ['hub_pay', { ...good.hub_pay, amount: '1'.repeat(17) }, '/params/amount'],
      ['hub_pay', { ...good.hub_pay, memo: 'm'.repeat(1001) }, '/params/memo'],
      ['hub_pay', { handle: H, amount: '1' }, '/params/to'],
      ['hub_cancel', { handle: H, token: T.slice(1) }, '/params/token'],
      [
        'hub_connect',
        { ...good.hub_connect, clientPublicKey: `04${'11'.repeat(32)}` },
        '/params/clientPublicKey',
      ],
      ['hub_connect', { ...good.hub_connect, expireBlocks: 1.5 }, '/params/expireBlocks'],
      ['hub_connect', { ...good.hub_connect, delayBlocks: 70_000 }, '/params/delayBlocks'],
      ['hub_connect', { ...good.hub_connect, payoutScript: 'abc' }, '/params/payoutScript'],
      ['hub_connect', { ...good.hub_connect, asset: 'B T C' }, '/params/asset'],
    ];
    for (const [method, params, path] of cases) {
      const e = refusal(method, params);
      expect(e.code).toBe('INVALID_PARAMS');
      expect(e.path, `${method} ${path}`).toBe(path);
    }
  });

  it('refuse a malformed auth block', () => {
    for (const [auth, path] of [
      [{ nonce: 0, expiry: 1, signature: SIG }, '/auth/nonce'],
      [{ nonce: 1.5, expiry: 1, signature: SIG }, '/auth/nonce'],
      [{ nonce: 1, expiry: '1', signature: SIG }, '/auth/expiry'],
      [{ nonce: 1, expiry: 1, signature: SIG.toUpperCase() }, '/auth/signature'],
      [{ nonce: 1, expiry: 1, signature: SIG, extra: true }, '/auth/extra'],
      ['signed', '/auth'],
    ] as const)
      expect(refusal('hub_sync', good.hub_sync, auth).path).toBe(path);
  });

  it('an unknown method is METHOD_NOT_FOUND, not INVALID_PARAMS', () => {
    expect(() => validateRequest('mph_sync', {}, undefined)).toThrow(/METHOD_NOT_FOUND/);
  });

  it('property: any JSON value as params or auth is accepted or refused with INVALID_PARAMS, never anything else', () => {
    const methods = fc.constantFrom(...HUB_METHODS.map((m) => m.name));
    const shaped = fc.record(
      {
        handle: fc.oneof(fc.constant(H), fc.string()),
        messages: fc.array(fc.string(), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        methods,
        fc.oneof(fc.jsonValue(), shaped),
        fc.option(fc.jsonValue()),
        (m, params, auth) => {
          try {
            validateRequest(m, params, auth ?? undefined);
          } catch (error) {
            if (!(error instanceof InvalidParamsError)) throw error;
          }
        },
      ),
      propertyConfig('hub/params-schemas', 500),
    );
  });
});

describe('the OpenRPC document', () => {
  it('lists every method with its reference equivalent, and the committed copy is fresh', () => {
    const doc = hubOpenRpcDocument() as { methods: { name: string; description: string }[] };
    expect(doc.methods.map((m) => m.name)).toEqual(HUB_METHODS.map((m) => m.name));
    const text = JSON.stringify(doc);
    for (const name of ['mph_status', 'mph_request', 'mph_deposit', 'mph_sync', 'mph_close'])
      expect(text).toContain(name);
    const committed = readFileSync(resolve(root, 'spec/generated/hub.openrpc.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });
});

describe('params validation over HTTP', () => {
  let w: HubWorld;
  let handle: string;
  const key = testPrivateKey(1001);
  let nonce = Date.now() * 10;

  beforeAll(async () => {
    w = await HubWorld.create();
    const alice = await w.client(1);
    handle = (
      await alice.connect({ asset: 'BTC', quantity: 100_000n, expireBlocks: 100, delayBlocks: 4 })
    ).handle;
  }, 30_000);
  afterAll(async () => w.close());

  function signed(method: string, params: Record<string, unknown>, n = ++nonce) {
    const expiry = Math.floor(Date.now() / 1000) + 60;
    const signature = signHex(requestDigest(w.hub.id, method, params, n, expiry), key);
    return { jsonrpc: '2.0', id: n, method, params, auth: { nonce: n, expiry, signature } };
  }
  async function post(
    body: unknown,
  ): Promise<{ error?: { code: number; data: { code: string } }; result?: unknown; id?: unknown }> {
    const response = await fetch(w.server.url, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return (await response.json()) as never;
  }

  it('answers -32602 with data.code and data.path, and a refused request uses up no nonce', async () => {
    const n = ++nonce;
    const bad = await post(signed('hub_sync', { handle, messages: [], extra: 1 }, n));
    expect(bad.error).toMatchObject({
      code: -32602,
      data: { code: 'INVALID_PARAMS', path: '/params/extra' },
    });
    const ok = await post(signed('hub_sync', { handle, messages: [] }, n));
    expect(ok.error).toBeUndefined();
    expect(ok.result).toMatchObject({ delivered: [], spent: '0' });
  });

  it('survives deep nesting, __proto__ and odd ids, then serves the next request', async () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"hub_status","params":{"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    const a = await post(deep);
    expect(['INVALID_PARAMS', 'PARSE_ERROR']).toContain(a.error?.data?.code);
    const proto = await post(
      `{"jsonrpc":"2.0","id":2,"method":"hub_sync","params":{"handle":"${handle}","__proto__":{"a":1}}}`,
    );
    expect(proto.error).toMatchObject({
      data: { code: 'INVALID_PARAMS', path: '/params/__proto__' },
    });
    const id = await post({ jsonrpc: '2.0', id: { x: 1 }, method: 'hub_status' });
    expect(id).toMatchObject({ id: null, error: { data: { code: 'INVALID_REQUEST' } } });
    const status = await post({ jsonrpc: '2.0', id: 3, method: 'hub_status' });
    expect(status.result).toMatchObject({ hubId: w.hub.id });
  });

  it('answers each request of a mixed batch on its own', async () => {
    const out = (await post([
      { jsonrpc: '2.0', id: 1, method: 'hub_status' },
      { jsonrpc: '2.0', id: 2, method: 'hub_status', params: { x: 1 } },
      signed('hub_sync', { handle, messages: [] }),
    ])) as unknown as { id: number; error?: { data: { code: string } } }[];
    expect(out.map((r) => r.error?.data.code)).toEqual([undefined, 'INVALID_PARAMS', undefined]);
  });

  it('a caller at another address naming a handle does not use up the rate of that client', async () => {
    const server = await startHubServer(w.hub, { ratePerMinute: 2 });
    // Loopback answers on all of 127/8: the attacker posts from 127.0.0.2.
    const from = (localAddress: string, body: string) =>
      new Promise<string | undefined>((ok, fail) => {
        const u = new URL(server.url);
        const req = httpRequest(
          { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress },
          (res) => {
            let text = '';
            res.on('data', (d) => {
              text += String(d);
            });
            res.on('end', () =>
              ok((JSON.parse(text) as { error?: { data: { code: string } } }).error?.data.code),
            );
          },
        );
        req.on('error', fail);
        req.end(body);
      });
    try {
      const forged = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'hub_sync',
        params: { handle },
      });
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) codes.push(await from('127.0.0.2', forged));
      expect(codes).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE', 'RATE_LIMITED']);
      expect(
        await from('127.0.0.1', JSON.stringify(signed('hub_sync', { handle, messages: [] }))),
      ).toBe(undefined);
    } finally {
      await server.close();
    }
  });

  it('rpc.discover answers the OpenRPC document', async () => {
    const answer = await post({ jsonrpc: '2.0', id: 1, method: 'rpc.discover' });
    expect(answer.result).toEqual(hubOpenRpcDocument());
  });

  it('the client refuses a signed answer that does not match its schema', async () => {
    // A hub (here: its key in a proxy) that signs a malformed result is still refused.
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = JSON.parse(String(init?.body)) as {
        method: string;
        auth?: { signature: string };
      };
      const answer = (await response.json()) as {
        result: Record<string, unknown>;
        signature: string;
      };
      if (body.method === 'hub_status') answer.result.height = -1;
      answer.signature = signHex(
        responseDigest(w.hub.id, body.method, body.auth?.signature ?? '', answer.result),
        w.hubKey,
      );
      return new Response(JSON.stringify(answer));
    };
    const chain = w.chain();
    const client = await HubClient.open({
      url: w.server.url,
      chain,
      store: new MemoryStore(),
      wallet: new SingleKeyWallet(chain, testPrivateKey(3)),
      keys: { nextChannelKey: async () => ({ privateKey: testPrivateKey(3001), path: 'm/0' }) },
      payoutScript: async () => new Uint8Array(22),
      fetch: tampering,
    });
    try {
      await expect(client.status()).rejects.toMatchObject({
        code: 'HUB_BAD_RESPONSE',
        message: expect.stringContaining('/height'),
      });
    } finally {
      await client.stop();
    }
  });
});
