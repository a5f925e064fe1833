import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/index.js';
import {
  CounterpartyCoreLedger,
  CounterpartyError,
  type CounterpartyErrorCode,
  SimulatedCounterpartyLedger,
  parseLosslessJson,
} from '../../src/counterparty/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { type Responder, jsonWithBigints, ledgerResponder, serve } from './core-api-emulator.js';
import { describeLedgerConformance } from './ledger-conformance.js';
import { fund } from './ledger-helpers.js';

const servers: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function adapterFor(respond: Responder, timeoutMs?: number): Promise<CounterpartyCoreLedger> {
  const server = await serve(respond);
  servers.push(server);
  return new CounterpartyCoreLedger({ baseUrl: server.url, timeoutMs });
}

async function codeOf(run: () => Promise<unknown>): Promise<CounterpartyErrorCode | 'ACCEPTED'> {
  try {
    await run();
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof CounterpartyError) return error.code;
    throw error;
  }
}

// The adapter over real HTTP, in front of the simulated ledger: it must keep every behaviour.
describeLedgerConformance('Counterparty Core v2 REST adapter (loopback)', async (allocations) => {
  const chain = new SimulatedChain({ verifyScript: bitcoreScriptVerifier });
  const simulated = new SimulatedCounterpartyLedger({ chain, allocations });
  return {
    ledger: await adapterFor(ledgerResponder(simulated)),
    fund: (script, value) => fund(chain, script, value),
    broadcast: async (rawTx) => chain.submit(rawTx),
    mine: async (blocks = 1) => {
      chain.mine(blocks);
    },
    reorg: async (depth) => {
      chain.reorg(depth);
    },
    height: async () => chain.height,
  };
});

const ADDRESS = 'mn6q3dS2EnDUx3bmyWc6D4szJNVGtaR7zc';
const TXID = 'ab'.repeat(32);
const answer =
  (body: unknown, status = 200) =>
  async () => ({
    status,
    body: typeof body === 'string' ? body : jsonWithBigints(body),
  });

describe('Counterparty Core v2 REST adapter', () => {
  it('reads quantities up to 2^63-1 without loss', async () => {
    const big = 2n ** 63n - 1n;
    const ledger = await adapterFor(
      answer({ result: [{ address: ADDRESS, asset: 'XCP', quantity: big, utxo: null }] }),
    );
    expect(await ledger.getBalance(ADDRESS, 'XCP')).toBe(big);
  });

  it('follows pagination cursors and stops on a cursor that does not advance', async () => {
    const pages: Responder = async (path) => {
      const cursor = new URL(path, 'http://x').searchParams.get('cursor');
      const row = (asset: string) => ({ address: ADDRESS, asset, quantity: 5n, utxo: null });
      const body =
        cursor === null
          ? { result: [row('XCP')], next_cursor: 7n }
          : { result: [row('PEPECASH')], next_cursor: null };
      return { status: 200, body: jsonWithBigints(body) };
    };
    const ledger = await adapterFor(pages);
    expect(await ledger.getBalances(ADDRESS)).toEqual(
      new Map([
        ['XCP', 5n],
        ['PEPECASH', 5n],
      ]),
    );
    const stuck = await adapterFor(answer({ result: [], next_cursor: 3n }));
    expect(await codeOf(() => stuck.getBalances(ADDRESS))).toBe('LEDGER_BAD_RESPONSE');
  });

  it.each<[string, unknown, number]>([
    ['malformed JSON', '{"result": [', 200],
    ['a list instead of an object', '[]', 200],
    ['no result', { rows: [] }, 200],
    ['a negative quantity', { result: [{ address: ADDRESS, asset: 'XCP', quantity: -1n }] }, 200],
    ['a fractional quantity', '{"result":[{"address":"x","asset":"XCP","quantity":1.5}]}', 200],
    ['a quantity as text', { result: [{ address: ADDRESS, asset: 'XCP', quantity: '5' }] }, 200],
    [
      'an overflowing quantity',
      { result: [{ address: ADDRESS, asset: 'XCP', quantity: 2n ** 63n }] },
      200,
    ],
    [
      'a row of another asset',
      { result: [{ address: ADDRESS, asset: 'PEPECASH', quantity: 1n }] },
      200,
    ],
    [
      'a row of another address',
      { result: [{ address: 'other', asset: 'XCP', quantity: 1n }] },
      200,
    ],
    ['duplicate keys', '{"result": [], "result": []}', 200],
    ['trailing text', '{"result": []} x', 200],
  ])('refuses a balance answer with %s', async (_, body, status) => {
    const ledger = await adapterFor(answer(body, status));
    expect(await codeOf(() => ledger.getBalance(ADDRESS, 'XCP'))).toBe('LEDGER_BAD_RESPONSE');
  });

  it('reads the parsed height from the server info, and refuses a malformed one', async () => {
    const info = (height: unknown) => ({
      result: { server_ready: true, counterparty_height: height },
    });
    expect(await (await adapterFor(answer(info(840796n), 200))).getHeight()).toBe(840796);
    for (const body of [info(-1n), info('5'), info(1.5), info(2n ** 60n), { result: [] }, '[]'])
      expect(await codeOf(async () => (await adapterFor(answer(body, 200))).getHeight())).toBe(
        'LEDGER_BAD_RESPONSE',
      );
    expect(await codeOf(async () => (await adapterFor(answer('{}', 503))).getHeight())).toBe(
      'LEDGER_UNAVAILABLE',
    );
  });

  it('reports server errors, refused connections and timeouts as unavailable', async () => {
    const failing = await adapterFor(answer('{"error": "boom"}', 503));
    expect(await codeOf(() => failing.getBalance(ADDRESS, 'XCP'))).toBe('LEDGER_UNAVAILABLE');
    const silent = await adapterFor(async () => null, 200);
    expect(await codeOf(() => silent.getTransaction(TXID))).toBe('LEDGER_UNAVAILABLE');
    const nobody = new CounterpartyCoreLedger({ baseUrl: 'http://127.0.0.1:9' });
    expect(await codeOf(() => nobody.getBalances(ADDRESS))).toBe('LEDGER_UNAVAILABLE');
  });

  it('treats 404 as no balance and no transaction', async () => {
    const ledger = await adapterFor(answer('{"error": "Not found"}', 404));
    expect(await ledger.getBalance(ADDRESS, 'XCP')).toBe(0n);
    expect(await ledger.getBalances(ADDRESS)).toEqual(new Map());
    expect(await ledger.getTransaction(TXID)).toBeNull();
  });

  it('refuses transaction answers about another transaction or without a block', async () => {
    const other = await adapterFor(
      answer({ result: { tx_hash: 'cd'.repeat(32), block_index: 1n } }),
    );
    expect(await codeOf(() => other.getTransaction(TXID))).toBe('LEDGER_BAD_RESPONSE');
    const noBlock = await adapterFor(answer({ result: { tx_hash: TXID, source: ADDRESS } }));
    expect(await codeOf(() => noBlock.getTransaction(TXID))).toBe('LEDGER_BAD_RESPONSE');
    const unconfirmed = await adapterFor(answer({ result: { tx_hash: TXID, confirmed: false } }));
    expect(await unconfirmed.getTransaction(TXID)).toBeNull();
  });

  it('refuses bad arguments before any request', async () => {
    const ledger = new CounterpartyCoreLedger({ baseUrl: 'http://127.0.0.1:9' });
    expect(await codeOf(() => ledger.getBalance('a/b', 'XCP'))).toBe('ADDRESS_INVALID');
    expect(await codeOf(() => ledger.getBalance(ADDRESS, 'xcp'))).toBe('ASSET_NAME_INVALID');
    expect(await codeOf(() => ledger.getTransaction('zz'))).toBe('TXID_INVALID');
    expect(await codeOf(async () => new CounterpartyCoreLedger({ baseUrl: 'ftp://x' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(async () => new CounterpartyCoreLedger({ baseUrl: 'nowhere' }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('lossless JSON', () => {
  it('reads integers as bigints and other numbers as numbers', () => {
    expect(
      parseLosslessJson('{"a": [1, -2, 9223372036854775807, 1.5, 2e3, "x\\u0041", true, null]}'),
    ).toEqual({
      a: [1n, -2n, 9223372036854775807n, 1.5, 2000, 'xA', true, null],
    });
  });

  it.each([
    '',
    '01',
    '1.',
    '.5',
    '+1',
    '"\u0001"',
    "'a'",
    '{a: 1}',
    '[1,]',
    '{"a":1,}',
    'nul',
    '"\\x"',
    `${'['.repeat(70)}${']'.repeat(70)}`,
  ])('refuses %j', (text) => {
    expect(() => parseLosslessJson(text)).toThrow(CounterpartyError);
  });
});
