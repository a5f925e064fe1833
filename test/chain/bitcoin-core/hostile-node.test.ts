import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BitcoinCoreChain, CoreRpcClient, EsploraChain } from '../../../src/chain/index.js';

/** A loopback server answering every request with what `answer` says. */
async function hostile(
  answer: (body: string, path: string) => { status?: number; body?: string; hang?: boolean },
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const reply = answer(body, request.url ?? '/');
      if (reply.hang) return;
      response.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
      response.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

let servers: Server[] = [];
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  servers = [];
});

const HASH = 'ab'.repeat(32);

/** Echoes the request id with `result`. */
const withResult = (result: unknown) => (body: string) => ({
  body: JSON.stringify({ result, error: null, id: (JSON.parse(body) as { id: number }).id }),
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error: unknown) {
    return (error as { code?: string }).code ?? String(error);
  }
}

async function coreAgainst(answer: Parameters<typeof hostile>[0], maxResponseBytes?: number) {
  const { url, server } = await hostile(answer);
  servers.push(server);
  return new BitcoinCoreChain({
    url,
    auth: { user: 'u', password: 'p' },
    timeoutMs: 300,
    retry: { retries: 1, delayMs: 10 },
    maxResponseBytes,
  });
}

describe('BitcoinCoreChain against a hostile or broken node', () => {
  it('malformed JSON, a non-object reply, a wrong id, a missing result → NODE_BAD_RESPONSE', async () => {
    const bodies = [
      () => ({ body: '{"result": "' }),
      () => ({ body: '[1,2,3]' }),
      () => ({ body: JSON.stringify({ result: HASH, error: null, id: 999_999 }) }),
      (body: string) => ({
        body: JSON.stringify({ error: null, id: (JSON.parse(body) as { id: number }).id }),
      }),
      () => ({ status: 500, body: '<html>oops</html>' }),
      () => ({ body: '\xff\xfe' }),
    ];
    for (const answer of bodies) {
      expect(await codeOf((await coreAgainst(answer)).getHeight())).toBe('NODE_BAD_RESPONSE');
    }
  });

  it('results of the wrong shape → NODE_BAD_RESPONSE', async () => {
    for (const result of [42, 'not a hash', null, { hash: HASH }, ['x']]) {
      expect(await codeOf((await coreAgainst(withResult(result))).getHeight())).toBe(
        'NODE_BAD_RESPONSE',
      );
    }
    // A header without a proper height.
    let calls = 0;
    const chain = await coreAgainst((body) => {
      calls++;
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      const result =
        method === 'getbestblockhash' ? HASH : { hash: HASH, height: -1, confirmations: 1 };
      return { body: JSON.stringify({ result, error: null, id }) };
    });
    expect(await codeOf(chain.getHeight())).toBe('NODE_BAD_RESPONSE');
    expect(calls).toBe(2);
  });

  it('an oversized answer → NODE_BAD_RESPONSE, without reading it all', async () => {
    const huge = JSON.stringify({ result: 'x'.repeat(200_000), error: null, id: 1 });
    const chain = await coreAgainst(() => ({ body: huge }), 10_000);
    expect(await codeOf(chain.getHeight())).toBe('NODE_BAD_RESPONSE');
  });

  it('a node that never answers → NODE_UNREACHABLE after the timeout and retries', async () => {
    let attempts = 0;
    const chain = await coreAgainst(() => {
      attempts++;
      return { hang: true };
    });
    const started = Date.now();
    expect(await codeOf(chain.getHeight())).toBe('NODE_UNREACHABLE');
    expect(attempts).toBe(2);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('RPC errors keep Core code and message; bad credentials are NODE_RPC_ERROR', async () => {
    const client = new CoreRpcClient({
      url: (
        await (async () => {
          const h = await hostile((body) => ({
            status: 500,
            body: JSON.stringify({
              result: null,
              error: { code: -8, message: 'Block height out of range' },
              id: (JSON.parse(body) as { id: number }).id,
            }),
          }));
          servers.push(h.server);
          return h;
        })()
      ).url,
      auth: { user: 'u', password: 'p' },
    });
    const error = await client.call('getblockhash', [1]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NODE_RPC_ERROR',
      rpcCode: -8,
      rejectReason: 'Block height out of range',
    });
    const refused = await coreAgainst(() => ({ status: 401 }));
    expect(await codeOf(refused.getHeight())).toBe('NODE_RPC_ERROR');
  });

  it('a block whose transaction hex does not match its txid → NODE_BAD_RESPONSE', async () => {
    const tip = 'cd'.repeat(32);
    let best = HASH;
    const chain = await coreAgainst((body) => {
      const { id, method, params } = JSON.parse(body) as {
        id: number;
        method: string;
        params: unknown[];
      };
      const results: Record<string, unknown> = {
        getbestblockhash: best,
        getblockheader: { hash: params[0], height: params[0] === tip ? 11 : 10, confirmations: 1 },
        getblockhash: params[0] === 11 ? tip : HASH,
        getblock: {
          hash: tip,
          height: 11,
          confirmations: 1,
          previousblockhash: HASH,
          tx: [{ txid: 'ef'.repeat(32), hex: '00', vin: [{ txid: '11'.repeat(32), vout: 0 }] }],
        },
      };
      return { body: JSON.stringify({ result: results[method] ?? null, error: null, id }) };
    });
    // Start at 10 watching the outpoint that the lying block 11 claims to spend.
    await chain.watch({ outpoints: [{ txid: '11'.repeat(32), vout: 0 }] });
    best = tip;
    expect(await codeOf(chain.sync())).toBe('NODE_BAD_RESPONSE');
  });
});

describe('EsploraChain against a hostile or broken server', () => {
  async function esploraAgainst(answer: Parameters<typeof hostile>[0]) {
    const { url, server } = await hostile(answer);
    servers.push(server);
    return new EsploraChain({ baseUrl: url, timeoutMs: 300, retry: { retries: 0, delayMs: 10 } });
  }

  it('a non-numeric height, malformed status, lying hex → NODE_BAD_RESPONSE', async () => {
    expect(await codeOf((await esploraAgainst(() => ({ body: 'many' }))).getHeight())).toBe(
      'NODE_BAD_RESPONSE',
    );
    const lying = await esploraAgainst((_body, path) =>
      path.endsWith('/hex') ? { body: '0200000000' } : { body: '{"confirmed":"yes"}' },
    );
    expect(await codeOf(lying.getTransaction(HASH))).toBe('NODE_BAD_RESPONSE');
    const badStatus = await esploraAgainst(() => ({
      body: '{"confirmed":true,"block_height":-3}',
    }));
    expect(await codeOf(badStatus.getSpender({ txid: HASH, vout: 0 }))).toBe('NODE_BAD_RESPONSE');
  });

  it('a server error → NODE_RPC_ERROR; no answer → NODE_UNREACHABLE', async () => {
    expect(
      await codeOf((await esploraAgainst(() => ({ status: 503, body: 'busy' }))).getHeight()),
    ).toBe('NODE_RPC_ERROR');
    expect(await codeOf((await esploraAgainst(() => ({ hang: true }))).getHeight())).toBe(
      'NODE_UNREACHABLE',
    );
  });
});
