/**
 * The direct transaction coder against `@scure/btc-signer`'s `RawTx`, which it replaces on the
 * common path: the same bytes for every legacy transaction, the same fields or the same refusal
 * for any bytes, and legacy sighashes and virtual sizes equal to those computed through `RawTx`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { RawTx } from '@scure/btc-signer/script.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesToHex, concatBytes } from '../../src/bytes.js';
import {
  type TxData,
  decodeTransaction,
  decodeWithRawTx,
  encodeTransaction,
  virtualSizeOf,
} from '../../src/transactions/raw-transaction.js';
import { SIGHASH_ALL, legacySighash } from '../../src/transactions/signatures.js';
import { decodeWire, encodeWire, wireLength } from '../../src/transactions/wire-coder.js';
import { propertyConfig } from '../support/property-config.js';

/** A script of any length up to 300 bytes, so that one- and three-byte length prefixes occur. */
const script = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8Array({ minLength: 250, maxLength: 300 }),
);

const legacyTx: fc.Arbitrary<TxData> = fc.record({
  version: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  inputs: fc.array(
    fc.record({
      txid: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      index: fc.integer({ min: 0, max: 0xffffffff }),
      scriptSig: script,
      sequence: fc.integer({ min: 0, max: 0xffffffff }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  outputs: fc.array(fc.record({ value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), script }), {
    maxLength: 4,
  }),
  lockTime: fc.integer({ min: 0, max: 0xffffffff }),
});

/** What `RawTx` alone makes of a transaction (the coder before the direct path). */
function rawTxEncode(tx: TxData): Uint8Array {
  return RawTx.encode({
    version: tx.version,
    segwitFlag: false,
    inputs: tx.inputs.map((i) => ({
      txid: i.txid,
      index: i.index,
      finalScriptSig: i.scriptSig,
      sequence: i.sequence,
    })),
    outputs: tx.outputs.map((o) => ({ amount: o.value, script: o.script })),
    witnesses: undefined,
    lockTime: tx.lockTime,
  });
}

/** What `RawTx` alone decodes from bytes, as `decodeTransaction` reported it; or its refusal. */
function rawTxDecode(raw: Uint8Array): TxData | 'refused' {
  try {
    return decodeWithRawTx(raw);
  } catch {
    return 'refused';
  }
}

function decodeOrRefuse(raw: Uint8Array): TxData | 'refused' {
  try {
    return decodeTransaction(raw);
  } catch {
    return 'refused';
  }
}

/** Bytes near a valid transaction: truncated, extended or with a byte changed. */
const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc
    .tuple(legacyTx, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 }))
    .map(([tx, at, byte, how]) => {
      const raw = rawTxEncode(tx);
      const i = at % raw.length;
      if (how === 0) return raw.subarray(0, i);
      if (how === 1) return concatBytes(raw, Uint8Array.of(byte));
      const changed = Uint8Array.from(raw);
      changed[i] = byte;
      return changed;
    }),
);

describe('direct transaction coder', () => {
  test('encodes every legacy transaction to the bytes of RawTx, and decodes them back', () => {
    fc.assert(
      fc.property(legacyTx, (tx) => {
        const expected = rawTxEncode(tx);
        expect(bytesToHex(encodeWire(tx)!)).toBe(bytesToHex(expected));
        expect(wireLength(tx)).toBe(expected.length);
        expect(bytesToHex(encodeTransaction(tx))).toBe(bytesToHex(expected));
        expect(virtualSizeOf(tx)).toBe(expected.length);
        expect(decodeTransaction(expected)).toEqual(rawTxDecode(expected));
      }),
      propertyConfig('wire coder: legacy round trip', 300),
    );
  });

  test('decodes any bytes to the fields RawTx reads, or refuses them as RawTx does', () => {
    fc.assert(
      fc.property(hostileBytes, (raw) => {
        const wire = decodeWire(raw);
        const reference = rawTxDecode(raw);
        // The direct path never accepts what RawTx refuses; it may leave a case to RawTx.
        if (wire !== null) expect({ ...wire, witnesses: undefined }).toEqual(reference);
        expect(decodeOrRefuse(raw)).toEqual(reference);
      }),
      propertyConfig('wire coder: hostile bytes', 500),
    );
  });

  test('legacy sighash equals the hash of the RawTx serialization with the script swapped in', () => {
    fc.assert(
      fc.property(legacyTx, script, fc.nat(), (tx, code, at) => {
        const index = at % tx.inputs.length;
        const stripped: TxData = {
          ...tx,
          inputs: tx.inputs.map((input, i) => ({
            ...input,
            scriptSig: i === index ? code : new Uint8Array(0),
          })),
        };
        const preimage = concatBytes(rawTxEncode(stripped), Uint8Array.of(SIGHASH_ALL, 0, 0, 0));
        expect(bytesToHex(legacySighash(tx, index, code))).toBe(
          bytesToHex(sha256(sha256(preimage))),
        );
      }),
      propertyConfig('wire coder: legacy sighash', 200),
    );
  });

  test('leaves out-of-range fields to RawTx, which refuses them as before', () => {
    const base: TxData = {
      version: 2,
      inputs: [{ txid: new Uint8Array(32), index: 0, scriptSig: new Uint8Array(0), sequence: 0 }],
      outputs: [{ value: 1n, script: new Uint8Array(0) }],
      lockTime: 0,
    };
    const bad: TxData[] = [
      { ...base, version: 2 ** 31 },
      { ...base, lockTime: -1 },
      { ...base, outputs: [{ value: -1n, script: new Uint8Array(0) }] },
      { ...base, outputs: [{ value: 1n << 64n, script: new Uint8Array(0) }] },
      { ...base, inputs: [{ ...base.inputs[0]!, txid: new Uint8Array(31) }] },
      { ...base, inputs: [{ ...base.inputs[0]!, index: 2 ** 32 }] },
    ];
    for (const tx of bad) {
      expect(encodeWire(tx)).toBeNull();
      expect(() => encodeTransaction(tx)).toThrow();
    }
  });
});
