import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  type CommitScriptFields,
  type DepositScriptFields,
  OP,
  buildCommitScript,
  buildDepositScript,
  commitBelongsToDeposit,
  parseCommitScript,
  parseDepositScript,
} from '../../src/scripts/index.js';
import { vectors } from '../support/vectors.js';
import { expectScriptError, filled, h } from './helpers.js';

/** A deterministic valid compressed key from a small private scalar. */
function keyOf(scalar: number): Uint8Array {
  const priv = new Uint8Array(32);
  priv[31] = scalar;
  return secp256k1.getPublicKey(priv, true);
}

const PAYER = keyOf(1);
const PAYEE = keyOf(2);
const OTHER = keyOf(3);
const SPEND_HASH = filled(20, 0x11);
const REVOKE_HASH = filled(20, 0x22);

const DEPOSIT: DepositScriptFields = {
  payerPubkey: PAYER,
  payeePubkey: PAYEE,
  spendSecretHash: SPEND_HASH,
  expireTime: 1000,
};
const COMMIT: CommitScriptFields = {
  payerPubkey: PAYER,
  payeePubkey: PAYEE,
  spendSecretHash: SPEND_HASH,
  revokeSecretHash: REVOKE_HASH,
  delayTime: 5,
};

const P = bytesToHex(PAYER);
const Q = bytesToHex(PAYEE);
const O = bytesToHex(OTHER);
const S = bytesToHex(SPEND_HASH);
const R = bytesToHex(REVOKE_HASH);

/** Replaceable parts of the hand-written deposit script: the payer key's three places and more. */
const DEPOSIT_PARTS = { k1: P, k2: P, k3: P, payee: Q, time: '02e803', multisig: 'ae' };

/** The deposit script written out by hand from PROTOCOL.md §3. */
function depositHex(p = DEPOSIT_PARTS): string {
  return [
    `6352 21${p.k1} 21${p.payee} 52${p.multisig}`,
    `67 63 a914${S} 88 21${p.k2} ac`,
    `67 ${p.time} b275 21${p.k3} ac`,
    '68 68',
  ]
    .join('')
    .replaceAll(' ', '');
}

describe('deposit script', () => {
  it('is exactly the PROTOCOL.md layout (payer key three times, CSV as 0xb2)', () => {
    expect(bytesToHex(buildDepositScript(DEPOSIT))).toBe(depositHex());
  });

  it('round-trips', () => {
    const parsed = parseDepositScript(h(depositHex()));
    expect(bytesToHex(parsed.payerPubkey)).toBe(P);
    expect(bytesToHex(parsed.payeePubkey)).toBe(Q);
    expect(bytesToHex(parsed.spendSecretHash)).toBe(S);
    expect(parsed.expireTime).toBe(1000);
  });

  it.each([
    [0, '00'],
    [16, '60'],
    [17, '0111'],
  ])('expire time %i is pushed as %s', (expireTime, timeHex) => {
    const script = buildDepositScript({ ...DEPOSIT, expireTime });
    expect(bytesToHex(script)).toBe(depositHex({ ...DEPOSIT_PARTS, time: timeHex }));
    expect(parseDepositScript(script).expireTime).toBe(expireTime);
  });

  it('rejects a payer key that differs in the second or third place', () => {
    for (const parts of [
      { ...DEPOSIT_PARTS, k2: O },
      { ...DEPOSIT_PARTS, k3: O },
    ]) {
      expectScriptError(() => parseDepositScript(h(depositHex(parts))), 'SCRIPT_TEMPLATE_MISMATCH');
    }
  });

  it('rejects OP_CHECKSIG in place of OP_CHECKMULTISIG', () => {
    expectScriptError(
      () => parseDepositScript(h(depositHex({ ...DEPOSIT_PARTS, multisig: 'ac' }))),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
  });

  it('rejects OP_CHECKLOCKTIMEVERIFY in place of OP_CHECKSEQUENCEVERIFY', () => {
    const script = depositHex().replace('02e803b275', '02e803b175');
    expectScriptError(() => parseDepositScript(h(script)), 'SCRIPT_TEMPLATE_MISMATCH');
  });

  it('rejects an extra opcode inside the script', () => {
    const script = depositHex().replace('02e803b275', '02e803b27575');
    expectScriptError(() => parseDepositScript(h(script)), 'SCRIPT_TEMPLATE_MISMATCH');
  });

  it('rejects a missing OP_ENDIF and a trailing one', () => {
    const full = depositHex();
    expectScriptError(() => parseDepositScript(h(full.slice(0, -2))), 'SCRIPT_TRUNCATED');
    expectScriptError(() => parseDepositScript(h(`${full}68`)), 'SCRIPT_TRAILING_BYTES');
  });

  it('rejects a payee key pushed with OP_PUSHDATA1', () => {
    expectScriptError(
      () => parseDepositScript(h(depositHex().replace(`21${Q}`, `4c21${Q}`))),
      'SCRIPT_NON_MINIMAL_PUSH',
    );
  });

  it('rejects building with invalid fields', () => {
    expectScriptError(
      () => buildDepositScript({ ...DEPOSIT, payerPubkey: PAYER.subarray(1) }),
      'SCRIPT_INVALID_PUBKEY',
    );
    expectScriptError(
      () =>
        buildDepositScript({
          ...DEPOSIT,
          payeePubkey: secp256k1.getPublicKey(new Uint8Array(32).fill(7), false),
        }),
      'SCRIPT_INVALID_PUBKEY',
    );
    expectScriptError(
      () => buildDepositScript({ ...DEPOSIT, spendSecretHash: filled(32, 1) }),
      'SCRIPT_INVALID_HASH_LENGTH',
    );
    expectScriptError(
      () => buildDepositScript({ ...DEPOSIT, expireTime: 65536 }),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
    expectScriptError(
      () => buildDepositScript({ ...DEPOSIT, expireTime: -1 }),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
  });
});

describe('commit script', () => {
  const commitHex = (time = '55') => `63${time}b275a914${S}8821${Q}ac67a914${R}8821${P}ac68`;

  it('is exactly the PROTOCOL.md layout', () => {
    expect(bytesToHex(buildCommitScript(COMMIT))).toBe(commitHex());
  });

  it('round-trips, keeping payer and payee apart', () => {
    const parsed = parseCommitScript(h(commitHex()));
    expect(bytesToHex(parsed.payerPubkey)).toBe(P);
    expect(bytesToHex(parsed.payeePubkey)).toBe(Q);
    expect(bytesToHex(parsed.spendSecretHash)).toBe(S);
    expect(bytesToHex(parsed.revokeSecretHash)).toBe(R);
    expect(parsed.delayTime).toBe(5);
  });

  it('accepts the largest delay 65535 and rejects 65536', () => {
    expect(parseCommitScript(h(commitHex('03ffff00'))).delayTime).toBe(65535);
    expectScriptError(
      () => parseCommitScript(h(commitHex('03000001'))),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
  });

  it('rejects 5 pushed as data (0105)', () => {
    expectScriptError(() => parseCommitScript(h(commitHex('0105'))), 'SCRIPT_NON_MINIMAL_NUMBER');
  });

  it('rejects the branches swapped (OP_NOTIF)', () => {
    expectScriptError(
      () => parseCommitScript(h(`64${commitHex().slice(2)}`)),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
  });

  it('rejects OP_EQUAL in place of OP_EQUALVERIFY', () => {
    const script = commitHex().replace(`${R}88`, `${R}87`);
    expectScriptError(() => parseCommitScript(h(script)), 'SCRIPT_TEMPLATE_MISMATCH');
  });

  it('rejects a hash of the wrong length', () => {
    const script = commitHex().replace(`14${R}`, `15${R}00`);
    expectScriptError(() => parseCommitScript(h(script)), 'SCRIPT_INVALID_HASH_LENGTH');
  });

  it('rejects building with a bad revoke hash or delay', () => {
    expectScriptError(
      () => buildCommitScript({ ...COMMIT, revokeSecretHash: new Uint8Array(0) }),
      'SCRIPT_INVALID_HASH_LENGTH',
    );
    expectScriptError(
      () => buildCommitScript({ ...COMMIT, delayTime: 2.5 }),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
  });

  it('never confuses opcode constants: OP_CHECKSEQUENCEVERIFY is 0xb2', () => {
    expect(OP.OP_CHECKSEQUENCEVERIFY).toBe(0xb2);
    expect(buildCommitScript(COMMIT)[2]).toBe(0xb2);
  });
});

describe('commitBelongsToDeposit', () => {
  const deposit = buildDepositScript(DEPOSIT);

  it('is true for a commit with the same payer, payee and spend hash', () => {
    expect(commitBelongsToDeposit(buildCommitScript(COMMIT), deposit)).toBe(true);
  });

  it('ignores the revoke hash and the delay, which are per commit', () => {
    const commit = buildCommitScript({
      ...COMMIT,
      revokeSecretHash: filled(20, 0x99),
      delayTime: 0,
    });
    expect(commitBelongsToDeposit(commit, deposit)).toBe(true);
  });

  it.each([
    ['payer key', { payerPubkey: OTHER }],
    ['payee key', { payeePubkey: OTHER }],
    ['spend secret hash', { spendSecretHash: filled(20, 0x12) }],
    ['payer and payee swapped', { payerPubkey: PAYEE, payeePubkey: PAYER }],
  ])('is false when the %s differs', (_, change) => {
    expect(commitBelongsToDeposit(buildCommitScript({ ...COMMIT, ...change }), deposit)).toBe(
      false,
    );
  });

  it('is false for the reference commit against the reference deposit (other keys)', () => {
    expect(
      commitBelongsToDeposit(h(vectors.commit.script_hex), h(vectors.deposit.script_hex)),
    ).toBe(false);
  });

  it('is false, not an exception, for garbage or swapped arguments', () => {
    const commit = buildCommitScript(COMMIT);
    expect(commitBelongsToDeposit(h('deadbeef'), deposit)).toBe(false);
    expect(commitBelongsToDeposit(commit, h('deadbeef'))).toBe(false);
    expect(commitBelongsToDeposit(new Uint8Array(0), new Uint8Array(0))).toBe(false);
    expect(commitBelongsToDeposit(deposit, commit)).toBe(false);
    expect(commitBelongsToDeposit(commit, commit)).toBe(false);
  });
});
