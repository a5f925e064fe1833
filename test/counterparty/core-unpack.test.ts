import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  CounterpartyCoreLedger,
  CounterpartyError,
  encodeCounterpartyMessage,
  extractCounterpartyData,
  stripPrefix,
} from '../../src/counterparty/index.js';
import { AssetChannel, secret } from './asset-channel-fixture.js';
import { type Responder, jsonWithBigints, serve, unpackAnswer } from './core-api-emulator.js';

const servers: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function adapterFor(respond: Responder): Promise<CounterpartyCoreLedger> {
  const server = await serve(respond);
  servers.push(server);
  return new CounterpartyCoreLedger({ baseUrl: server.url });
}

/** An emulated Core that unpacks with this library's decoder, in Core's JSON shapes. */
const emulated: Responder = async (path) => {
  const url = new URL(path, 'http://emulator');
  if (url.pathname !== '/v2/transactions/unpack') return { status: 404, body: '{}' };
  return {
    status: 200,
    body: jsonWithBigints(unpackAnswer(url.searchParams.get('datahex') ?? '', 'regtest')),
  };
};

const answer = (body: unknown, status = 200): Responder => {
  return async () => ({
    status,
    body: typeof body === 'string' ? body : jsonWithBigints(body),
  });
};

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof CounterpartyError) return error.code;
    throw error;
  }
}

describe('Counterparty Core v2 unpack over loopback HTTP', () => {
  it("cross-checks an asset commit's message", async () => {
    const c = new AssetChannel();
    await c.open();
    const commit = c.signCommit(321n, secret(3));
    const { message } = extractCounterpartyData(commit.rawTx, { network: 'regtest' });
    const ledger = await adapterFor(emulated);
    expect(await ledger.unpack(message)).toEqual({
      messageType: 'send',
      messageTypeId: 0,
      send: { asset: 'PICOTOKEN', quantity: 321n, destination: null, memo: null },
      error: null,
    });
  });

  it('reads an enhanced send with its address and memo, and an unpack error', async () => {
    const ledger = await adapterFor(emulated);
    const destination = 'mn6q3dS2EnDUx3bmyWc6D4szJNVGtaR7zc';
    const plaintext = encodeCounterpartyMessage(
      {
        type: 'enhanced',
        asset: 'XCP',
        quantity: 2n ** 63n - 1n,
        destination,
        memo: Uint8Array.of(1, 2, 3),
      },
      { network: 'regtest' },
    );
    const unpacked = await ledger.unpack(stripPrefix(plaintext));
    expect(unpacked.send).toEqual({
      asset: 'XCP',
      quantity: 2n ** 63n - 1n,
      destination,
      memo: '010203',
    });
    const broken = await ledger.unpack(Uint8Array.of(2, 0xff));
    expect(broken.messageType).toBe('enhanced_send');
    expect(broken.send).toBeNull();
    expect(broken.error).toBeTypeOf('string');
  });

  it('refuses bad input and every answer that is not what Core documents', async () => {
    const ledger = await adapterFor(emulated);
    expect(await codeOf(() => ledger.unpack(new Uint8Array(0)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => ledger.unpack(new Uint8Array(81)))).toBe('INVALID_ARGUMENT');
    const sendData = (data: unknown, extra: object = {}) => ({
      result: { message_type: 'send', message_type_id: 0n, message_data: data, ...extra },
    });
    const hostile: [string, unknown, number?][] = [
      ['no result', { error: 'x' }],
      ['a list', { result: [] }],
      ['a quantity of 2^64', sendData({ asset: 'XCP', quantity: 2n ** 64n })],
      ['a negative quantity', sendData({ asset: 'XCP', quantity: -1n })],
      [
        'a float quantity',
        '{"result":{"message_type":"send","message_type_id":0,"message_data":{"asset":"XCP","quantity":1.5}}}',
      ],
      ['no asset', sendData({ quantity: 1n })],
      ['a string type id', sendData({ asset: 'XCP', quantity: 1n }, { message_type_id: '0' })],
      ['data that is not an object', sendData('send')],
      ['a long memo', sendData({ asset: 'XCP', quantity: 1n, memo: '00'.repeat(35) })],
      ['truncated JSON', '{"result": {'],
    ];
    for (const [name, body] of hostile) {
      const bad = await adapterFor(answer(body));
      expect(await codeOf(() => bad.unpack(Uint8Array.of(0))), name).toBe('LEDGER_BAD_RESPONSE');
    }
    const missing = await adapterFor(answer({}, 404));
    expect(await codeOf(() => missing.unpack(Uint8Array.of(0)))).toBe('LEDGER_BAD_RESPONSE');
    const down = await adapterFor(answer('oops', 500));
    expect(await codeOf(() => down.unpack(Uint8Array.of(0)))).toBe('LEDGER_UNAVAILABLE');
    // The bytes travel as lowercase hex in the query.
    let seen = '';
    const spy = await adapterFor(async (path) => {
      seen = path;
      return emulated(path);
    });
    await spy.unpack(Uint8Array.of(0xab, 0xcd));
    expect(seen).toBe(`/v2/transactions/unpack?datahex=${bytesToHex(Uint8Array.of(0xab, 0xcd))}`);
  });
});
