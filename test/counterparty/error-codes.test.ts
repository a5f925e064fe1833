import { describe, expect, it } from 'vitest';
import { concatBytes, hexToBytes } from '../../src/bytes.js';
import { decodeRawTransaction } from '../../src/chain/index.js';
import {
  CounterpartyBalances,
  CounterpartyCoreLedger,
  CounterpartyError,
  type CounterpartyErrorCode,
  applyCounterpartyTransaction,
  arc4,
  arc4KeyOfTxid,
  checkAssetDepositAddress,
  assetId,
  assetName,
  counterpartySource,
  decodeCbor,
  decodeCounterpartyData,
  decodeCounterpartyMessage,
  decodeCounterpartyTransaction,
  encodeCounterpartyMessage,
  encodeCounterpartySend,
  opReturnData,
  opReturnScript,
  packShortAddress,
  parseLosslessJson,
  unpackShortAddress,
} from '../../src/counterparty/index.js';
import { PicopaymentsError } from '../../src/errors.js';
import { encodeTransaction, type TxOutput } from '../../src/transactions/raw-transaction.js';

const TXID = 'ae241be7be83ebb14902757ad94854f787d9730fc553d6f695346c9375c0d8c1';
const P2PKH = hexToBytes(`76a914${'01'.repeat(20)}88ac`);

function tx(outputs: TxOutput[]): Uint8Array {
  return encodeTransaction({
    version: 2,
    inputs: [{ txid: hexToBytes(TXID), index: 0, scriptSig: new Uint8Array(0), sequence: 0 }],
    outputs,
    lockTime: 0,
  });
}

const SEND = tx([
  { value: 546n, script: P2PKH },
  {
    value: 0n,
    script: opReturnScript(
      encodeCounterpartySend(
        { type: 'classic', asset: 'XCP', quantity: 1n },
        { firstInputTxid: TXID },
      ),
    ),
  },
]);

/**
 * One malformed input per error code, through the public API. Typed as a record over the
 * code union, so a new code without a triggering input fails to compile.
 */
const TRIGGERS: Record<CounterpartyErrorCode, () => unknown> = {
  ASSET_NAME_INVALID: () => assetId('AAAA'),
  ASSET_ID_INVALID: () => assetName(2n),
  ASSET_NOT_SENDABLE: () =>
    encodeCounterpartyMessage({ type: 'classic', asset: 'BTC', quantity: 1n }),
  QUANTITY_INVALID: () =>
    encodeCounterpartyMessage({ type: 'classic', asset: 'XCP', quantity: 0n }),
  QUANTITY_OVERFLOW: () =>
    encodeCounterpartyMessage({ type: 'classic', asset: 'XCP', quantity: 2n ** 63n }),
  MEMO_INVALID: () =>
    encodeCounterpartyMessage({
      type: 'enhanced',
      asset: 'XCP',
      quantity: 1n,
      destination: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT',
      memo: new Uint8Array(35),
    }),
  ADDRESS_INVALID: () => packShortAddress('1BoatSLRHtKNngkdXEeobR76b53LETtpyU', 'mainnet'),
  SHORT_ADDRESS_INVALID: () => unpackShortAddress(new Uint8Array(20), 'mainnet'),
  SHORT_ADDRESS_UNSUPPORTED: () =>
    unpackShortAddress(concatBytes(Uint8Array.of(0x80), new Uint8Array(20)), 'mainnet'),
  PREFIX_INVALID: () =>
    encodeCounterpartyMessage({ type: 'classic', asset: 'XCP', quantity: 1n }, { prefix: 'X' }),
  PREFIX_MISMATCH: () => decodeCounterpartyData(new Uint8Array(20), TXID),
  TRUNCATED: () => decodeCounterpartyMessage(hexToBytes('00')),
  OVERSIZED: () => decodeCounterpartyMessage(new Uint8Array(21).fill(1, 7, 8)),
  UNSUPPORTED_MESSAGE_TYPE: () => decodeCounterpartyMessage(hexToBytes('1400')),
  CBOR_MALFORMED: () => decodeCbor(hexToBytes('1817')),
  CBOR_SHAPE: () => decodeCounterpartyMessage(hexToBytes('0283010203')),
  DATA_TOO_LONG: () => opReturnScript(new Uint8Array(81)),
  TXID_INVALID: () => arc4KeyOfTxid('zz'),
  OP_RETURN_MALFORMED: () => opReturnData(hexToBytes('6a')),
  NOT_COUNTERPARTY: () => decodeCounterpartyTransaction(tx([{ value: 546n, script: P2PKH }])),
  UNSUPPORTED_ENCODING: () =>
    decodeCounterpartyTransaction(
      tx([{ value: 0n, script: opReturnScript(new TextEncoder().encode('CNTRPRTY')) }]),
    ),
  UNRECOGNISED_OUTPUT: () =>
    decodeCounterpartyTransaction(tx([{ value: 1n, script: hexToBytes('51') }])),
  TX_MALFORMED: () => decodeCounterpartyTransaction(new Uint8Array(0)),
  SOURCE_INVALID: () =>
    counterpartySource(
      decodeRawTransaction(SEND),
      P2PKH,
      arc4KeyOfTxid(TXID),
      new TextEncoder().encode('CNTRPRTY'),
      'mainnet',
    ),
  PREVOUT_UNKNOWN: () =>
    applyCounterpartyTransaction(new CounterpartyBalances(), SEND, () => null, { blockHeight: 1 }),
  // Port 9 (discard) on loopback has no listener here: the connection is refused.
  LEDGER_UNAVAILABLE: () =>
    new CounterpartyCoreLedger({ baseUrl: 'http://127.0.0.1:9' }).getBalance('addr', 'XCP'),
  LEDGER_BAD_RESPONSE: () => parseLosslessJson('{"quantity": 1'),
  CHANNEL_ADDRESS_REUSED: () =>
    checkAssetDepositAddress(
      [
        { txid: TXID, vout: 0, blockHeight: 5 },
        { txid: TXID, vout: 1, blockHeight: 4 },
      ],
      { txid: TXID, vout: 0 },
      5,
    ),
  INVALID_ARGUMENT: () => arc4(new Uint8Array(0), new Uint8Array(1)),
};

describe('CounterpartyError codes', () => {
  it.each(Object.entries(TRIGGERS))('%s is raised by its trigger', async (code, trigger) => {
    let thrown: unknown;
    try {
      await trigger();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CounterpartyError);
    expect(thrown).toBeInstanceOf(PicopaymentsError);
    expect((thrown as CounterpartyError).code).toBe(code);
    expect((thrown as CounterpartyError).message.startsWith(`${code}: `)).toBe(true);
    expect((thrown as CounterpartyError).name).toBe('CounterpartyError');
  });
});
