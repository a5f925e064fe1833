import { concatBytes, equalBytes } from '../bytes.js';
import { parseCommitScript } from './commit-script.js';
import { parseDepositScript } from './deposit-script.js';
import { ScriptError } from './errors.js';
import { assertSecret } from './keys.js';
import { MAX_SCRIPT_ELEMENT_SIZE, OP } from './opcodes.js';
import { type ScriptToken, encodePush, isMinimalPush, tokenizeScript } from './script-tokens.js';

/** Largest pushed signature: 72-byte DER plus the sighash byte. */
export const MAX_SIGNATURE_PUSH = 73;

/**
 * The five spend paths of PROTOCOL.md §4 as data. Signatures are the pushed bytes
 * (DER plus sighash byte); scripts are redeem scripts.
 */
export type UnlockingScript =
  | {
      readonly kind: 'commit';
      readonly payerSignature: Uint8Array;
      readonly payeeSignature: Uint8Array;
      readonly depositScript: Uint8Array;
    }
  | {
      readonly kind: 'payout';
      readonly payeeSignature: Uint8Array;
      readonly spendSecret: Uint8Array;
      readonly commitScript: Uint8Array;
    }
  | {
      readonly kind: 'revoke';
      readonly payerSignature: Uint8Array;
      readonly revokeSecret: Uint8Array;
      readonly commitScript: Uint8Array;
    }
  | {
      readonly kind: 'change';
      readonly payerSignature: Uint8Array;
      readonly spendSecret: Uint8Array;
      readonly depositScript: Uint8Array;
    }
  | {
      readonly kind: 'expire';
      readonly payerSignature: Uint8Array;
      readonly depositScript: Uint8Array;
    };

/** Name of a spend path. */
export type SpendPath = UnlockingScript['kind'];

function signaturePush(signature: Uint8Array, name: string): Uint8Array {
  if (
    !(signature instanceof Uint8Array) ||
    signature.length === 0 ||
    signature.length > MAX_SIGNATURE_PUSH
  ) {
    throw new ScriptError(
      'SCRIPT_INVALID_SIGNATURE_PUSH',
      `${name} must be 1..${MAX_SIGNATURE_PUSH} bytes`,
    );
  }
  return encodePush(signature);
}

function redeemPush(script: Uint8Array): Uint8Array {
  if (script.length > MAX_SCRIPT_ELEMENT_SIZE) {
    throw new ScriptError(
      'SCRIPT_TOO_LARGE',
      `redeem script exceeds ${MAX_SCRIPT_ELEMENT_SIZE} bytes`,
    );
  }
  return encodePush(script);
}

function secretPush(secret: Uint8Array, name: string): Uint8Array {
  assertSecret(secret, name);
  return encodePush(secret);
}

const op = (code: number) => Uint8Array.of(code);

/**
 * Builds the scriptSig of a spend path, validating the redeem script against its template.
 *
 * @throws {@link ScriptError} for a bad signature push, secret or redeem script.
 */
export function buildUnlockingScript(spend: UnlockingScript): Uint8Array {
  switch (spend.kind) {
    case 'commit':
      parseDepositScript(spend.depositScript);
      return concatBytes(
        op(OP.OP_0),
        signaturePush(spend.payerSignature, 'payer signature'),
        signaturePush(spend.payeeSignature, 'payee signature'),
        op(OP.OP_1),
        redeemPush(spend.depositScript),
      );
    case 'payout':
      parseCommitScript(spend.commitScript);
      return concatBytes(
        signaturePush(spend.payeeSignature, 'payee signature'),
        secretPush(spend.spendSecret, 'spend secret'),
        op(OP.OP_1),
        redeemPush(spend.commitScript),
      );
    case 'revoke':
      parseCommitScript(spend.commitScript);
      return concatBytes(
        signaturePush(spend.payerSignature, 'payer signature'),
        secretPush(spend.revokeSecret, 'revoke secret'),
        op(OP.OP_0),
        redeemPush(spend.commitScript),
      );
    case 'change':
      parseDepositScript(spend.depositScript);
      return concatBytes(
        signaturePush(spend.payerSignature, 'payer signature'),
        secretPush(spend.spendSecret, 'spend secret'),
        op(OP.OP_1),
        op(OP.OP_0),
        redeemPush(spend.depositScript),
      );
    case 'expire':
      parseDepositScript(spend.depositScript);
      return concatBytes(
        signaturePush(spend.payerSignature, 'payer signature'),
        op(OP.OP_0),
        op(OP.OP_0),
        redeemPush(spend.depositScript),
      );
    default: {
      const never: never = spend;
      throw new ScriptError('UNLOCKING_SCRIPT_MISMATCH', `unknown spend path ${String(never)}`);
    }
  }
}

const mismatch = (why: string) => new ScriptError('UNLOCKING_SCRIPT_MISMATCH', why);

function isOp(token: ScriptToken | undefined, opcode: number): boolean {
  return token?.kind === 'op' && token.opcode === opcode;
}

function pushData(token: ScriptToken | undefined, what: string, canonical = true): Uint8Array {
  if (token?.kind !== 'push') throw mismatch(`expected a push of the ${what}`);
  if (canonical && !isMinimalPush(token))
    throw new ScriptError('SCRIPT_NON_MINIMAL_PUSH', `${what} is not pushed minimally`);
  return Uint8Array.from(token.data);
}

function signatureDataOf(
  token: ScriptToken | undefined,
  what: string,
  canonical: boolean,
): Uint8Array {
  const data = pushData(token, what, canonical);
  if (data.length === 0 || data.length > MAX_SIGNATURE_PUSH) {
    throw new ScriptError(
      'SCRIPT_INVALID_SIGNATURE_PUSH',
      `${what} must be 1..${MAX_SIGNATURE_PUSH} bytes`,
    );
  }
  return data;
}

function secretDataOf(
  token: ScriptToken | undefined,
  what: string,
  canonical: boolean,
): Uint8Array {
  const data = pushData(token, what, canonical);
  assertSecret(data, what);
  return data;
}

/**
 * Parses a scriptSig into one of the five spend paths. The layout decides the path; the
 * redeem script must then parse as the matching template (deposit or commit). The result
 * round-trips: building it gives back the same bytes.
 *
 * With `canonical: false` any push encoding is read (as consensus does): a scriptSig of a
 * transaction found on chain may have been re-encoded by a third party, and the secrets it
 * reveals must still be read. The redeem script must still be a valid template.
 *
 * @throws {@link ScriptError} `UNLOCKING_SCRIPT_MISMATCH` (or a more specific code) otherwise.
 */
export function parseUnlockingScript(
  scriptSig: Uint8Array,
  options: { readonly canonical?: boolean } = {},
): UnlockingScript {
  const canonical = options.canonical ?? true;
  const t = tokenizeScript(scriptSig);
  const redeem = () => pushData(t[t.length - 1], 'redeem script', canonical);
  const signatureData = (token: ScriptToken | undefined, what: string) =>
    signatureDataOf(token, what, canonical);
  const secretData = (token: ScriptToken | undefined, what: string) =>
    secretDataOf(token, what, canonical);
  let spend: UnlockingScript;
  if (t.length === 5 && isOp(t[0], OP.OP_0) && isOp(t[3], OP.OP_1)) {
    spend = {
      kind: 'commit',
      payerSignature: signatureData(t[1], 'payer signature'),
      payeeSignature: signatureData(t[2], 'payee signature'),
      depositScript: redeem(),
    };
  } else if (t.length === 5 && isOp(t[2], OP.OP_1) && isOp(t[3], OP.OP_0)) {
    spend = {
      kind: 'change',
      payerSignature: signatureData(t[0], 'payer signature'),
      spendSecret: secretData(t[1], 'spend secret'),
      depositScript: redeem(),
    };
  } else if (t.length === 4 && isOp(t[1], OP.OP_0) && isOp(t[2], OP.OP_0)) {
    spend = {
      kind: 'expire',
      payerSignature: signatureData(t[0], 'payer signature'),
      depositScript: redeem(),
    };
  } else if (t.length === 4 && isOp(t[2], OP.OP_1)) {
    spend = {
      kind: 'payout',
      payeeSignature: signatureData(t[0], 'payee signature'),
      spendSecret: secretData(t[1], 'spend secret'),
      commitScript: redeem(),
    };
  } else if (t.length === 4 && isOp(t[2], OP.OP_0)) {
    spend = {
      kind: 'revoke',
      payerSignature: signatureData(t[0], 'payer signature'),
      revokeSecret: secretData(t[1], 'revoke secret'),
      commitScript: redeem(),
    };
  } else {
    throw mismatch('layout matches none of the five spend paths');
  }
  // Validates the redeem script template and (when asked) that the encoding is the canonical one.
  const rebuilt = buildUnlockingScript(spend);
  if (canonical && !equalBytes(rebuilt, scriptSig)) throw mismatch('not in canonical form');
  return spend;
}
