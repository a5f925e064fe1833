import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bytes.js';
import {
  MAX_SIGNATURE_PUSH,
  type UnlockingScript,
  buildUnlockingScript,
  parseUnlockingScript,
} from '../../src/scripts/index.js';
import { vectors } from '../support/vectors.js';
import { expectScriptError, filled, h } from './helpers.js';

const DEPOSIT_HEX = vectors.deposit.script_hex;
const COMMIT_HEX = vectors.commit.script_hex;
const DEPOSIT = h(DEPOSIT_HEX);
const COMMIT = h(COMMIT_HEX);
/** Both redeem scripts are longer than 75 bytes, so they are pushed with OP_PUSHDATA1. */
const DEPOSIT_PUSH = `4c${DEPOSIT.length.toString(16)}${DEPOSIT_HEX}`;
const COMMIT_PUSH = `4c${COMMIT.length.toString(16)}${COMMIT_HEX}`;

/** Stand-ins for DER+sighash signatures: the script layer only checks the push size. */
const SIG_A = filled(71, 0xa1);
const SIG_B = filled(72, 0xb2);
const SECRET = filled(32, 0x5e);
const A = `47${'a1'.repeat(71)}`;
const B = `48${'b2'.repeat(72)}`;
const X = `20${'5e'.repeat(32)}`;

/** Each path with the scriptSig PROTOCOL.md §4 prescribes, written out by hand. */
const PATHS: ReadonlyArray<readonly [UnlockingScript, string]> = [
  [
    { kind: 'commit', payerSignature: SIG_A, payeeSignature: SIG_B, depositScript: DEPOSIT },
    `00${A}${B}51${DEPOSIT_PUSH}`,
  ],
  [
    { kind: 'payout', payeeSignature: SIG_B, spendSecret: SECRET, commitScript: COMMIT },
    `${B}${X}51${COMMIT_PUSH}`,
  ],
  [
    { kind: 'revoke', payerSignature: SIG_A, revokeSecret: SECRET, commitScript: COMMIT },
    `${A}${X}00${COMMIT_PUSH}`,
  ],
  [
    { kind: 'change', payerSignature: SIG_A, spendSecret: SECRET, depositScript: DEPOSIT },
    `${A}${X}5100${DEPOSIT_PUSH}`,
  ],
  [{ kind: 'expire', payerSignature: SIG_A, depositScript: DEPOSIT }, `${A}0000${DEPOSIT_PUSH}`],
];

describe('the five spend paths', () => {
  it.each(PATHS)('$kind builds the PROTOCOL.md layout', (spend, scriptSigHex) => {
    expect(bytesToHex(buildUnlockingScript(spend))).toBe(scriptSigHex);
  });

  it.each(PATHS)('$kind parses back to the same parts', (spend, scriptSigHex) => {
    expect(parseUnlockingScript(h(scriptSigHex))).toEqual(spend);
  });

  it('accepts signatures of 1 and 73 bytes, the push limits', () => {
    for (const length of [1, MAX_SIGNATURE_PUSH]) {
      const spend: UnlockingScript = {
        kind: 'expire',
        payerSignature: filled(length, 0x30),
        depositScript: DEPOSIT,
      };
      expect(parseUnlockingScript(buildUnlockingScript(spend))).toEqual(spend);
    }
  });

  it('tells payout and revoke apart by the branch selector alone', () => {
    const payout = `${B}${X}51${COMMIT_PUSH}`;
    expect(parseUnlockingScript(h(payout)).kind).toBe('payout');
    expect(parseUnlockingScript(h(payout.replace(`${X}51`, `${X}00`))).kind).toBe('revoke');
  });
});

describe('building rejects bad parts', () => {
  const expire = (payerSignature: Uint8Array): UnlockingScript => ({
    kind: 'expire',
    payerSignature,
    depositScript: DEPOSIT,
  });

  it('rejects an empty or a 74-byte signature', () => {
    expectScriptError(
      () => buildUnlockingScript(expire(new Uint8Array(0))),
      'SCRIPT_INVALID_SIGNATURE_PUSH',
    );
    expectScriptError(
      () => buildUnlockingScript(expire(filled(74, 0x30))),
      'SCRIPT_INVALID_SIGNATURE_PUSH',
    );
    expectScriptError(
      () =>
        buildUnlockingScript({
          kind: 'commit',
          payerSignature: SIG_A,
          payeeSignature: filled(80, 0x30),
          depositScript: DEPOSIT,
        }),
      'SCRIPT_INVALID_SIGNATURE_PUSH',
    );
  });

  it.each([0, 31, 33, 64])('rejects a %i-byte secret', (length) => {
    expectScriptError(
      () =>
        buildUnlockingScript({
          kind: 'payout',
          payeeSignature: SIG_B,
          spendSecret: filled(length, 1),
          commitScript: COMMIT,
        }),
      'SCRIPT_INVALID_SECRET',
    );
    expectScriptError(
      () =>
        buildUnlockingScript({
          kind: 'revoke',
          payerSignature: SIG_A,
          revokeSecret: filled(length, 1),
          commitScript: COMMIT,
        }),
      'SCRIPT_INVALID_SECRET',
    );
  });

  it('rejects a redeem script of the other kind', () => {
    expectScriptError(
      () =>
        buildUnlockingScript({
          kind: 'payout',
          payeeSignature: SIG_B,
          spendSecret: SECRET,
          commitScript: DEPOSIT,
        }),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
    expectScriptError(
      () => buildUnlockingScript({ kind: 'expire', payerSignature: SIG_A, depositScript: COMMIT }),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
  });

  it('rejects an unknown spend path', () => {
    const bogus = { kind: 'steal', payerSignature: SIG_A } as unknown as UnlockingScript;
    expectScriptError(() => buildUnlockingScript(bogus), 'UNLOCKING_SCRIPT_MISMATCH');
  });
});

describe('parsing rejects malformed scriptSigs', () => {
  it.each([
    ['empty', ''],
    ['only the redeem script', DEPOSIT_PUSH],
    ['three elements', `${A}00${DEPOSIT_PUSH}`],
    ['six elements', `00${A}${B}5100${DEPOSIT_PUSH}`],
    ['OP_2 as commit selector', `00${A}${B}52${DEPOSIT_PUSH}`],
    ['commit without the leading OP_0', `51${A}${B}51${DEPOSIT_PUSH}`],
    ['payout selector OP_2', `${B}${X}52${COMMIT_PUSH}`],
    ['expire with OP_1 OP_1', `${A}5151${DEPOSIT_PUSH}`],
    ['a trailing OP_1 after the redeem script', `${A}0000${DEPOSIT_PUSH}51`],
    ['an opcode where the signature is', `510000${DEPOSIT_PUSH}`],
    ['an opcode where the redeem script is', `${A}000051`],
    ['an opcode where the spend secret is', `${B}5151${COMMIT_PUSH}`],
  ])('%s → UNLOCKING_SCRIPT_MISMATCH', (_, scriptSigHex) => {
    expectScriptError(() => parseUnlockingScript(h(scriptSigHex)), 'UNLOCKING_SCRIPT_MISMATCH');
  });

  it('rejects a 74-byte signature push', () => {
    expectScriptError(
      () => parseUnlockingScript(h(`4a${'30'.repeat(74)}0000${DEPOSIT_PUSH}`)),
      'SCRIPT_INVALID_SIGNATURE_PUSH',
    );
  });

  it('rejects a signature pushed with OP_PUSHDATA1', () => {
    expectScriptError(
      () => parseUnlockingScript(h(`4c${A}0000${DEPOSIT_PUSH}`)),
      'SCRIPT_NON_MINIMAL_PUSH',
    );
  });

  it('rejects a redeem script pushed with OP_PUSHDATA2', () => {
    const pushdata2 = `4d${DEPOSIT.length.toString(16)}00${DEPOSIT_HEX}`;
    expectScriptError(
      () => parseUnlockingScript(h(`${A}0000${pushdata2}`)),
      'SCRIPT_NON_MINIMAL_PUSH',
    );
  });

  it.each([
    ['31', `1f${'5e'.repeat(31)}`],
    ['33', `21${'5e'.repeat(33)}`],
  ])('rejects a %s-byte spend secret', (_, secretPush) => {
    expectScriptError(
      () => parseUnlockingScript(h(`${B}${secretPush}51${COMMIT_PUSH}`)),
      'SCRIPT_INVALID_SECRET',
    );
  });

  it('rejects a deposit script under a payout and a commit script under an expire', () => {
    expectScriptError(
      () => parseUnlockingScript(h(`${B}${X}51${DEPOSIT_PUSH}`)),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
    expectScriptError(
      () => parseUnlockingScript(h(`${A}0000${COMMIT_PUSH}`)),
      'SCRIPT_TEMPLATE_MISMATCH',
    );
  });

  it('rejects a redeem script with an out-of-range delay', () => {
    const bad = vectors.commit.script_hex_gt_max_sequence as string;
    expectScriptError(
      () => parseUnlockingScript(h(`${B}${X}51${`4c${(bad.length / 2).toString(16)}${bad}`}`)),
      'SCRIPT_NUMBER_OUT_OF_RANGE',
    );
  });

  it('rejects a scriptSig cut inside the redeem script push', () => {
    const full = PATHS[4]![1];
    expectScriptError(() => parseUnlockingScript(h(full.slice(0, -2))), 'SCRIPT_TRUNCATED');
  });
});
