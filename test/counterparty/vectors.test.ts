import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import {
  arc4,
  assetId,
  assetName,
  decodeCounterpartyData,
  decodeCounterpartyMessage,
  encodeCounterpartyMessage,
  encodeCounterpartySend,
  opReturnData,
  opReturnScript,
  unpackShortAddress,
} from '../../src/counterparty/index.js';
import { counterpartyVectors as v } from './vectors.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('Counterparty vectors', () => {
  it('loads every vector group', () => {
    expect(v.arc4.length).toBeGreaterThan(0);
    expect(v.opReturnTransactions.length).toBeGreaterThan(0);
    expect(v.classicSendPayloads.length).toBeGreaterThan(0);
    expect(v.enhancedSendPayloads.length).toBeGreaterThan(0);
    expect(v.assetIds.length).toBeGreaterThan(0);
  });

  it.each(v.arc4)('ARC4 with key $key', ({ key, plaintextUtf8, ciphertext }) => {
    expect(bytesToHex(arc4(hexToBytes(key), utf8(plaintextUtf8)))).toBe(ciphertext);
    expect(arc4(hexToBytes(key), hexToBytes(ciphertext))).toEqual(utf8(plaintextUtf8));
  });

  it.each(v.opReturnTransactions)('OP_RETURN keyed by $firstInputTxid', (vector) => {
    const data = opReturnData(hexToBytes(vector.opReturnScript));
    expect(bytesToHex(arc4(hexToBytes(vector.firstInputTxid), data))).toBe(vector.plaintext);
    const send = decodeCounterpartyData(data, vector.firstInputTxid, {
      prefix: vector.meaning.prefix,
    });
    expect(send).toMatchObject({
      type: 'classic',
      typeId: vector.meaning.type,
      asset: vector.meaning.asset,
      assetId: BigInt(vector.meaning.assetId),
      quantity: BigInt(vector.meaning.quantity),
    });
    // Re-encoding gives the very same script.
    const encoded = encodeCounterpartySend(
      { type: 'classic', asset: vector.meaning.asset, quantity: BigInt(vector.meaning.quantity) },
      { firstInputTxid: vector.firstInputTxid, prefix: vector.meaning.prefix },
    );
    expect(bytesToHex(opReturnScript(encoded))).toBe(vector.opReturnScript);
  });

  it.each(v.classicSendPayloads)('classic send of $quantity $asset', (vector) => {
    const decoded = decodeCounterpartyMessage(hexToBytes(vector.typeIdAndPayload));
    expect(decoded).toEqual({
      type: 'classic',
      typeId: 0,
      asset: vector.asset,
      assetId: BigInt(vector.assetId),
      quantity: BigInt(vector.quantity),
    });
    const message = encodeCounterpartyMessage({
      type: 'classic',
      asset: vector.asset,
      quantity: BigInt(vector.quantity),
    });
    expect(bytesToHex(message)).toBe(bytesToHex(utf8('CNTRPRTY')) + vector.typeIdAndPayload);
  });

  it.each(v.enhancedSendPayloads)('enhanced send of $quantity $asset', (vector) => {
    const destination = unpackShortAddress(hexToBytes(vector.shortAddress), 'testnet');
    const expected = {
      type: 'enhanced',
      typeId: 2,
      asset: vector.asset,
      assetId: BigInt(vector.assetId),
      quantity: BigInt(vector.quantity),
      shortAddress: hexToBytes(vector.shortAddress),
      destination,
      memo: hexToBytes(vector.memoHex),
      layout: 'legacy',
    };
    for (const hex of [vector.typeIdAndPayloadShort, vector.typeIdAndPayloadLong]) {
      expect(decodeCounterpartyMessage(hexToBytes(hex), { network: 'testnet' })).toEqual(expected);
    }
    const send = {
      type: 'enhanced',
      asset: vector.asset,
      quantity: BigInt(vector.quantity),
      destination: destination.address,
      memo: hexToBytes(vector.memoHex),
    } as const;
    const prefix = bytesToHex(utf8('CNTRPRTY'));
    for (const [shortTypeId, hex] of [
      [true, vector.typeIdAndPayloadShort],
      [false, vector.typeIdAndPayloadLong],
    ] as const) {
      const message = encodeCounterpartyMessage(send, {
        network: 'testnet',
        layout: 'legacy',
        shortTypeId,
      });
      expect(bytesToHex(message)).toBe(prefix + hex);
    }
  });

  it.each(v.assetIds)('asset $name is id $id', ({ name, id }) => {
    expect(assetId(name)).toBe(BigInt(id));
    expect(assetName(BigInt(id))).toBe(name);
  });
});
