/**
 * The memos behind script parsing and P2SH hashing: what a caller gets is its own copy (changing
 * it changes nothing for the next caller), refusals are not remembered, and an old entry is
 * forgotten beyond the bound.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import { hash160 } from '../../src/scripts/hash.js';
import { BoundedMemo, bytesKey } from '../../src/scripts/memo.js';
import {
  buildCommitScript,
  buildDepositScript,
  p2shOutputScript,
  parseCommitScript,
  parseDepositScript,
} from '../../src/scripts/index.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { expectScriptError, filled } from './helpers.js';

const payerPubkey = publicKeyOf(filled(32, 0x11));
const payeePubkey = publicKeyOf(filled(32, 0x22));
const spendSecretHash = filled(20, 0x33);
const revokeSecretHash = filled(20, 0x44);

describe('script memos', () => {
  it('hands every caller its own copy of a parsed deposit script', () => {
    const script = buildDepositScript({
      payerPubkey,
      payeePubkey,
      spendSecretHash,
      expireTime: 40,
    });
    const first = parseDepositScript(script);
    first.payerPubkey.fill(0);
    first.spendSecretHash.fill(0);
    const second = parseDepositScript(script);
    expect(bytesToHex(second.payerPubkey)).toBe(bytesToHex(payerPubkey));
    expect(bytesToHex(second.spendSecretHash)).toBe(bytesToHex(spendSecretHash));
    expect(second.expireTime).toBe(40);
  });

  it('hands every caller its own copy of a parsed commit script', () => {
    const fields = { payerPubkey, payeePubkey, spendSecretHash, revokeSecretHash, delayTime: 5 };
    const script = buildCommitScript(fields);
    parseCommitScript(script).revokeSecretHash.fill(0);
    expect(bytesToHex(parseCommitScript(script).revokeSecretHash)).toBe(
      bytesToHex(revokeSecretHash),
    );
  });

  it('parses the script it is given, not one it saw before in the same array', () => {
    const script = buildDepositScript({
      payerPubkey,
      payeePubkey,
      spendSecretHash,
      expireTime: 40,
    });
    expect(parseDepositScript(script).expireTime).toBe(40);
    // The same array, changed in place into an invalid script: refused, not answered from memory.
    script[0] = 0x00;
    expectScriptError(() => parseDepositScript(script), 'SCRIPT_TEMPLATE_MISMATCH');
    expectScriptError(() => parseDepositScript(script), 'SCRIPT_TEMPLATE_MISMATCH');
  });

  it('gives P2SH output scripts as copies, equal to the hash of the redeem script', () => {
    const redeem = Uint8Array.of(0x51);
    p2shOutputScript(redeem).fill(0);
    const out = p2shOutputScript(redeem);
    expect(bytesToHex(out)).toBe(`a914${bytesToHex(hash160(redeem))}87`);
  });

  it('keys bytes exactly and forgets the oldest entry beyond its bound', () => {
    expect(bytesKey(Uint8Array.of(1, 2))).not.toBe(bytesKey(Uint8Array.of(1, 2, 0)));
    expect(bytesKey(new Uint8Array(2000))).toBeNull();
    const memo = new BoundedMemo<number>(2);
    memo.set('a', 1);
    memo.set('b', 2);
    memo.set('c', 3);
    expect(memo.get('a')).toBeUndefined();
    expect([memo.get('b'), memo.get('c')]).toEqual([2, 3]);
    memo.set(null, 4);
    expect(memo.get(null)).toBeUndefined();
  });
});
