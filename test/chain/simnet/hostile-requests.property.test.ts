import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simnet, startSimnet } from '../../../src/simnet/index.js';
import { propertyConfig } from '../../support/property-config.js';

let node: Simnet;
let authorization: string;

beforeAll(async () => {
  node = await startSimnet();
  node.chain.fund(new Uint8Array([0x51]), 10_000n);
  authorization = `Basic ${Buffer.from(await readFile(node.cookieFile, 'utf8')).toString('base64')}`;
});

afterAll(async () => {
  await node.close();
});

const METHODS = [
  'getblockchaininfo',
  'getbestblockhash',
  'getblockhash',
  'getblockheader',
  'getblock',
  'getrawtransaction',
  'getrawmempool',
  'gettxout',
  'gettxspendingprevout',
  'testmempoolaccept',
  'sendrawtransaction',
  'estimatesmartfee',
  'getmempoolentry',
  'generatetoaddress',
  'invalidateblock',
  'faucet',
  'nosuchmethod',
];

describe('simnet under hostile requests', () => {
  it('answers every request with a JSON-RPC reply and keeps serving', async () => {
    const params = fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 });
    const request = fc.oneof(
      fc.record({ id: fc.jsonValue({ maxDepth: 1 }), method: fc.constantFrom(...METHODS), params }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const body = fc.oneof(
      request.map((r) => JSON.stringify(r)),
      fc.string({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await fetch(node.url, {
          method: 'POST',
          headers: { Authorization: authorization },
          body: text,
        });
        expect([200, 400, 404, 500]).toContain(response.status);
        const reply = (await response.json()) as unknown;
        const replies = Array.isArray(reply) ? reply : [reply];
        for (const one of replies as Record<string, unknown>[]) {
          const error = one.error as { code?: unknown; message?: unknown } | null | undefined;
          if (error !== null && error !== undefined) {
            expect(typeof error.code).toBe('number');
            expect(typeof error.message).toBe('string');
          } else {
            expect('result' in one).toBe(true);
          }
        }
      }),
      propertyConfig('simnet hostile requests', 150),
    );
    const alive = await fetch(node.url, {
      method: 'POST',
      headers: { Authorization: authorization },
      body: JSON.stringify({ id: 1, method: 'getblockcount' }),
    });
    expect(((await alive.json()) as { result: unknown }).result).toBeGreaterThanOrEqual(101);
  });

  it('answers every Esplora path with a status and never crashes', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'tx',
        'block',
        'blocks',
        'tip',
        'hash',
        'height',
        'hex',
        'status',
        'outspend',
        'header',
        'fee-estimates',
        'block-height',
      ),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 }),
      fc.nat().map(String),
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (parts, post) => {
          const response = await fetch(`${node.esploraUrl}/${parts.join('/')}`, {
            method: post ? 'POST' : 'GET',
            body: post ? 'zz' : undefined,
          });
          expect([200, 400, 404, 405]).toContain(response.status);
          await response.text();
        },
      ),
      propertyConfig('simnet hostile esplora paths', 150),
    );
  });
});
