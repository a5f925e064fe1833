import { p2sh, Script } from '@scure/btc-signer';
import { RawTx } from '@scure/btc-signer/script.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import { STANDARD_TEST_FLAGS, verifyInputWithBitcore } from '../support/bitcore-verifier.js';
import { vectors } from '../support/vectors.js';

const CLEANSTACK = 1 << 8;

type Decoded = ReturnType<typeof RawTx.decode>;

/** The output an input of `tx` spends, looked up in the fixtures' `transactions` map. */
function prevOutOf(tx: Decoded, inputIndex: number): { script: Uint8Array; value: bigint } | null {
  const input = tx.inputs[inputIndex]!;
  const prevHex = vectors.transactions[bytesToHex(input.txid)];
  if (prevHex === undefined) return null;
  const out = RawTx.decode(hexToBytes(prevHex)).outputs[input.index];
  return out === undefined ? null : { script: out.script, value: out.amount };
}

function verifyAll(raw: Uint8Array, flags?: number): ReturnType<typeof verifyInputWithBitcore> {
  const tx = RawTx.decode(raw);
  for (let i = 0; i < tx.inputs.length; i++) {
    const prev = prevOutOf(tx, i);
    if (prev === null) return { ok: false, error: `prevout of input ${i} not in fixtures` };
    const result = verifyInputWithBitcore({
      tx: raw,
      inputIndex: i,
      prevOutScript: prev.script,
      prevOutValue: prev.value,
      ...(flags === undefined ? {} : { flags }),
    });
    if (!result.ok) return result;
  }
  return { ok: true };
}

/** DER signatures (with sighash byte) pushed by a scriptSig. */
function signaturePushes(scriptSig: Uint8Array): Uint8Array[] {
  return Script.decode(scriptSig).filter(
    (op): op is Uint8Array => op instanceof Uint8Array && op.length >= 9 && op[0] === 0x30,
  );
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const SIGNED = [
  'deposit',
  'finalize_commit',
  'payout_recover',
  'revoke_recover',
  'change_recover',
  'expire_recover',
] as const;

function expectedOf(name: string): Uint8Array {
  const hexTx = vectors.sign[name]?.expected;
  if (hexTx === undefined) throw new TypeError(`fixture sign.${name} has no expected tx`);
  return hexToBytes(hexTx);
}

describe('bitcore interpreter on the reference transactions', () => {
  it.each(SIGNED)('sign.%s.expected has its prevout in the fixtures', (name) => {
    const tx = RawTx.decode(expectedOf(name));
    expect(tx.inputs.every((_, i) => prevOutOf(tx, i) !== null)).toBe(true);
  });

  it.each(SIGNED)('sign.%s.expected verifies', (name) => {
    expect(verifyAll(expectedOf(name))).toEqual({ ok: true });
  });

  it('created_commit.expected (payee slot is a placeholder) fails', () => {
    const result = verifyAll(expectedOf('created_commit'));
    expect(result.ok).toBe(false);
  });

  it.each(SIGNED)('sign.%s.expected fails with any signature byte flipped', (name) => {
    const raw = expectedOf(name);
    const tx = RawTx.decode(raw);
    let flipped = 0;
    tx.inputs.forEach((input, i) => {
      for (const sig of signaturePushes(input.finalScriptSig)) {
        // Flip a byte inside r, then the last byte of s: both must break the signature.
        for (const at of [10, sig.length - 2]) {
          const offset = indexOf(input.finalScriptSig, sig);
          const scriptSig = input.finalScriptSig.slice();
          scriptSig[offset + at]! ^= 0x01;
          const inputs = tx.inputs.map((other, j) =>
            j === i ? { ...other, finalScriptSig: scriptSig } : other,
          );
          expect(verifyAll(RawTx.encode({ ...tx, inputs })).ok).toBe(false);
          flipped++;
        }
      }
    });
    expect(flipped).toBeGreaterThan(0);
  });

  it('deposit with an extra push before its P2PKH scriptSig fails CLEANSTACK only', () => {
    const tx = RawTx.decode(expectedOf('deposit'));
    const input = tx.inputs[0]!;
    // OP_1 prepended: the signature (which does not cover the scriptSig) stays valid.
    const padded = new Uint8Array([0x51, ...input.finalScriptSig]);
    const raw = RawTx.encode({ ...tx, inputs: [{ ...input, finalScriptSig: padded }] });
    expect(verifyAll(raw)).toEqual({ ok: false, error: 'SCRIPT_ERR_CLEANSTACK' });
    expect(verifyAll(raw, STANDARD_TEST_FLAGS & ~CLEANSTACK)).toEqual({ ok: true });
  });

  it('payout_recover with nSequence lowered to 4 fails (CSV and its signature both break)', () => {
    const tx = RawTx.decode(expectedOf('payout_recover'));
    expect(tx.inputs[0]!.sequence).toBe(5);
    const lowered = RawTx.encode({ ...tx, inputs: [{ ...tx.inputs[0]!, sequence: 4 }] });
    const result = verifyAll(lowered);
    expect(result.ok).toBe(false);
  });
});

describe('bitcore interpreter enforces CHECKSEQUENCEVERIFY from the transaction', () => {
  // <5> OP_CSV OP_DROP OP_1, paid to as P2SH and spent by pushing the redeem script alone.
  const redeem = Script.encode([5, 'CHECKSEQUENCEVERIFY', 'DROP', 'OP_1']);
  const prevOutScript = p2sh({ type: 'unknown', script: redeem }).script;
  const scriptSig = Script.encode([redeem]);

  function spend(version: number, sequence: number): Uint8Array {
    return RawTx.encode({
      version,
      segwitFlag: false,
      inputs: [{ txid: new Uint8Array(32).fill(7), index: 0, finalScriptSig: scriptSig, sequence }],
      outputs: [{ amount: 1000n, script: new Uint8Array([0x6a]) }],
      witnesses: [],
      lockTime: 0,
    });
  }

  const check = (tx: Uint8Array, flags = STANDARD_TEST_FLAGS) =>
    verifyInputWithBitcore({ tx, inputIndex: 0, prevOutScript, prevOutValue: 2000n, flags });

  it('passes with nSequence 5 on version 2', () => {
    expect(check(spend(2, 5))).toEqual({ ok: true });
  });

  it('passes with a larger nSequence (6)', () => {
    expect(check(spend(2, 6))).toEqual({ ok: true });
  });

  it('fails with nSequence 4', () => {
    expect(check(spend(2, 4))).toEqual({ ok: false, error: 'SCRIPT_ERR_UNSATISFIED_LOCKTIME' });
  });

  it('fails on version 1 even with nSequence 5', () => {
    expect(check(spend(1, 5))).toEqual({ ok: false, error: 'SCRIPT_ERR_UNSATISFIED_LOCKTIME' });
  });

  it('fails with the disable flag set', () => {
    expect(check(spend(2, 0x80000005)).ok).toBe(false);
  });

  it('fails on a truncated transaction instead of throwing', () => {
    const raw = spend(2, 5);
    expect(check(raw.subarray(0, raw.length - 3)).ok).toBe(false);
  });
});
