import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../src/bytes.js';
import { type Simnet, startSimnet } from '../../../src/simnet/index.js';
import { spendP2wpkh, testKey } from '../helpers.js';

const alice = testKey('esplora alice');
const bob = testKey('esplora bob');

let node: Simnet;
beforeEach(async () => {
  node = await startSimnet({ feeRate: 4 });
});
afterEach(async () => {
  await node.close();
});

async function get(path: string) {
  const response = await fetch(`${node.esploraUrl}${path}`);
  return { status: response.status, text: await response.text() };
}

describe('simnet: Esplora REST dialect', () => {
  it('tip, block and transaction endpoints, without credentials', async () => {
    const coin = { ...node.chain.fund(alice.p2wpkh, 100_000n), value: 100_000n };
    const hash = node.chain.tipHash;
    expect(await get('/blocks/tip/height')).toEqual({ status: 200, text: '101' });
    expect(await get('/blocks/tip/hash')).toEqual({ status: 200, text: hash });
    expect(await get('/block-height/101')).toEqual({ status: 200, text: hash });
    expect((await get(`/block/${hash}/header`)).text).toBe(
      bytesToHex(node.chain.blockDetail(101)!.header),
    );
    expect(JSON.parse((await get(`/block/${hash}`)).text)).toMatchObject({
      id: hash,
      height: 101,
      tx_count: 1,
    });
    expect(JSON.parse((await get(`/tx/${coin.txid}/status`)).text)).toEqual({
      confirmed: true,
      block_height: 101,
      block_hash: hash,
      block_time: node.chain.blockDetail(101)!.time,
    });
    const tx = JSON.parse((await get(`/tx/${coin.txid}`)).text) as Record<string, unknown>;
    expect(tx).toMatchObject({
      txid: coin.txid,
      fee: 0,
      vout: [{ value: 100_000, scriptpubkey_type: 'v0_p2wpkh' }],
    });
    expect(await get(`/tx/${'00'.repeat(32)}/hex`)).toEqual({
      status: 404,
      text: 'Transaction not found',
    });
    expect((await get('/block-height/99')).status).toBe(404);
    expect(JSON.parse((await get('/fee-estimates')).text)).toMatchObject({
      '1': 4,
      '6': 4,
      '144': 4,
    });
  });

  it('POST /tx: the txid, or Core’s error wrapped as Esplora does; outspend follows the spend', async () => {
    const coin = { ...node.chain.fund(alice.p2wpkh, 100_000n), value: 100_000n };
    const raw = bytesToHex(spendP2wpkh(alice, [coin], [{ script: bob.p2wpkh, amount: 99_000n }]));
    const posted = await fetch(`${node.esploraUrl}/tx`, { method: 'POST', body: raw });
    const txid = await posted.text();
    expect(posted.status).toBe(200);
    expect(JSON.parse((await get(`/tx/${coin.txid}/outspend/0`)).text)).toEqual({
      spent: true,
      txid,
      vin: 0,
      status: { confirmed: false },
    });
    expect(JSON.parse((await get(`/tx/${coin.txid}/outspend/5`)).text)).toEqual({ spent: false });
    const low = bytesToHex(
      spendP2wpkh(
        alice,
        [{ txid, vout: 0, value: 99_000n }],
        [{ script: bob.p2wpkh, amount: 98_990n }],
      ),
    );
    const refused = await fetch(`${node.esploraUrl}/tx`, { method: 'POST', body: low });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe(
      'sendrawtransaction RPC error: {"code":-26,"message":"min relay fee not met, 10 < 110"}',
    );
    const garbage = await fetch(`${node.esploraUrl}/tx`, { method: 'POST', body: 'zz' });
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toContain('"code":-22');
  });
});
