import { describe, expect, it } from 'vitest';
import { PicopaymentsError } from '../../src/errors.js';
import {
  type NetworkName,
  ScriptError,
  type ScriptErrorCode,
  type UnlockingScript,
  buildUnlockingScript,
  decodeScriptNumber,
  p2shAddress,
  parseCommitScript,
  parseDepositScript,
  parseUnlockingScript,
  secretHash,
} from '../../src/scripts/index.js';
import { vectors } from '../support/vectors.js';
import { SCRIPT_ERROR_CODES, expectScriptError, filled, h } from './helpers.js';

const DEPOSIT_HEX = vectors.deposit.script_hex;
const PAYEE_HEX = vectors.deposit.payee_pubkey as string;

/**
 * One malformed input per error code, through the public API. Typed as a record over the
 * code union, so a new code without a triggering input fails to compile.
 */
const TRIGGERS: Record<ScriptErrorCode, () => unknown> = {
  SCRIPT_TRUNCATED: () => parseDepositScript(h(DEPOSIT_HEX.slice(0, -2))),
  SCRIPT_TRAILING_BYTES: () => parseDepositScript(h(`${DEPOSIT_HEX}68`)),
  SCRIPT_TEMPLATE_MISMATCH: () => parseCommitScript(h(DEPOSIT_HEX)),
  SCRIPT_NON_MINIMAL_PUSH: () =>
    parseDepositScript(h(DEPOSIT_HEX.replace(`21${PAYEE_HEX}`, `4c21${PAYEE_HEX}`))),
  SCRIPT_NON_MINIMAL_NUMBER: () => decodeScriptNumber(h('0100')),
  SCRIPT_NUMBER_OUT_OF_RANGE: () =>
    parseCommitScript(h(vectors.commit.script_hex_gt_max_sequence as string)),
  SCRIPT_INVALID_PUBKEY: () =>
    parseDepositScript(h(DEPOSIT_HEX.replace(PAYEE_HEX, `02${'00'.repeat(31)}05`))),
  SCRIPT_INVALID_HASH_LENGTH: () =>
    parseDepositScript(
      h(DEPOSIT_HEX.replace(`14${vectors.deposit.spend_secret_hash}`, `13${'00'.repeat(19)}`)),
    ),
  SCRIPT_INVALID_SECRET: () => secretHash(filled(16, 1)),
  SCRIPT_INVALID_SIGNATURE_PUSH: () => {
    const spend: UnlockingScript = {
      kind: 'expire',
      payerSignature: filled(74, 0x30),
      depositScript: h(DEPOSIT_HEX),
    };
    return buildUnlockingScript(spend);
  },
  SCRIPT_TOO_LARGE: () => p2shAddress(filled(600, 0x61), 'testnet'),
  UNLOCKING_SCRIPT_MISMATCH: () => parseUnlockingScript(h('51')),
  UNKNOWN_NETWORK: () => p2shAddress(h(DEPOSIT_HEX), 'simnet' as NetworkName),
};

describe('every ScriptErrorCode is produced by some malformed input', () => {
  it('the trigger table covers the whole code union', () => {
    expect(new Set(Object.keys(TRIGGERS))).toEqual(SCRIPT_ERROR_CODES);
    expect(SCRIPT_ERROR_CODES.size).toBe(13);
  });

  it.each(Object.entries(TRIGGERS))('%s', (code, trigger) => {
    const error = expectScriptError(trigger, code as ScriptErrorCode);
    expect(error).toBeInstanceOf(PicopaymentsError);
    expect(error).toBeInstanceOf(ScriptError);
    expect(error.name).toBe('ScriptError');
    expect(error.message.startsWith(`${code}: `)).toBe(true);
  });
});
