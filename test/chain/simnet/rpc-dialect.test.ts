import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/bytes.js';
import { blockHashOf, decodeBlockHeader, merkleRootOf } from '../../../src/chain/index.js';
import { type Simnet, startSimnet } from '../../../src/simnet/index.js';
import { spendP2wpkh, testKey } from '../helpers.js';

const alice = testKey('simnet alice');
const bob = testKey('simnet bob');
/** A regtest P2WPKH address (BIP173's example program, on bcrt). */
const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

let node: Simnet;
let cookie: string;

async function post(body: string, auth: string | null = cookie) {
  const response = await fetch(node.url, {
    method: 'POST',
    headers:
      auth === null ? {} : { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
    body,
  });
  return { status: response.status, text: await response.text() };
}

async function rpc(method: string, params: unknown = [], version = '1.0') {
  const answer = await post(JSON.stringify({ jsonrpc: version, id: 7, method, params }));
  return { status: answer.status, reply: JSON.parse(answer.text) as Record<string, unknown> };
}

async function result(method: string, params: unknown = []): Promise<unknown> {
  const { status, reply } = await rpc(method, params);
  expect(status, JSON.stringify(reply)).toBe(200);
  return reply.result;
}

async function rpcError(method: string, params: unknown = []) {
  const { reply } = await rpc(method, params);
  return reply.error as { code: number; message: string };
}

beforeEach(async () => {
  node = await startSimnet({ rpcUser: 'user', rpcPassword: 'secret' });
  cookie = await readFile(node.cookieFile, 'utf8');
});

afterEach(async () => {
  await node.close();
});

describe('simnet: authentication and envelopes', () => {
  it('writes a __cookie__ file with 64 hex digits and removes it on close', async () => {
    expect(cookie).toMatch(/^__cookie__:[0-9a-f]{64}$/);
    await node.close();
    await expect(readFile(node.cookieFile, 'utf8')).rejects.toThrow();
  });

  it('accepts the cookie and rpcuser/rpcpassword, refuses anything else with 401', async () => {
    const body = JSON.stringify({ id: 1, method: 'getblockcount' });
    expect((await post(body)).status).toBe(200);
    expect((await post(body, 'user:secret')).status).toBe(200);
    for (const auth of [null, 'user:wrong', '__cookie__:00', cookie.slice(0, -1)]) {
      const answer = await post(body, auth);
      expect(answer.status).toBe(401);
      expect(answer.text).toBe('');
    }
  });

  it('answers legacy requests with result and error, errors by HTTP status', async () => {
    expect(await rpc('getblockcount')).toEqual({
      status: 200,
      reply: { result: 100, error: null, id: 7 },
    });
    expect(await rpc('nosuchmethod')).toEqual({
      status: 404,
      reply: { result: null, error: { code: -32601, message: 'Method not found' }, id: 7 },
    });
    expect((await rpc('getblockhash', [999])).status).toBe(500);
  });

  it('answers JSON-RPC 2.0 requests with status 200 and one of result or error', async () => {
    expect(await rpc('getblockcount', [], '2.0')).toEqual({
      status: 200,
      reply: { jsonrpc: '2.0', result: 100, id: 7 },
    });
    expect(await rpc('getblockhash', [999], '2.0')).toEqual({
      status: 200,
      reply: { jsonrpc: '2.0', error: { code: -8, message: 'Block height out of range' }, id: 7 },
    });
  });

  it('answers batches in order, parse errors with -32700, and takes named parameters', async () => {
    const batch = await post(
      JSON.stringify([
        { id: 1, method: 'getblockcount' },
        { id: 2, method: 'getblockhash', params: { height: 100 } },
        'not a request',
      ]),
    );
    expect(batch.status).toBe(200);
    const replies = JSON.parse(batch.text) as Record<string, unknown>[];
    expect(replies[0]).toEqual({ result: 100, error: null, id: 1 });
    expect(replies[1]?.result).toBe(node.chain.tipHash);
    expect(replies[2]).toMatchObject({ error: { code: -32600 } });
    const garbage = await post('{"id":1,"method":');
    expect(garbage.status).toBe(500);
    expect(JSON.parse(garbage.text)).toEqual({
      result: null,
      error: { code: -32700, message: 'Parse error' },
      id: null,
    });
  });

  it('refuses a body above the limit with 413 and a non-POST with 405', async () => {
    const small = await startSimnet({ maxBodyBytes: 100 });
    try {
      const smallCookie = await readFile(small.cookieFile, 'utf8');
      const response = await fetch(small.url, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(smallCookie).toString('base64')}` },
        body: 'x'.repeat(101),
      });
      expect(response.status).toBe(413);
      const get = await fetch(small.url, {
        headers: { Authorization: `Basic ${Buffer.from(smallCookie).toString('base64')}` },
      });
      expect(get.status).toBe(405);
    } finally {
      await small.close();
    }
  });
});

describe('simnet: Core methods and error codes', () => {
  it('serves real 80-byte headers whose hashes chain, and blocks that reserialize', async () => {
    node.chain.fund(alice.p2wpkh, 50_000n);
    node.chain.fund(alice.p2wpkh, 60_000n);
    let previous = (await result('getblockhash', [100])) as string;
    for (const height of [101, 102]) {
      const hash = (await result('getblockhash', [height])) as string;
      const headerHex = (await result('getblockheader', [hash, false])) as string;
      const header = hexToBytes(headerHex);
      expect(blockHashOf(header)).toBe(hash);
      const fields = decodeBlockHeader(header)!;
      expect(fields.previousHash).toBe(previous);
      const block = (await result('getblock', [hash, 1])) as { tx: string[]; height: number };
      expect(block.height).toBe(height);
      expect(fields.merkleRoot).toBe(merkleRootOf(block.tx));
      const raw = (await result('getblock', [hash, 0])) as string;
      expect(raw.slice(0, 160)).toBe(headerHex);
      previous = hash;
    }
  });

  it('keeps disconnected blocks with confirmations -1 and reorganises on invalidateblock', async () => {
    node.chain.fund(alice.p2wpkh, 50_000n);
    const hash = node.chain.tipHash;
    expect(await result('invalidateblock', [hash])).toBeNull();
    expect(await result('getblockcount')).toBe(100);
    expect(
      ((await result('getblockheader', [hash])) as { confirmations: number }).confirmations,
    ).toBe(-1);
    const mined = (await result('generatetoaddress', [2, ADDRESS])) as string[];
    expect(mined).toHaveLength(2);
    expect(mined).not.toContain(hash);
    expect(await result('getbestblockhash')).toBe(mined[1]);
  });

  it('words parameter errors as Core does', async () => {
    expect(await rpcError('getblockheader', ['abc'])).toEqual({
      code: -8,
      message: "blockhash must be of length 64 (not 3, for 'abc')",
    });
    expect(await rpcError('getblockheader', ['zz'.repeat(32)])).toEqual({
      code: -8,
      message: `blockhash must be hexadecimal string (not '${'zz'.repeat(32)}')`,
    });
    expect(await rpcError('getblock', ['00'.repeat(32)])).toEqual({
      code: -5,
      message: 'Block not found',
    });
    expect(await rpcError('getblockhash', ['1'])).toEqual({
      code: -3,
      message: 'JSON value of type string is not of expected type number',
    });
    expect((await rpcError('sendrawtransaction', ['zz'])).code).toBe(-22);
    expect((await rpcError('estimatesmartfee', [0])).code).toBe(-8);
    expect(await rpcError('generatetoaddress', [1, 'bc1notanaddress'])).toEqual({
      code: -5,
      message: 'Error: Invalid address',
    });
    expect((await rpcError('getmempoolentry', ['00'.repeat(32)])).message).toBe(
      'Transaction not in mempool',
    );
  });

  it('serves a transaction by txid only with txindex or in the mempool, and with its block hash', async () => {
    const funded = (await result('faucet', [ADDRESS, 0.001])) as {
      txid: string;
      blockhash: string;
    };
    expect((await rpcError('getrawtransaction', [funded.txid])).message).toContain('Use -txindex');
    const verbose = (await result('getrawtransaction', [
      funded.txid,
      1,
      funded.blockhash,
    ])) as Record<string, unknown>;
    expect(verbose).toMatchObject({
      txid: funded.txid,
      blockhash: funded.blockhash,
      confirmations: 1,
    });
    expect((verbose.vout as { value: number }[])[0]?.value).toBe(0.001);
    const indexed = await startSimnet({ chain: node.chain, txindex: true });
    try {
      const indexedCookie = await readFile(indexed.cookieFile, 'utf8');
      const response = await fetch(indexed.url, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(indexedCookie).toString('base64')}` },
        body: JSON.stringify({ id: 1, method: 'getrawtransaction', params: [funded.txid] }),
      });
      const reply = (await response.json()) as { result: string };
      expect(bytesToHex(node.chain.rawTransaction(funded.txid)!)).toBe(reply.result);
    } finally {
      await indexed.close();
    }
  });

  it('mempool methods: testmempoolaccept, sendrawtransaction, gettxout, gettxspendingprevout', async () => {
    const coin = { ...node.chain.fund(alice.p2wpkh, 100_000n), value: 100_000n };
    const raw = bytesToHex(spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]));
    const [verdict] = (await result('testmempoolaccept', [[raw]])) as Record<string, unknown>[];
    expect(verdict).toMatchObject({ allowed: true, vsize: 110, fees: { base: 0.00001 } });
    expect(node.chain.mempoolTxids()).toEqual([]);
    const txid = await result('sendrawtransaction', [raw]);
    expect(verdict?.txid).toBe(txid);
    // Resubmitting a mempool transaction succeeds, as in Core.
    expect(await result('sendrawtransaction', [raw])).toBe(txid);
    expect(await result('testmempoolaccept', [[raw]])).toMatchObject([
      { allowed: false, 'reject-reason': 'txn-already-in-mempool' },
    ]);
    expect(await result('gettxout', [coin.txid, 0])).toBeNull();
    expect(await result('gettxout', [coin.txid, 0, false])).toMatchObject({
      value: 0.001,
      confirmations: 1,
    });
    expect(await result('gettxspendingprevout', [[{ txid: coin.txid, vout: 0 }]])).toEqual([
      { txid: coin.txid, vout: 0, spendingtxid: txid },
    ]);
    expect(await result('getrawmempool')).toEqual([txid]);
    expect(await result('getmempoolentry', [txid])).toMatchObject({
      vsize: 110,
      fees: { base: 0.00001 },
      depends: [],
      ancestorcount: 1,
    });
    const conflict = bytesToHex(
      spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 98_000n }]),
    );
    expect(await rpcError('sendrawtransaction', [conflict])).toEqual({
      code: -26,
      message: 'txn-mempool-conflict',
    });
    await result('generatetoaddress', [1, ADDRESS]);
    expect(await rpcError('sendrawtransaction', [conflict])).toEqual({
      code: -25,
      message: 'bad-txns-inputs-missingorspent',
    });
    expect(await rpcError('sendrawtransaction', [raw])).toEqual({
      code: -27,
      message: 'Transaction outputs already in utxo set',
    });
  });

  it('estimatesmartfee: insufficient data by default, the configured rate otherwise', async () => {
    expect(await result('estimatesmartfee', [6])).toEqual({
      errors: ['Insufficient data or no feerate found'],
      blocks: 0,
    });
    node.setFeeRate(12.5);
    expect(await result('estimatesmartfee', [6])).toEqual({ feerate: 0.000125, blocks: 6 });
  });
});
