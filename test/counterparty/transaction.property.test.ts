import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, hexToBytes } from '../../src/bytes.js';
import {
  CounterpartyError,
  assetId,
  classicSendOutputs,
  decodeCounterpartyData,
  decodeCounterpartyTransaction,
  encodeCounterpartySend,
  opReturnScript,
} from '../../src/counterparty/index.js';
import { type TxOutput, encodeTransaction } from '../../src/transactions/raw-transaction.js';
import { propertyConfig } from '../support/property-config.js';
import { quantityArb, sendableAssetArb, txidArb } from './arbitraries.js';

function rawTx(outputs: readonly TxOutput[], firstInputTxid: string): Uint8Array {
  return encodeTransaction({
    version: 2,
    inputs: [
      { txid: hexToBytes(firstInputTxid), index: 0, scriptSig: new Uint8Array(0), sequence: 0 },
    ],
    outputs,
    lockTime: 0,
  });
}

const hashArb = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const destinationArb = fc.oneof(
  hashArb(20).map((h) =>
    concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), h, Uint8Array.of(0x88, 0xac)),
  ),
  hashArb(20).map((h) => concatBytes(Uint8Array.of(0xa9, 0x14), h, Uint8Array.of(0x87))),
  hashArb(20).map((h) => concatBytes(Uint8Array.of(0x00, 0x14), h)),
  hashArb(32).map((h) => concatBytes(Uint8Array.of(0x00, 0x20), h)),
);

describe('Counterparty transaction properties', () => {
  it('reads back every classic send built by classicSendOutputs, with standard change first', () => {
    fc.assert(
      fc.property(
        sendableAssetArb,
        quantityArb,
        destinationArb,
        txidArb,
        // Counterparty stops at the first destination after the data; whatever follows is not read.
        fc.option(
          fc.tuple(destinationArb, fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 2 })),
          { nil: undefined },
        ),
        (asset, quantity, destination, txid, change) => {
          const outputs = [
            ...classicSendOutputs({
              asset,
              quantity,
              destinationScript: destination,
              firstInputTxid: txid,
            }),
            ...(change === undefined ? [] : [change[0], ...change[1]]).map((script) => ({
              value: 1_000n,
              script,
            })),
          ];
          const decoded = decodeCounterpartyTransaction(rawTx(outputs, txid));
          expect(decoded.message).toEqual({
            type: 'classic',
            typeId: 0,
            asset,
            assetId: assetId(asset),
            quantity,
          });
          expect(decoded.destinations).toHaveLength(1);
          expect(decoded.firstInput.txid).toBe(txid);
        },
      ),
      propertyConfig('counterparty classic send transactions', 200),
    );
  });

  it('fails only with CounterpartyError on random outputs', () => {
    const outputArb = fc.oneof(
      destinationArb,
      fc.uint8Array({ maxLength: 40 }),
      fc
        .uint8Array({ maxLength: 85 })
        .map((data) => concatBytes(Uint8Array.of(0x6a, data.length), data)),
    );
    fc.assert(
      fc.property(fc.array(outputArb, { minLength: 1, maxLength: 4 }), txidArb, (scripts, txid) => {
        try {
          decodeCounterpartyTransaction(
            rawTx(
              scripts.map((script) => ({ value: 0n, script })),
              txid,
            ),
          );
        } catch (error) {
          expect(error).toBeInstanceOf(CounterpartyError);
        }
      }),
      propertyConfig('counterparty transaction fuzz', 300),
    );
  });

  it('refuses every truncation of valid data', () => {
    fc.assert(
      fc.property(sendableAssetArb, quantityArb, txidArb, (asset, quantity, txid) => {
        const data = encodeCounterpartySend(
          { type: 'classic', asset, quantity },
          { firstInputTxid: txid },
        );
        expect(opReturnScript(data).length).toBe(data.length + 2);
        for (let n = 0; n < data.length; n++) {
          expect(() => decodeCounterpartyData(data.subarray(0, n), txid)).toThrow(
            CounterpartyError,
          );
        }
      }),
      propertyConfig('counterparty data truncation', 100),
    );
  });
});
