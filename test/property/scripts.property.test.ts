import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ScriptNum } from '@scure/btc-signer';
import { RawTx } from '@scure/btc-signer/script.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, equalBytes } from '../../src/bytes.js';
import {
  type CommitScriptFields,
  type DepositScriptFields,
  ScriptError,
  type UnlockingScript,
  buildCommitScript,
  buildDepositScript,
  buildUnlockingScript,
  decodeScriptNumber,
  encodeScriptNumber,
  extractRevokeSecret,
  extractSpendSecret,
  hash160,
  parseCommitScript,
  parseDepositScript,
  parseUnlockingScript,
} from '../../src/scripts/index.js';
import { SCRIPT_ERROR_CODES } from '../scripts/helpers.js';
import { propertyConfig } from '../support/property-config.js';

// ---------------------------------------------------------------------------------------------
// Arbitraries. Keys come from fast-check bytes (not a CSPRNG) so a seed replays a failure.
// ---------------------------------------------------------------------------------------------

const pubkey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((priv) => secp256k1.utils.isValidSecretKey(priv))
  .map((priv) => secp256k1.getPublicKey(priv, true));

const hash20 = fc.uint8Array({ minLength: 20, maxLength: 20 });
const secret32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Relative times with the encoding boundaries (OP_16/17, sign-byte steps) drawn often. */
const relativeTime = fc.oneof(
  fc.constantFrom(0, 1, 16, 17, 127, 128, 255, 256, 32767, 32768, 65535),
  fc.integer({ min: 0, max: 65535 }),
);

const depositFields: fc.Arbitrary<DepositScriptFields> = fc.record({
  payerPubkey: pubkey,
  payeePubkey: pubkey,
  spendSecretHash: hash20,
  expireTime: relativeTime,
});

const commitFields: fc.Arbitrary<CommitScriptFields> = fc.record({
  payerPubkey: pubkey,
  payeePubkey: pubkey,
  spendSecretHash: hash20,
  revokeSecretHash: hash20,
  delayTime: relativeTime,
});

/** Any pushable signature size; DER validity is the transaction layer's concern. */
const signature = fc.uint8Array({ minLength: 1, maxLength: 73 });
const depositScript = depositFields.map(buildDepositScript);
const commitScript = commitFields.map(buildCommitScript);

const unlocking: fc.Arbitrary<UnlockingScript> = fc.oneof(
  fc.record({
    kind: fc.constant('commit' as const),
    payerSignature: signature,
    payeeSignature: signature,
    depositScript,
  }),
  fc.record({
    kind: fc.constant('payout' as const),
    payeeSignature: signature,
    spendSecret: secret32,
    commitScript,
  }),
  fc.record({
    kind: fc.constant('revoke' as const),
    payerSignature: signature,
    revokeSecret: secret32,
    commitScript,
  }),
  fc.record({
    kind: fc.constant('change' as const),
    payerSignature: signature,
    spendSecret: secret32,
    depositScript,
  }),
  fc.record({ kind: fc.constant('expire' as const), payerSignature: signature, depositScript }),
);

/** Replacement bytes for mutations, one per position (longest script is well under 512). */
const noise = fc.uint8Array({ minLength: 512, maxLength: 512 });

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A comparable text form of parsed fields: bytes as hex, numbers as numbers. */
function fieldsKey(fields: object): string {
  return JSON.stringify(fields, (_, value) =>
    value instanceof Uint8Array ? bytesToHex(value) : value,
  );
}

/**
 * Every single-byte change (to a different value), every truncation and 1..3-byte extensions
 * of `script`. Replacement values come from `bytes` so the run is replayable.
 */
function* mutants(script: Uint8Array, bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < script.length; i++) {
    const changed = Uint8Array.from(script);
    // Maps 0..255 onto the 255 values other than the original byte.
    changed[i] = (script[i]! + 1 + (bytes[i % bytes.length]! % 255)) % 256;
    yield changed;
  }
  for (let length = 0; length < script.length; length++) yield script.subarray(0, length);
  for (let extra = 1; extra <= 3; extra++) {
    const extended = new Uint8Array(script.length + extra);
    extended.set(script);
    extended.set(bytes.subarray(0, extra), script.length);
    yield extended;
  }
}

/**
 * Requires that `parse(mutant)` either throws a {@link ScriptError} with a known code, or
 * returns fields different from `original` that rebuild to exactly the mutant.
 */
function checkMutant<T extends object>(
  parse: (bytes: Uint8Array) => T,
  build: (fields: T) => Uint8Array,
  original: T,
  mutant: Uint8Array,
): void {
  let parsed: T;
  try {
    parsed = parse(mutant);
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    if (!SCRIPT_ERROR_CODES.has(error.code)) throw new Error(`unknown code ${error.code}`);
    return;
  }
  if (fieldsKey(parsed) === fieldsKey(original)) {
    throw new Error(`mutant ${bytesToHex(mutant)} parses to the original fields`);
  }
  if (!equalBytes(build(parsed), mutant)) {
    throw new Error(`mutant ${bytesToHex(mutant)} parses but does not rebuild to itself`);
  }
}

/** Runs `parse` on arbitrary bytes: it may succeed (then it must round-trip) or throw ScriptError. */
function onlyScriptError<T extends object>(
  parse: (bytes: Uint8Array) => T,
  build: (fields: T) => Uint8Array,
  bytes: Uint8Array,
): void {
  try {
    const parsed = parse(bytes);
    expect(bytesToHex(build(parsed))).toBe(bytesToHex(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptError);
    expect(SCRIPT_ERROR_CODES.has((error as ScriptError).code)).toBe(true);
  }
}

/** A version-2 transaction whose inputs carry the given scriptSigs. */
function txWithScriptSigs(scriptSigs: readonly Uint8Array[]): Uint8Array {
  return RawTx.encode({
    version: 2,
    segwitFlag: false,
    inputs: scriptSigs.map((finalScriptSig, index) => ({
      txid: new Uint8Array(32).fill(index + 1),
      index,
      finalScriptSig,
      sequence: 5,
    })),
    outputs: [{ amount: 5430n, script: Uint8Array.of(0x51) }],
    witnesses: undefined,
    lockTime: 0,
  });
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('redeem scripts: build and parse are inverse', () => {
  it('deposit scripts round-trip', () => {
    fc.assert(
      fc.property(depositFields, (fields) => {
        const script = buildDepositScript(fields);
        expect(fieldsKey(parseDepositScript(script))).toBe(fieldsKey(fields));
        expect(() => parseCommitScript(script)).toThrow(ScriptError);
      }),
      propertyConfig('scripts: deposit round trip', 300),
    );
  });

  it('commit scripts round-trip', () => {
    fc.assert(
      fc.property(commitFields, (fields) => {
        const script = buildCommitScript(fields);
        expect(fieldsKey(parseCommitScript(script))).toBe(fieldsKey(fields));
        expect(() => parseDepositScript(script)).toThrow(ScriptError);
      }),
      propertyConfig('scripts: commit round trip', 300),
    );
  });
});

describe('script numbers', () => {
  const MAX = 2 ** 31 - 1;

  it('encode/decode round-trip over ±(2^31-1), minimally and as @scure/btc-signer does', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -MAX, max: MAX }),
          // Powers of two and their neighbours, where the sign byte appears or not.
          fc
            .tuple(fc.integer({ min: 0, max: 30 }), fc.constantFrom(-1, 0, 1), fc.boolean())
            // `+ 0` turns -0 (from -(2^0 - 1)) into 0: CScriptNum has no negative zero.
            .map(([exp, delta, negative]) => (negative ? -1 : 1) * (2 ** exp + delta) + 0),
        ),
        (value) => {
          const bytes = encodeScriptNumber(value);
          expect(decodeScriptNumber(bytes)).toBe(value);
          expect(bytes.length).toBeLessThanOrEqual(4);
          expect(bytesToHex(bytes)).toBe(bytesToHex(ScriptNum().encode(BigInt(value))));
        },
      ),
      propertyConfig('scripts: script number round trip', 500),
    );
  });

  it('decoding any 0..4 bytes either fails as non-minimal or re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4 }), (bytes) => {
        let value: number;
        try {
          value = decodeScriptNumber(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ScriptError);
          expect((error as ScriptError).code).toBe('SCRIPT_NON_MINIMAL_NUMBER');
          return;
        }
        expect(bytesToHex(encodeScriptNumber(value))).toBe(bytesToHex(bytes));
      }),
      propertyConfig('scripts: script number canonical decode', 500),
    );
  });
});

/**
 * Each run of a mutation property walks every byte position of one script (several hundred
 * parses), so these properties use tens of runs rather than hundreds to stay within the budget.
 */
describe('mutated scripts are rejected or mean something else', () => {
  it('every byte change, truncation and extension of a deposit script', () => {
    fc.assert(
      fc.property(depositFields, noise, (fields, bytes) => {
        const script = buildDepositScript(fields);
        for (const mutant of mutants(script, bytes)) {
          checkMutant(parseDepositScript, buildDepositScript, fields, mutant);
        }
      }),
      propertyConfig('scripts: deposit mutations', 25),
    );
  });

  it('every byte change, truncation and extension of a commit script', () => {
    fc.assert(
      fc.property(commitFields, noise, (fields, bytes) => {
        const script = buildCommitScript(fields);
        for (const mutant of mutants(script, bytes)) {
          checkMutant(parseCommitScript, buildCommitScript, fields, mutant);
        }
      }),
      propertyConfig('scripts: commit mutations', 30),
    );
  });

  it('unlocking scripts of all five paths round-trip', () => {
    fc.assert(
      fc.property(unlocking, (spend) => {
        const scriptSig = buildUnlockingScript(spend);
        expect(fieldsKey(parseUnlockingScript(scriptSig))).toBe(fieldsKey(spend));
      }),
      propertyConfig('scripts: unlocking round trip', 300),
    );
  });

  it('every byte change, truncation and extension of an unlocking script', () => {
    fc.assert(
      fc.property(unlocking, noise, (spend, bytes) => {
        const scriptSig = buildUnlockingScript(spend);
        for (const mutant of mutants(scriptSig, bytes)) {
          checkMutant(parseUnlockingScript, buildUnlockingScript, spend, mutant);
        }
      }),
      propertyConfig('scripts: unlocking mutations', 20),
    );
  });
});

describe('arbitrary bytes', () => {
  const randomBytes = fc.uint8Array({ maxLength: 300 });

  it('parsers throw only ScriptError on random bytes', () => {
    fc.assert(
      fc.property(randomBytes, (bytes) => {
        onlyScriptError(parseUnlockingScript, buildUnlockingScript, bytes);
        onlyScriptError(parseDepositScript, buildDepositScript, bytes);
        onlyScriptError(parseCommitScript, buildCommitScript, bytes);
      }),
      propertyConfig('scripts: random bytes to parsers', 500),
    );
  });

  it('secret extraction returns null on random bytes and never throws', () => {
    fc.assert(
      fc.property(randomBytes, commitScript, (bytes, commit) => {
        expect(extractSpendSecret(bytes, commit)).toBeNull();
        expect(extractRevokeSecret(bytes, commit)).toBeNull();
        expect(extractSpendSecret(bytes, bytes)).toBeNull();
      }),
      propertyConfig('scripts: random bytes to extraction', 300),
    );
  });
});

describe('secret extraction from transactions', () => {
  it('finds the spend secret at any input position, and only the matching one', () => {
    fc.assert(
      fc.property(
        commitFields,
        secret32,
        signature,
        fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 3 }),
        fc.nat(),
        (fields, secret, sig, others, at) => {
          const commit = buildCommitScript({ ...fields, spendSecretHash: hash160(secret) });
          const payout = buildUnlockingScript({
            kind: 'payout',
            payeeSignature: sig,
            spendSecret: secret,
            commitScript: commit,
          });
          const sigs: Uint8Array[] = [...others];
          sigs.splice(at % (others.length + 1), 0, payout);
          const tx = txWithScriptSigs(sigs);
          expect(bytesToHex(extractSpendSecret(tx, commit)!)).toBe(bytesToHex(secret));
          // The same payout proves nothing about a commit with another spend hash.
          const other = buildCommitScript({ ...fields, spendSecretHash: hash160(sig) });
          expect(extractSpendSecret(tx, other)).toBeNull();
          // A payout is no revoke.
          expect(extractRevokeSecret(tx, commit)).toBeNull();
        },
      ),
      propertyConfig('scripts: spend secret extraction', 200),
    );
  });

  it('finds the revoke secret only when it hashes to the commit’s revoke hash', () => {
    fc.assert(
      fc.property(commitFields, secret32, signature, (fields, secret, sig) => {
        const commit = buildCommitScript({ ...fields, revokeSecretHash: hash160(secret) });
        const revoke = (revokeSecret: Uint8Array) =>
          txWithScriptSigs([
            buildUnlockingScript({
              kind: 'revoke',
              payerSignature: sig,
              revokeSecret,
              commitScript: commit,
            }),
          ]);
        expect(bytesToHex(extractRevokeSecret(revoke(secret), commit)!)).toBe(bytesToHex(secret));
        const wrong = Uint8Array.from(secret);
        wrong[0] = wrong[0]! ^ 1;
        expect(extractRevokeSecret(revoke(wrong), commit)).toBeNull();
        expect(extractSpendSecret(revoke(secret), commit)).toBeNull();
      }),
      propertyConfig('scripts: revoke secret extraction', 200),
    );
  });
});
