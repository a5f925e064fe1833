import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/bytes.js';
import {
  CounterpartyError,
  type CounterpartyErrorCode,
  arc4,
  classicSendOutputs,
  decodeCounterpartyTransaction,
  encodeCounterpartySend,
  extractCounterpartyData,
  opReturnScript,
  outputScriptAddress,
} from '../../src/counterparty/index.js';
import { type TxOutput, encodeTransaction } from '../../src/transactions/raw-transaction.js';
import { counterpartyVectors } from './vectors.js';

function codeOf(run: () => unknown): CounterpartyErrorCode | 'ACCEPTED' {
  try {
    run();
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof CounterpartyError) return error.code;
    throw error;
  }
}

const TXID = 'ae241be7be83ebb14902757ad94854f787d9730fc553d6f695346c9375c0d8c1';
const p2pkh = (byte: number) =>
  concatBytes(
    Uint8Array.of(0x76, 0xa9, 0x14),
    new Uint8Array(20).fill(byte),
    Uint8Array.of(0x88, 0xac),
  );
const p2sh = (byte: number) =>
  concatBytes(Uint8Array.of(0xa9, 0x14), new Uint8Array(20).fill(byte), Uint8Array.of(0x87));
const p2wpkh = (byte: number) =>
  concatBytes(Uint8Array.of(0x00, 0x14), new Uint8Array(20).fill(byte));
const p2tr = (byte: number) =>
  concatBytes(Uint8Array.of(0x51, 0x20), new Uint8Array(32).fill(byte));

function rawTx(outputs: readonly TxOutput[], firstInputTxid = TXID): Uint8Array {
  return encodeTransaction({
    version: 2,
    inputs: [
      {
        txid: hexToBytes(firstInputTxid),
        index: 1,
        scriptSig: new Uint8Array(0),
        sequence: 0xffffffff,
      },
      {
        txid: new Uint8Array(32).fill(7),
        index: 0,
        scriptSig: new Uint8Array(0),
        sequence: 0xffffffff,
      },
    ],
    outputs,
    lockTime: 0,
  });
}

const dataOutput = (send: Parameters<typeof encodeCounterpartySend>[0], txid = TXID) => ({
  value: 0n,
  script: opReturnScript(
    encodeCounterpartySend(send, { firstInputTxid: txid, network: 'testnet' }),
  ),
});

describe('Counterparty transactions', () => {
  it('decodes the vector OP_RETURN inside a transaction', () => {
    for (const vector of counterpartyVectors.opReturnTransactions) {
      const tx = rawTx(
        [
          { value: 546n, script: p2pkh(1) },
          { value: 0n, script: hexToBytes(vector.opReturnScript) },
        ],
        vector.firstInputTxid,
      );
      const decoded = decodeCounterpartyTransaction(tx, { prefix: vector.meaning.prefix });
      expect(decoded.message).toMatchObject({
        asset: vector.meaning.asset,
        quantity: BigInt(vector.meaning.quantity),
      });
      expect(decoded.firstInput).toEqual({ txid: vector.firstInputTxid, vout: 1 });
    }
  });

  it('builds and reads back a classic send: destination with dust first, then the data', () => {
    for (const script of [p2pkh(1), p2sh(2), p2wpkh(3), p2tr(4)]) {
      const outputs = classicSendOutputs({
        asset: 'PEPECASH',
        quantity: 123_456n,
        destinationScript: script,
        firstInputTxid: TXID,
        network: 'testnet',
      });
      expect(outputs).toHaveLength(2);
      expect(outputs[0]!.script).toEqual(script);
      expect(outputs[1]!.value).toBe(0n);
      const change = { value: 90_000n, script: p2pkh(9) };
      const decoded = decodeCounterpartyTransaction(rawTx([...outputs, change]), {
        network: 'testnet',
      });
      expect(decoded.message).toEqual({
        type: 'classic',
        typeId: 0,
        asset: 'PEPECASH',
        assetId: decoded.message.assetId,
        quantity: 123_456n,
      });
      const address = outputScriptAddress(script, 'testnet')!;
      expect(decoded.destination).toBe(address);
      expect(decoded.destinations).toEqual([{ vout: 0, address, value: outputs[0]!.value }]);
      expect(decoded.btcAmount).toBe(outputs[0]!.value);
    }
  });

  it('uses the dust threshold of the destination script unless told otherwise', () => {
    const params = {
      asset: 'XCP',
      quantity: 1n,
      firstInputTxid: TXID,
    };
    expect(classicSendOutputs({ ...params, destinationScript: p2pkh(1) })[0]!.value).toBe(546n);
    expect(classicSendOutputs({ ...params, destinationScript: p2sh(1) })[0]!.value).toBe(540n);
    expect(classicSendOutputs({ ...params, destinationScript: p2wpkh(1) })[0]!.value).toBe(294n);
    const more = classicSendOutputs({
      ...params,
      destinationScript: p2sh(1),
      destinationValue: 10_000n,
    });
    expect(more[0]!.value).toBe(10_000n);
    const refuse = (extra: object) =>
      codeOf(() => classicSendOutputs({ ...params, destinationScript: p2sh(1), ...extra }));
    expect(refuse({ destinationValue: 539n })).toBe('INVALID_ARGUMENT');
    expect(refuse({ destinationValue: 600 })).toBe('INVALID_ARGUMENT');
    expect(refuse({ destinationScript: hexToBytes('51') })).toBe('INVALID_ARGUMENT');
    expect(refuse({ destinationScript: opReturnScript(Uint8Array.of(1)) })).toBe(
      'INVALID_ARGUMENT',
    );
    expect(refuse({ asset: 'BTC' })).toBe('ASSET_NOT_SENDABLE');
    expect(refuse({ quantity: 0n })).toBe('QUANTITY_INVALID');
  });

  it('decodes an enhanced send without a destination output', () => {
    const tx = rawTx([
      dataOutput({
        type: 'enhanced',
        asset: 'XCP',
        quantity: 5n,
        destination: 'mn6q3dS2EnDUx3bmyWc6D4szJNVGtaR7zc',
      }),
      { value: 10_000n, script: p2pkh(9) },
    ]);
    const decoded = decodeCounterpartyTransaction(tx, { network: 'testnet' });
    expect(decoded.destination).toBeNull();
    expect(decoded.btcAmount).toBe(0n);
    expect(decoded.message.type === 'enhanced' && decoded.message.destination.address).toBe(
      'mn6q3dS2EnDUx3bmyWc6D4szJNVGtaR7zc',
    );
  });

  it('joins several destinations as Counterparty does', () => {
    const tx = rawTx([
      { value: 546n, script: p2pkh(1) },
      { value: 600n, script: p2pkh(2) },
      dataOutput({ type: 'classic', asset: 'XCP', quantity: 5n }),
    ]);
    const decoded = decodeCounterpartyTransaction(tx, { network: 'testnet' });
    const a = outputScriptAddress(p2pkh(1), 'testnet');
    const b = outputScriptAddress(p2pkh(2), 'testnet');
    expect(decoded.destination).toBe(`${a}-${b}`);
    expect(decoded.btcAmount).toBe(1146n);
  });

  it('concatenates data split over two OP_RETURN outputs', () => {
    const plaintext = hexToBytes(
      `${bytesToHex(new TextEncoder().encode('CNTRPRTY'))}00000000000000000000000100000000000001f4`,
    );
    const first = concatBytes(plaintext.subarray(0, 8), plaintext.subarray(8, 18));
    const second = concatBytes(plaintext.subarray(0, 8), plaintext.subarray(18));
    const key = hexToBytes(TXID);
    const tx = rawTx([
      { value: 546n, script: p2pkh(1) },
      { value: 0n, script: opReturnScript(arc4(key, first)) },
      { value: 0n, script: opReturnScript(arc4(key, second)) },
    ]);
    expect(decodeCounterpartyTransaction(tx).message).toMatchObject({
      asset: 'XCP',
      quantity: 500n,
    });
  });

  it('stops reading at the first destination after the data', () => {
    const tx = rawTx([
      { value: 546n, script: p2pkh(1) },
      dataOutput({ type: 'classic', asset: 'XCP', quantity: 5n }),
      { value: 1000n, script: p2pkh(2) },
      // Never looked at: Counterparty stops at the change output.
      { value: 1000n, script: hexToBytes('51') },
      { value: 0n, script: hexToBytes('6a0548656c6c6f') },
    ]);
    expect(codeOf(() => decodeCounterpartyTransaction(tx))).toBe('ACCEPTED');
  });

  it.each<[string, TxOutput[], CounterpartyErrorCode]>([
    ['foreign OP_RETURN', [{ value: 0n, script: hexToBytes('6a0548656c6c6f') }], 'PREFIX_MISMATCH'],
    ['empty OP_RETURN', [{ value: 0n, script: hexToBytes('6a') }], 'OP_RETURN_MALFORMED'],
    ['two pushes', [{ value: 0n, script: hexToBytes('6a01010102') }], 'OP_RETURN_MALFORMED'],
    ['push past the end', [{ value: 0n, script: hexToBytes('6a0501') }], 'OP_RETURN_MALFORMED'],
    ['opcode after OP_RETURN', [{ value: 0n, script: hexToBytes('6a51') }], 'OP_RETURN_MALFORMED'],
    [
      'oversized OP_RETURN',
      [{ value: 0n, script: concatBytes(hexToBytes('6a4c51'), new Uint8Array(81)) }],
      'DATA_TOO_LONG',
    ],
    [
      'taproot reveal marker',
      [
        {
          value: 0n,
          script: concatBytes(hexToBytes('6a08'), new TextEncoder().encode('CNTRPRTY')),
        },
      ],
      'UNSUPPORTED_ENCODING',
    ],
    [
      'bare script before the data',
      [{ value: 1000n, script: hexToBytes('51') }],
      'UNRECOGNISED_OUTPUT',
    ],
    [
      'P2PK before the data',
      [
        {
          value: 1000n,
          script: concatBytes(hexToBytes('21'), new Uint8Array(33).fill(2), hexToBytes('ac')),
        },
      ],
      'UNRECOGNISED_OUTPUT',
    ],
    [
      'bare multisig before the data',
      [
        {
          value: 1000n,
          script: concatBytes(hexToBytes('5121'), new Uint8Array(33).fill(2), hexToBytes('51ae')),
        },
      ],
      'UNSUPPORTED_ENCODING',
    ],
  ])('refuses a transaction with %s', (_, leading, code) => {
    const tx = rawTx([...leading, dataOutput({ type: 'classic', asset: 'XCP', quantity: 5n })]);
    expect(codeOf(() => decodeCounterpartyTransaction(tx))).toBe(code);
  });

  it('refuses a transaction without data', () => {
    const tx = rawTx([
      { value: 546n, script: p2pkh(1) },
      { value: 546n, script: p2pkh(2) },
    ]);
    expect(codeOf(() => decodeCounterpartyTransaction(tx))).toBe('NOT_COUNTERPARTY');
  });

  it('refuses data hidden in a P2PKH hash', () => {
    const chunk = concatBytes(
      Uint8Array.of(12),
      new TextEncoder().encode('CNTRPRTY'),
      new Uint8Array(11),
    );
    const hash = arc4(hexToBytes(TXID), chunk);
    const script = concatBytes(hexToBytes('76a914'), hash, hexToBytes('88ac'));
    const tx = rawTx([{ value: 546n, script }]);
    expect(codeOf(() => decodeCounterpartyTransaction(tx))).toBe('UNSUPPORTED_ENCODING');
  });

  it('refuses malformed transactions and bad messages', () => {
    const good = rawTx([
      { value: 546n, script: p2pkh(1) },
      dataOutput({ type: 'classic', asset: 'XCP', quantity: 5n }),
    ]);
    expect(codeOf(() => decodeCounterpartyTransaction(good.subarray(0, good.length - 1)))).toBe(
      'TX_MALFORMED',
    );
    expect(codeOf(() => decodeCounterpartyTransaction(concatBytes(good, Uint8Array.of(0))))).toBe(
      'TX_MALFORMED',
    );
    expect(codeOf(() => decodeCounterpartyTransaction(new Uint8Array(0)))).toBe('TX_MALFORMED');
    expect(codeOf(() => decodeCounterpartyTransaction('00' as unknown as Uint8Array))).toBe(
      'TX_MALFORMED',
    );
    // A well-formed carrier with a message of another type.
    const issuance = concatBytes(
      new TextEncoder().encode('CNTRPRTY'),
      hexToBytes('1400000000000000010000'),
    );
    const tx = rawTx([{ value: 0n, script: opReturnScript(arc4(hexToBytes(TXID), issuance)) }]);
    expect(codeOf(() => extractCounterpartyData(tx))).toBe('ACCEPTED');
    expect(codeOf(() => decodeCounterpartyTransaction(tx))).toBe('UNSUPPORTED_MESSAGE_TYPE');
  });

  it('refuses a coinbase transaction', () => {
    const tx = encodeTransaction({
      version: 2,
      inputs: [
        {
          txid: new Uint8Array(32),
          index: 0xffffffff,
          scriptSig: hexToBytes('0101'),
          sequence: 0xffffffff,
        },
      ],
      outputs: [dataOutput({ type: 'classic', asset: 'XCP', quantity: 5n }, '00'.repeat(32))],
      lockTime: 0,
    });
    expect(codeOf(() => decodeCounterpartyTransaction(tx))).toBe('NOT_COUNTERPARTY');
  });
});
