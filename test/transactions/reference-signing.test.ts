import { describe, expect, test } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import {
  TransactionError,
  completeCommit,
  privateKeyFromWif,
  signUnsignedP2pkhTransaction,
  signUnsignedTransaction,
} from '../../src/transactions/index.js';
import { vectors } from '../support/vectors.js';

const sign = vectors.sign;
const input = (name: string) => sign[name]!.input as Record<string, string>;
const key = (wif: string) => privateKeyFromWif(wif, 'testnet');
const h = hexToBytes;

describe('reference sign vectors are reproduced byte for byte', () => {
  test('deposit (P2PKH input signed by the payer)', () => {
    const i = input('deposit');
    expect(bytesToHex(signUnsignedP2pkhTransaction(h(i.rawtx!), key(i.payer_wif!)))).toBe(
      sign.deposit!.expected,
    );
  });

  test('created_commit (payer signs, payee slot keeps the placeholder)', () => {
    const i = input('created_commit');
    const signed = signUnsignedTransaction(
      h(i.rawtx!),
      { kind: 'commit', depositScript: h(i.deposit_script_hex!) },
      key(i.payer_wif!),
    );
    expect(bytesToHex(signed)).toBe(sign.created_commit!.expected);
  });

  test('finalize_commit (payee completes the payer-signed commit)', () => {
    const i = input('finalize_commit');
    expect(
      bytesToHex(completeCommit(h(i.rawtx!), h(i.deposit_script_hex!), key(i.payee_wif!))),
    ).toBe(sign.finalize_commit!.expected);
  });

  test('revoke_recover', () => {
    const i = input('revoke_recover');
    const spend = {
      kind: 'revoke',
      commitScript: h(i.commit_script_hex!),
      revokeSecret: h(i.revoke_secret!),
    } as const;
    expect(bytesToHex(signUnsignedTransaction(h(i.rawtx!), spend, key(i.payer_wif!)))).toBe(
      sign.revoke_recover!.expected,
    );
  });

  test('payout_recover', () => {
    const i = input('payout_recover');
    const spend = {
      kind: 'payout',
      commitScript: h(i.commit_script_hex!),
      spendSecret: h(i.spend_secret!),
    } as const;
    expect(bytesToHex(signUnsignedTransaction(h(i.rawtx!), spend, key(i.payee_wif!)))).toBe(
      sign.payout_recover!.expected,
    );
  });

  test('change_recover', () => {
    const i = input('change_recover');
    const spend = {
      kind: 'change',
      depositScript: h(i.deposit_script_hex!),
      spendSecret: h(i.spend_secret!),
    } as const;
    expect(bytesToHex(signUnsignedTransaction(h(i.rawtx!), spend, key(i.payer_wif!)))).toBe(
      sign.change_recover!.expected,
    );
  });

  test('expire_recover', () => {
    const i = input('expire_recover');
    const spend = { kind: 'expire', depositScript: h(i.deposit_script_hex!) } as const;
    expect(bytesToHex(signUnsignedTransaction(h(i.rawtx!), spend, key(i.payer_wif!)))).toBe(
      sign.expire_recover!.expected,
    );
  });
});

describe('negative finalize vectors are refused with the matching typed error', () => {
  const cases = [
    ['finalize_commit_bad_script', 'TX_BAD_SCRIPT'],
    ['finalize_commit_unsigned', 'TX_UNSIGNED'],
    ['finalize_commit_bad_sigvalue', 'TX_BAD_SIGNATURE'],
    ['finalize_commit_bad_sigformat', 'TX_BAD_SIGNATURE_FORMAT'],
  ] as const;
  test.each(cases)('%s → %s', (name, code) => {
    const i = input(name);
    let caught: unknown;
    try {
      completeCommit(h(i.rawtx!), h(i.deposit_script_hex!), key(i.payee_wif!));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TransactionError);
    expect((caught as TransactionError).code).toBe(code);
  });
});
