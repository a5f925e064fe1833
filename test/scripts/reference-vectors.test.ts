import { RawTx } from '@scure/btc-signer/script.js';
import { p2pkh, TEST_NETWORK } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes } from '../../src/bytes.js';
import { activeSecp256k1Backend, useSecp256k1Backend } from '../../src/crypto/index.js';
import {
  type UnlockingScript,
  buildCommitScript,
  buildDepositScript,
  buildUnlockingScript,
  extractRevokeSecret,
  extractSpendSecret,
  hash160,
  p2shAddress,
  parseCommitScript,
  parseDepositScript,
  parseUnlockingScript,
} from '../../src/scripts/index.js';
import {
  TransactionError,
  assertValidSignature,
  completeCommit,
  privateKeyFromWif,
  publicKeyOf,
  signUnsignedP2pkhTransaction,
  signUnsignedTransaction,
} from '../../src/transactions/index.js';
import { BACKEND_NAMES } from '../crypto/backends.js';
import { vectors } from '../support/vectors.js';
import { expectScriptError, h } from './helpers.js';

/** Fixture leaves are typed `string | number`; a script field must be a hex string. */
function hexField(value: string | number | undefined): Uint8Array {
  expect(typeof value).toBe('string');
  return h(value as string);
}

/** The first input's scriptSig of a signed transaction from the fixtures. */
function firstScriptSig(rawTxHex: string): Uint8Array {
  const tx = RawTx.decode(h(rawTxHex));
  expect(tx.inputs.length).toBeGreaterThan(0);
  return tx.inputs[0]!.finalScriptSig;
}

function signCase(name: string): { input: Record<string, string>; expected: string } {
  const c = vectors.sign[name];
  expect(c?.expected, `sign.${name}.expected`).toBeTypeOf('string');
  return { input: c!.input, expected: c!.expected! };
}

describe.each(BACKEND_NAMES)('reference vectors with the %s secp256k1 backend', (backend) => {
  beforeAll(async () => {
    await useSecp256k1Backend(backend);
  });
  afterAll(async () => {
    await useSecp256k1Backend('noble');
  });

  it('runs on that backend', () => {
    expect(activeSecp256k1Backend().name).toBe(backend);
  });

  describe('deposit script vector', () => {
    const d = vectors.deposit;
    const fields = {
      payerPubkey: hexField(d.payer_pubkey),
      payeePubkey: hexField(d.payee_pubkey),
      spendSecretHash: hexField(d.spend_secret_hash),
      expireTime: d.expire_time,
    };

    it('builds to the reference bytes', () => {
      expect(bytesToHex(buildDepositScript(fields))).toBe(d.script_hex);
    });

    it('parses to the listed fields', () => {
      const parsed = parseDepositScript(h(d.script_hex));
      expect(bytesToHex(parsed.payerPubkey)).toBe(d.payer_pubkey);
      expect(bytesToHex(parsed.payeePubkey)).toBe(d.payee_pubkey);
      expect(bytesToHex(parsed.spendSecretHash)).toBe(d.spend_secret_hash);
      expect(parsed.expireTime).toBe(65535);
    });

    it('is not a commit script', () => {
      expectScriptError(() => parseCommitScript(h(d.script_hex)), 'SCRIPT_TEMPLATE_MISMATCH');
    });
  });

  describe('commit script vector', () => {
    const c = vectors.commit;
    const fields = {
      payerPubkey: hexField(c.payer_pubkey),
      payeePubkey: hexField(c.payee_pubkey),
      spendSecretHash: hexField(c.spend_secret_hash),
      revokeSecretHash: hexField(c.revoke_secret_hash),
      delayTime: c.delay_time,
    };

    it('builds to the reference bytes', () => {
      expect(bytesToHex(buildCommitScript(fields))).toBe(c.script_hex);
    });

    it('parses to the listed fields', () => {
      const parsed = parseCommitScript(h(c.script_hex));
      expect(bytesToHex(parsed.payerPubkey)).toBe(c.payer_pubkey);
      expect(bytesToHex(parsed.payeePubkey)).toBe(c.payee_pubkey);
      expect(bytesToHex(parsed.spendSecretHash)).toBe(c.spend_secret_hash);
      expect(bytesToHex(parsed.revokeSecretHash)).toBe(c.revoke_secret_hash);
      expect(parsed.delayTime).toBe(5);
    });

    it('is not a deposit script', () => {
      expectScriptError(() => parseDepositScript(h(c.script_hex)), 'SCRIPT_TEMPLATE_MISMATCH');
    });

    it('rejects a delay below the minimum (negative, pushed as f483)', () => {
      expectScriptError(
        () => parseCommitScript(hexField(c.script_hex_lt_min_sequence)),
        'SCRIPT_NUMBER_OUT_OF_RANGE',
      );
    });

    it('rejects a delay above the maximum (65536, pushed as 000001)', () => {
      expectScriptError(
        () => parseCommitScript(hexField(c.script_hex_gt_max_sequence)),
        'SCRIPT_NUMBER_OUT_OF_RANGE',
      );
    });
  });

  describe('payout vector: spend secret extraction', () => {
    const p = vectors.payout;
    const commitScript = h(p.commit_script_hex);
    const revoke = signCase('revoke_recover');

    it('extracts the spend secret from the payout transaction', () => {
      const secret = extractSpendSecret(h(p.rawtx), commitScript);
      expect(secret).not.toBeNull();
      expect(bytesToHex(secret!)).toBe(p.spend_secret);
      // The secret really is the preimage the commit script commits to.
      expect(bytesToHex(hash160(secret!))).toBe(
        bytesToHex(parseCommitScript(commitScript).spendSecretHash),
      );
    });

    it('returns null for the unrelated bad_rawtx', () => {
      expect(extractSpendSecret(h(p.bad_rawtx), commitScript)).toBeNull();
    });

    it('returns null for a revoke transaction, with the payout commit script', () => {
      expect(extractSpendSecret(h(revoke.expected), commitScript)).toBeNull();
    });

    it('returns null for a revoke transaction, with its own commit script', () => {
      expect(extractSpendSecret(h(revoke.expected), h(revoke.input.commit_script_hex!))).toBeNull();
    });

    it('returns null for garbage bytes and for an empty transaction', () => {
      expect(extractSpendSecret(h('deadbeef'), commitScript)).toBeNull();
      expect(extractSpendSecret(new Uint8Array(0), commitScript)).toBeNull();
      expect(extractSpendSecret(new Uint8Array(300).fill(0xff), commitScript)).toBeNull();
    });

    it('returns null when the payout spends a different commit script', () => {
      expect(extractSpendSecret(h(p.rawtx), h(vectors.commit.script_hex))).toBeNull();
    });

    it('returns null when the given script is not a commit script', () => {
      expect(extractSpendSecret(h(p.rawtx), h(vectors.deposit.script_hex))).toBeNull();
      expect(extractSpendSecret(h(p.rawtx), h('51'))).toBeNull();
    });
  });

  describe('revoke vector: revoke secret extraction', () => {
    const revoke = signCase('revoke_recover');
    const commitScript = h(revoke.input.commit_script_hex!);

    it('extracts the revoke secret from sign.revoke_recover.expected', () => {
      const secret = extractRevokeSecret(h(revoke.expected), commitScript);
      expect(secret).not.toBeNull();
      expect(bytesToHex(secret!)).toBe(revoke.input.revoke_secret);
      expect(bytesToHex(hash160(secret!))).toBe(vectors.commit.revoke_secret_hash);
    });

    it('returns null for a payout transaction and for garbage', () => {
      expect(
        extractRevokeSecret(h(vectors.payout.rawtx), h(vectors.payout.commit_script_hex)),
      ).toBe(null);
      expect(extractRevokeSecret(h('00'), commitScript)).toBeNull();
    });

    it('returns null for the unsigned revoke transaction (no scriptSig yet)', () => {
      expect(extractRevokeSecret(h(revoke.input.rawtx!), commitScript)).toBeNull();
    });
  });

  describe('scripts map: address keys and templates', () => {
    const outOfRange = new Set([
      vectors.commit.script_hex_lt_min_sequence,
      vectors.commit.script_hex_gt_max_sequence,
    ]);
    const entries = Object.entries(vectors.scripts);

    it('has the eight reference scripts, two of them out of range', () => {
      expect(entries.length).toBe(8);
      expect(entries.filter(([, s]) => outOfRange.has(s)).length).toBe(2);
    });

    it.each(entries)('%s is the testnet P2SH address of its script', (address, scriptHex) => {
      expect(p2shAddress(h(scriptHex), 'testnet')).toBe(address);
      expect(p2shAddress(h(scriptHex), 'regtest')).toBe(address);
    });

    it.each(entries)('%s parses as a deposit or commit script (or is out of range)', (_, s) => {
      const script = h(s);
      if (outOfRange.has(s)) {
        expectScriptError(() => parseCommitScript(script), 'SCRIPT_NUMBER_OUT_OF_RANGE');
        expectScriptError(() => parseDepositScript(script), 'SCRIPT_TEMPLATE_MISMATCH');
        return;
      }
      // Deposit scripts start `OP_IF OP_2`, commit scripts `OP_IF <delay>`.
      if (s.startsWith('6352')) {
        expect(bytesToHex(buildDepositScript(parseDepositScript(script)))).toBe(s);
      } else {
        expect(bytesToHex(buildCommitScript(parseCommitScript(script)))).toBe(s);
      }
    });
  });

  describe('commit_scriptsig vector', () => {
    const v = vectors.commit_scriptsig;
    const spend: UnlockingScript = {
      kind: 'commit',
      payerSignature: h(v.payer_sig!),
      payeeSignature: h(v.payee_sig!),
      depositScript: h(v.deposit_script_hex!),
    };

    it('builds exactly the reference scriptSig', () => {
      expect(bytesToHex(buildUnlockingScript(spend))).toBe(v.scriptsig);
    });

    it('parses back into its parts', () => {
      const parsed = parseUnlockingScript(h(v.scriptsig!));
      expect(parsed.kind).toBe('commit');
      if (parsed.kind !== 'commit') return;
      expect(bytesToHex(parsed.payerSignature)).toBe(v.payer_sig);
      expect(bytesToHex(parsed.payeeSignature)).toBe(v.payee_sig);
      expect(bytesToHex(parsed.depositScript)).toBe(v.deposit_script_hex);
    });
  });

  describe('unlocking scripts inside the signed reference transactions', () => {
    /** Which spend path each signed vector's first input takes, and its redeem script field. */
    const cases = [
      { name: 'created_commit', kind: 'commit', redeem: 'deposit_script_hex' },
      { name: 'finalize_commit', kind: 'commit', redeem: 'deposit_script_hex' },
      { name: 'payout_recover', kind: 'payout', redeem: 'commit_script_hex' },
      { name: 'revoke_recover', kind: 'revoke', redeem: 'commit_script_hex' },
      { name: 'change_recover', kind: 'change', redeem: 'deposit_script_hex' },
      { name: 'expire_recover', kind: 'expire', redeem: 'deposit_script_hex' },
    ] as const;

    it.each(cases)('$name spends by the $kind path and rebuilds byte-identically', (c) => {
      const { input, expected } = signCase(c.name);
      const scriptSig = firstScriptSig(expected);
      const parsed = parseUnlockingScript(scriptSig);
      expect(parsed.kind).toBe(c.kind);
      expect(bytesToHex(buildUnlockingScript(parsed))).toBe(bytesToHex(scriptSig));
      const redeem = 'depositScript' in parsed ? parsed.depositScript : parsed.commitScript;
      expect(bytesToHex(redeem)).toBe(input[c.redeem]);
    });

    it('the secrets in payout, revoke and change spends are the vectors’ secrets', () => {
      const payout = parseUnlockingScript(firstScriptSig(signCase('payout_recover').expected));
      const revoke = parseUnlockingScript(firstScriptSig(signCase('revoke_recover').expected));
      const change = parseUnlockingScript(firstScriptSig(signCase('change_recover').expected));
      expect(payout.kind === 'payout' && bytesToHex(payout.spendSecret)).toBe(
        signCase('payout_recover').input.spend_secret,
      );
      expect(revoke.kind === 'revoke' && bytesToHex(revoke.revokeSecret)).toBe(
        signCase('revoke_recover').input.revoke_secret,
      );
      expect(change.kind === 'change' && bytesToHex(change.spendSecret)).toBe(
        signCase('change_recover').input.spend_secret,
      );
    });

    it('the payout vector transaction is the signed payout_recover transaction', () => {
      expect(signCase('payout_recover').expected).toBe(vectors.payout.rawtx);
    });

    it('the P2PKH input of the signed deposit transaction is none of the five paths', () => {
      const scriptSig = firstScriptSig(signCase('deposit').expected);
      expectScriptError(() => parseUnlockingScript(scriptSig), 'UNLOCKING_SCRIPT_MISMATCH');
    });
  });

  describe('sign vectors: reproduced byte for byte', () => {
    const key = (wif: string) => privateKeyFromWif(wif, 'testnet');

    it('deposit (P2PKH input signed by the payer)', () => {
      const { input, expected } = signCase('deposit');
      const signed = signUnsignedP2pkhTransaction(h(input.rawtx!), key(input.payer_wif!));
      expect(bytesToHex(signed)).toBe(expected);
    });

    it('created_commit (payer signs, payee slot keeps the placeholder)', () => {
      const { input, expected } = signCase('created_commit');
      const spend = { kind: 'commit', depositScript: h(input.deposit_script_hex!) } as const;
      const signed = signUnsignedTransaction(h(input.rawtx!), spend, key(input.payer_wif!));
      expect(bytesToHex(signed)).toBe(expected);
    });

    it('finalize_commit (payee verifies the payer and completes)', () => {
      const { input, expected } = signCase('finalize_commit');
      const depositScript = h(input.deposit_script_hex!);
      const signed = completeCommit(h(input.rawtx!), depositScript, key(input.payee_wif!));
      expect(bytesToHex(signed)).toBe(expected);
    });

    it.each([
      ['revoke_recover', 'revoke', 'payer_wif'],
      ['payout_recover', 'payout', 'payee_wif'],
      ['change_recover', 'change', 'payer_wif'],
      ['expire_recover', 'expire', 'payer_wif'],
    ] as const)('%s', (name, kind, wif) => {
      const { input, expected } = signCase(name);
      const spend =
        kind === 'revoke'
          ? {
              kind,
              commitScript: h(input.commit_script_hex!),
              revokeSecret: h(input.revoke_secret!),
            }
          : kind === 'payout'
            ? {
                kind,
                commitScript: h(input.commit_script_hex!),
                spendSecret: h(input.spend_secret!),
              }
            : kind === 'change'
              ? {
                  kind,
                  depositScript: h(input.deposit_script_hex!),
                  spendSecret: h(input.spend_secret!),
                }
              : { kind, depositScript: h(input.deposit_script_hex!) };
      const signed = signUnsignedTransaction(h(input.rawtx!), spend, key(input[wif]!));
      expect(bytesToHex(signed)).toBe(expected);
    });

    it.each([
      ['finalize_commit_bad_script', 'TX_BAD_SCRIPT'],
      ['finalize_commit_unsigned', 'TX_UNSIGNED'],
      ['finalize_commit_bad_sigvalue', 'TX_BAD_SIGNATURE'],
      ['finalize_commit_bad_sigformat', 'TX_BAD_SIGNATURE_FORMAT'],
    ] as const)('%s is refused with %s', (name, code) => {
      const input = vectors.sign[name]!.input;
      let caught: unknown;
      try {
        completeCommit(h(input.rawtx!), h(input.deposit_script_hex!), key(input.payee_wif!));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TransactionError);
      expect((caught as TransactionError).code).toBe(code);
    });
  });

  describe('keys and the auth signature', () => {
    it.each(Object.entries(vectors.keys))('%s is the address of its WIF key', (address, wif) => {
      const publicKey = publicKeyOf(privateKeyFromWif(wif, 'testnet'));
      expect(p2pkh(publicKey, TEST_NETWORK).address).toBe(address);
    });

    it('auth_compatibility: the signature over the data verifies, and not over other data', () => {
      const a = vectors.auth_compatibility;
      const push = concatBytes(h(a.signature), Uint8Array.of(0x01));
      expect(() => assertValidSignature(push, h(a.data), h(a.pubkey))).not.toThrow();
      const other = h(a.data);
      other[0]! ^= 1;
      expect(() => assertValidSignature(push, other, h(a.pubkey))).toThrow('TX_BAD_SIGNATURE');
    });
  });
});
