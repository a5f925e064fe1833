import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/bytes.js';
import {
  CounterpartyError,
  type CounterpartyErrorCode,
  type CounterpartySend,
  MAX_QUANTITY,
  arc4,
  assetId,
  decodeCounterpartyData,
  decodeCounterpartyMessage,
  encodeCbor,
  encodeCounterpartyMessage,
  encodeCounterpartySend,
  packShortAddress,
} from '../../src/counterparty/index.js';
import type { NetworkName } from '../../src/scripts/networks.js';
import { propertyConfig } from '../support/property-config.js';
import {
  addressArb,
  memoArb,
  networkArb,
  quantityArb,
  sendableAssetArb,
  txidArb,
} from './arbitraries.js';

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
const PREFIX = new TextEncoder().encode('CNTRPRTY');
// A testnet P2PKH address and its HASH160.
const HASH = hexToBytes('4838d8b3588c4c7ba7c1d06f866e9b3739c63037');
const TESTNET_ADDRESS = 'mn6q3dS2EnDUx3bmyWc6D4szJNVGtaR7zc';
const u64 = (n: bigint) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
};
const enhanced = (payload: Uint8Array) => concatBytes(Uint8Array.of(2), payload);
const decodeTestnet = (message: Uint8Array) =>
  codeOf(() => decodeCounterpartyMessage(message, { network: 'testnet' }));

// Hand-assembled CBOR of [asset, quantity, short address, memo] (RFC 8949 heads).
function cborSend(parts: { asset?: string; quantity?: string; address?: string; memo?: string }) {
  return hexToBytes(
    `84${parts.asset ?? '01'}${parts.quantity ?? '1903e8'}${parts.address ?? `5501${bytesToHex(HASH)}`}${parts.memo ?? '40'}`,
  );
}

const sendArb = (network: NetworkName): fc.Arbitrary<CounterpartySend> =>
  fc.oneof(
    fc
      .record({ asset: sendableAssetArb, quantity: quantityArb })
      .map((s) => ({ type: 'classic', ...s }) as const),
    fc
      .record({
        asset: sendableAssetArb,
        quantity: quantityArb,
        destination: addressArb(network),
        memo: memoArb,
      })
      .map((s) => ({ type: 'enhanced', ...s }) as const),
  );

describe('send encoding round trips', () => {
  it('decodeCounterpartyData inverts encodeCounterpartySend', () => {
    const caseArb = networkArb.chain((network) =>
      fc.record({
        network: fc.constant(network),
        send: sendArb(network),
        txid: txidArb,
        layout: fc.constantFrom('legacy', 'cbor'),
        shortTypeId: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ network, send, txid, layout, shortTypeId }) => {
        const options = { network, layout, shortTypeId } as const;
        const plaintext = encodeCounterpartyMessage(send, options);
        const encode = () => encodeCounterpartySend(send, { ...options, firstInputTxid: txid });
        if (plaintext.length > 80) {
          // Long memos with large ids and quantities do not fit one OP_RETURN.
          expect(codeOf(encode)).toBe('DATA_TOO_LONG');
          return;
        }
        const data = encode();
        expect(arc4(hexToBytes(txid), data)).toEqual(plaintext);
        const decoded = decodeCounterpartyData(data, txid, { network });
        expect(decoded.asset).toBe(send.asset);
        expect(decoded.assetId).toBe(assetId(send.asset));
        expect(decoded.quantity).toBe(send.quantity);
        expect(decoded.type).toBe(send.type);
        if (send.type === 'enhanced' && decoded.type === 'enhanced') {
          expect(decoded.destination.address).toBe(send.destination);
          expect(decoded.memo).toEqual(send.memo!.length === 0 ? null : send.memo);
          expect(decoded.layout).toBe(layout);
        }
        // Decoding is keyed: another txid never reads the same send.
        const other = txid === '00'.repeat(32) ? '11'.repeat(32) : '00'.repeat(32);
        const elsewhere = codeOf(() => decodeCounterpartyData(data, other, { network }));
        expect(elsewhere).not.toBe('ACCEPTED');
      }),
      propertyConfig('counterparty send round trip', 300),
    );
  });

  it('writes the CBOR layout Counterparty writes, byte for byte', () => {
    const message = encodeCounterpartyMessage(
      {
        type: 'enhanced',
        asset: 'XCP',
        quantity: 1000n,
        destination: TESTNET_ADDRESS,
        memo: new TextEncoder().encode('memo'),
      },
      { network: 'testnet' },
    );
    // 02 type, 84 array(4), 01 XCP, 19 03e8 = 1000, 55 bytes(21) 01 = typed P2PKH, 44 "memo".
    expect(bytesToHex(message)).toBe(
      `${bytesToHex(PREFIX)}028401${'1903e8'}5501${bytesToHex(HASH)}446d656d6f`,
    );
  });

  it('decodes the CBOR layout with typed and legacy addresses and a null memo', () => {
    for (const address of [`5501${bytesToHex(HASH)}`, `556f${bytesToHex(HASH)}`]) {
      const decoded = decodeCounterpartyMessage(enhanced(cborSend({ address, memo: 'f6' })), {
        network: 'testnet',
      });
      expect(decoded).toMatchObject({
        type: 'enhanced',
        asset: 'XCP',
        quantity: 1000n,
        destination: { address: TESTNET_ADDRESS, kind: 'p2pkh' },
        memo: null,
        layout: 'cbor',
      });
    }
  });

  it('reads a typed P2SH address on each network', () => {
    const cases = [
      ['mainnet', '3'],
      ['testnet', '2'],
    ] as const;
    for (const [network, lead] of cases) {
      const message = enhanced(cborSend({ address: `5502${bytesToHex(HASH)}` }));
      const decoded = decodeCounterpartyMessage(message, { network });
      expect(decoded.type === 'enhanced' && decoded.destination.kind).toBe('p2sh');
      expect(decoded.type === 'enhanced' && decoded.destination.address[0]).toBe(lead);
    }
  });
});

describe('hostile messages', () => {
  const classic = (payload: Uint8Array) => concatBytes(new Uint8Array(4), payload);
  const legacySend = (quantity: bigint, memo = new Uint8Array(0), asset = 1n) =>
    enhanced(concatBytes(u64(asset), u64(quantity), Uint8Array.of(0x6f), HASH, memo));

  it.each([
    ['empty message', ''],
    ['one byte', '02'],
    ['long type id alone', '00000000'],
    ['long type id and nothing', '000000'],
  ])('refuses %s as TRUNCATED', (_, hex) => {
    expect(decodeTestnet(hexToBytes(hex))).toBe('TRUNCATED');
  });

  it('refuses classic payloads of the wrong length', () => {
    expect(decodeTestnet(classic(new Uint8Array(15)))).toBe('TRUNCATED');
    expect(decodeTestnet(classic(concatBytes(u64(1n), u64(5n), Uint8Array.of(0))))).toBe(
      'OVERSIZED',
    );
  });

  it('refuses legacy enhanced sends that are truncated or carry too long a memo', () => {
    const full = legacySend(5n);
    expect(decodeTestnet(full.subarray(0, full.length - 1))).toBe('TRUNCATED');
    expect(decodeTestnet(legacySend(5n, new Uint8Array(34)))).toBe('ACCEPTED');
    expect(decodeTestnet(legacySend(5n, new Uint8Array(35)))).toBe('MEMO_INVALID');
  });

  it('refuses a short type id when short ids are not allowed', () => {
    const message = legacySend(5n);
    expect(
      codeOf(() => decodeCounterpartyMessage(message, { network: 'testnet', shortTypeId: false })),
    ).toBe('UNSUPPORTED_MESSAGE_TYPE');
  });

  it('refuses other message types', () => {
    for (const hex of ['14000000000000000100', '0000001400', '03aabb', '04aabb', '00000003aa']) {
      expect(decodeTestnet(hexToBytes(hex))).toBe('UNSUPPORTED_MESSAGE_TYPE');
    }
  });

  it('refuses BTC and ids that name no asset', () => {
    expect(decodeTestnet(classic(concatBytes(u64(0n), u64(5n))))).toBe('ASSET_NOT_SENDABLE');
    expect(decodeTestnet(legacySend(5n, undefined, 0n))).toBe('ASSET_NOT_SENDABLE');
    for (const id of [2n, 26n ** 3n - 1n, 26n ** 12n]) {
      expect(decodeTestnet(classic(concatBytes(u64(id), u64(5n))))).toBe('ASSET_ID_INVALID');
      expect(decodeTestnet(legacySend(5n, undefined, id))).toBe('ASSET_ID_INVALID');
    }
  });

  it('refuses overflowing quantities in enhanced sends, both layouts', () => {
    expect(decodeTestnet(legacySend(MAX_QUANTITY))).toBe('ACCEPTED');
    expect(decodeTestnet(legacySend(MAX_QUANTITY + 1n))).toBe('QUANTITY_OVERFLOW');
    expect(decodeTestnet(legacySend(2n ** 64n - 1n))).toBe('QUANTITY_OVERFLOW');
    expect(decodeTestnet(enhanced(cborSend({ quantity: '1b7fffffffffffffff' })))).toBe('ACCEPTED');
    expect(decodeTestnet(enhanced(cborSend({ quantity: '1b8000000000000000' })))).toBe(
      'QUANTITY_OVERFLOW',
    );
    expect(decodeTestnet(enhanced(cborSend({ quantity: '20' })))).toBe('QUANTITY_INVALID');
    expect(decodeTestnet(enhanced(cborSend({ quantity: '4101' })))).toBe('QUANTITY_INVALID');
  });

  it('keeps a classic quantity above 2^63-1 as carried (Counterparty caps it at the balance)', () => {
    const decoded = decodeCounterpartyMessage(classic(concatBytes(u64(1n), u64(2n ** 64n - 1n))));
    expect(decoded.quantity).toBe(2n ** 64n - 1n);
  });

  it('refuses bad CBOR payloads that the legacy layout cannot read either', () => {
    const cases: [string, CounterpartyErrorCode][] = [
      ['84', 'CBOR_MALFORMED'],
      ['8401', 'CBOR_MALFORMED'],
      [bytesToHex(cborSend({})).slice(0, -2), 'CBOR_MALFORMED'],
      [`${bytesToHex(cborSend({}))}00`, 'CBOR_MALFORMED'],
      [bytesToHex(cborSend({ asset: '1801' })), 'CBOR_MALFORMED'],
      [bytesToHex(cborSend({ quantity: '1a000003e8' })), 'CBOR_MALFORMED'],
      [bytesToHex(cborSend({ memo: '5f40ff' })), 'CBOR_MALFORMED'],
      [bytesToHex(cborSend({ memo: 'a0' })), 'CBOR_MALFORMED'],
      [bytesToHex(cborSend({ asset: 'c24101' })), 'CBOR_MALFORMED'],
      [bytesToHex(cborSend({ asset: '6158' })), 'CBOR_SHAPE'],
      [bytesToHex(cborSend({ address: '6161' })), 'CBOR_SHAPE'],
      ['83011903e840', 'CBOR_SHAPE'],
      [bytesToHex(cborSend({ asset: '00' })), 'ASSET_NOT_SENDABLE'],
      [bytesToHex(cborSend({ asset: '02' })), 'ASSET_ID_INVALID'],
      [
        bytesToHex(cborSend({ address: `5401${bytesToHex(HASH).slice(2)}` })),
        'SHORT_ADDRESS_INVALID',
      ],
      [bytesToHex(cborSend({ address: `5703${'00'.repeat(22)}` })), 'SHORT_ADDRESS_UNSUPPORTED'],
      [bytesToHex(cborSend({ address: `5580${bytesToHex(HASH)}` })), 'SHORT_ADDRESS_UNSUPPORTED'],
    ];
    for (const [hex, code] of cases) {
      expect([hex, decodeTestnet(enhanced(hexToBytes(hex)))]).toEqual([hex, code]);
    }
  });

  it('refuses a CBOR memo that is too long or not bytes, without falling back', () => {
    expect(decodeTestnet(enhanced(cborSend({ memo: `5822${'00'.repeat(34)}` })))).toBe('ACCEPTED');
    expect(decodeTestnet(enhanced(cborSend({ memo: `5823${'00'.repeat(35)}` })))).toBe(
      'MEMO_INVALID',
    );
    expect(decodeTestnet(enhanced(cborSend({ memo: '6161' })))).toBe('MEMO_INVALID');
    expect(decodeTestnet(enhanced(cborSend({ memo: '01' })))).toBe('MEMO_INVALID');
  });

  it('reads a CBOR-looking payload with the legacy layout when CBOR fails, as Counterparty does', () => {
    // A numeric asset whose id starts with byte 0x84 reads as legacy once CBOR refuses it.
    const id = 0x84n << 56n;
    const decoded = decodeCounterpartyMessage(legacySend(5n, undefined, id), {
      network: 'testnet',
    });
    expect(decoded).toMatchObject({ type: 'enhanced', assetId: id, layout: 'legacy' });
  });

  it('refuses data with a wrong prefix or key, and oversized data', () => {
    const data = encodeCounterpartySend(
      { type: 'classic', asset: 'XCP', quantity: 5n },
      { firstInputTxid: TXID },
    );
    expect(codeOf(() => decodeCounterpartyData(data, TXID))).toBe('ACCEPTED');
    expect(codeOf(() => decodeCounterpartyData(data, TXID, { prefix: 'TESTXXXX' }))).toBe(
      'PREFIX_MISMATCH',
    );
    expect(codeOf(() => decodeCounterpartyData(data, 'ff'.repeat(32)))).toBe('PREFIX_MISMATCH');
    expect(codeOf(() => decodeCounterpartyData(data.subarray(0, 7), TXID))).toBe('PREFIX_MISMATCH');
    expect(codeOf(() => decodeCounterpartyData(new Uint8Array(0), TXID))).toBe('PREFIX_MISMATCH');
    const long = arc4(hexToBytes(TXID), concatBytes(PREFIX, new Uint8Array(73)));
    expect(codeOf(() => decodeCounterpartyData(long, TXID))).toBe('DATA_TOO_LONG');
    expect(codeOf(() => decodeCounterpartyData(data, TXID.slice(1)))).toBe('TXID_INVALID');
    expect(codeOf(() => decodeCounterpartyData(data, `${TXID.slice(1)}g`))).toBe('TXID_INVALID');
    expect(codeOf(() => decodeCounterpartyData('00' as unknown as Uint8Array, TXID))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('fails only with CounterpartyError on random data and messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 90 }), txidArb, (bytes, txid) => {
        codeOf(() => decodeCounterpartyData(bytes, txid));
        codeOf(() => decodeCounterpartyMessage(bytes, { network: 'testnet' }));
        codeOf(() => decodeCounterpartyMessage(concatBytes(Uint8Array.of(2, 0x84), bytes)));
      }),
      propertyConfig('counterparty decode fuzz', 500),
    );
  });

  it('fails only with CounterpartyError on mutated valid data', () => {
    fc.assert(
      fc.property(
        sendArb('testnet'),
        fc.constantFrom('legacy', 'cbor'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (send, layout, at, xor) => {
          const message = encodeCounterpartyMessage(send, { network: 'testnet', layout });
          const mutated = message.slice(PREFIX.length);
          mutated[at % mutated.length]! ^= xor;
          const code = decodeTestnet(mutated);
          expect(typeof code).toBe('string');
        },
      ),
      propertyConfig('counterparty mutation fuzz', 300),
    );
  });
});

describe('encoding refusals', () => {
  const txid = TXID;
  const enc = (send: unknown, options: object = {}) =>
    codeOf(() =>
      encodeCounterpartySend(send as CounterpartySend, { firstInputTxid: txid, ...options }),
    );

  it('refuses bad quantities', () => {
    for (const type of ['classic', 'enhanced'] as const) {
      const base = { type, asset: 'XCP', destination: TESTNET_ADDRESS };
      const options = { network: 'testnet' };
      expect(enc({ ...base, quantity: MAX_QUANTITY }, options)).toBe('ACCEPTED');
      expect(enc({ ...base, quantity: MAX_QUANTITY + 1n }, options)).toBe('QUANTITY_OVERFLOW');
      expect(enc({ ...base, quantity: 2n ** 64n }, options)).toBe('QUANTITY_OVERFLOW');
      expect(enc({ ...base, quantity: 0n }, options)).toBe('QUANTITY_INVALID');
      expect(enc({ ...base, quantity: -1n }, options)).toBe('QUANTITY_INVALID');
      expect(enc({ ...base, quantity: 5 }, options)).toBe('QUANTITY_INVALID');
    }
  });

  it('refuses BTC, invalid names, memos and addresses', () => {
    expect(enc({ type: 'classic', asset: 'BTC', quantity: 1n })).toBe('ASSET_NOT_SENDABLE');
    expect(enc({ type: 'classic', asset: 'AAAA', quantity: 1n })).toBe('ASSET_NAME_INVALID');
    expect(enc({ type: 'classic', asset: 'xcp', quantity: 1n })).toBe('ASSET_NAME_INVALID');
    const base = { type: 'enhanced', asset: 'XCP', quantity: 1n, destination: TESTNET_ADDRESS };
    expect(enc({ ...base, memo: new Uint8Array(35) }, { network: 'testnet' })).toBe('MEMO_INVALID');
    expect(enc({ ...base, memo: 'memo' }, { network: 'testnet' })).toBe('MEMO_INVALID');
    // A testnet address on mainnet, a bech32 address, garbage, a broken checksum.
    expect(enc(base)).toBe('ADDRESS_INVALID');
    expect(enc({ ...base, destination: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' })).toBe(
      'ADDRESS_INVALID',
    );
    expect(enc({ ...base, destination: 'not an address' }, { network: 'testnet' })).toBe(
      'ADDRESS_INVALID',
    );
    const broken = `${TESTNET_ADDRESS.slice(0, -1)}d`;
    expect(enc({ ...base, destination: broken }, { network: 'testnet' })).toBe('ADDRESS_INVALID');
  });

  it('refuses bad options and shapes', () => {
    const send = { type: 'classic', asset: 'XCP', quantity: 1n };
    expect(enc(send, { prefix: 'SHORT' })).toBe('PREFIX_INVALID');
    expect(enc(send, { prefix: 'CNTRPRTY!' })).toBe('PREFIX_INVALID');
    expect(enc(send, { firstInputTxid: 'xyz' })).toBe('TXID_INVALID');
    expect(enc({ ...send, type: 'issuance' })).toBe('INVALID_ARGUMENT');
    expect(enc(null)).toBe('INVALID_ARGUMENT');
    const enhancedSend = { ...send, type: 'enhanced', destination: TESTNET_ADDRESS };
    expect(enc(enhancedSend, { network: 'testnet', layout: 'json' })).toBe('INVALID_ARGUMENT');
    expect(enc(enhancedSend, { network: 'signet' })).toBe('INVALID_ARGUMENT');
  });

  it('packs short addresses in both formats', () => {
    expect(bytesToHex(packShortAddress(TESTNET_ADDRESS, 'testnet'))).toBe(`6f${bytesToHex(HASH)}`);
    expect(bytesToHex(packShortAddress(TESTNET_ADDRESS, 'regtest', 'typed'))).toBe(
      `01${bytesToHex(HASH)}`,
    );
  });

  it('fills 80 bytes exactly and refuses one more', () => {
    const send = {
      type: 'enhanced',
      asset: `A${2n ** 64n - 1n}`,
      quantity: MAX_QUANTITY,
      destination: TESTNET_ADDRESS,
      memo: new Uint8Array(34).fill(0xff),
    } as const;
    const options = { network: 'testnet', layout: 'legacy' } as const;
    // 8 prefix + 1 type + 8 asset + 8 quantity + 21 address + 34 memo = 80.
    expect(encodeCounterpartySend(send, { ...options, firstInputTxid: txid })).toHaveLength(80);
    expect(enc(send, { ...options, shortTypeId: false })).toBe('DATA_TOO_LONG');
    // CBOR heads cost 6 bytes more: 28 bytes of memo is the most that fits.
    const cbor = { ...options, layout: 'cbor' } as const;
    const fits = { ...send, memo: new Uint8Array(28) };
    expect(encodeCounterpartySend(fits, { ...cbor, firstInputTxid: txid })).toHaveLength(80);
    expect(enc({ ...send, memo: new Uint8Array(29) }, cbor)).toBe('DATA_TOO_LONG');
    expect(encodeCbor({ type: 'bytes', value: new Uint8Array(0) })).toEqual(Uint8Array.of(0x40));
  });
});
