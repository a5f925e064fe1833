import { equalBytes } from '../bytes.js';
import { parseDepositScript } from './deposit-script.js';
import { BytesMemo } from './memo.js';
import { OP } from './opcodes.js';
import { type TemplateElement, buildFromTemplate, parseWithTemplate } from './template.js';

/** Commit scripts parsed lately: each is parsed by the guard, the machine and the checker. */
const parsedCommits = new BytesMemo<CommitScriptFields>(4096);

/** The fields of a commit redeem script (PROTOCOL.md §3). */
export interface CommitScriptFields {
  /** Payer's 33-byte compressed public key (may take the output with the revoke secret). */
  readonly payerPubkey: Uint8Array;
  /** Payee's 33-byte compressed public key (may take the output after the delay). */
  readonly payeePubkey: Uint8Array;
  /** `HASH160(spend secret)`, 20 bytes; equal to the deposit's. */
  readonly spendSecretHash: Uint8Array;
  /** `HASH160(revoke secret)` of this commit, 20 bytes. */
  readonly revokeSecretHash: Uint8Array;
  /** Blocks after the commit confirms until the payee may pay out (0..65535). */
  readonly delayTime: number;
}

/**
 * The commit redeem script template:
 * `OP_IF <delay> OP_CSV OP_DROP OP_HASH160 <spend hash> OP_EQUALVERIFY <payee> OP_CHECKSIG
 * OP_ELSE OP_HASH160 <revoke hash> OP_EQUALVERIFY <payer> OP_CHECKSIG OP_ENDIF`.
 */
export const COMMIT_SCRIPT_TEMPLATE: readonly TemplateElement[] = [
  { op: OP.OP_IF },
  { slot: 'delayTime', kind: 'time' },
  { op: OP.OP_CHECKSEQUENCEVERIFY },
  { op: OP.OP_DROP },
  { op: OP.OP_HASH160 },
  { slot: 'spendSecretHash', kind: 'hash160' },
  { op: OP.OP_EQUALVERIFY },
  { slot: 'payeePubkey', kind: 'pubkey' },
  { op: OP.OP_CHECKSIG },
  { op: OP.OP_ELSE },
  { op: OP.OP_HASH160 },
  { slot: 'revokeSecretHash', kind: 'hash160' },
  { op: OP.OP_EQUALVERIFY },
  { slot: 'payerPubkey', kind: 'pubkey' },
  { op: OP.OP_CHECKSIG },
  { op: OP.OP_ENDIF },
];

/**
 * Builds the commit redeem script, byte-exact with the reference implementation.
 *
 * @throws {@link ScriptError} for an invalid key, hash or delay time.
 */
export function buildCommitScript(fields: CommitScriptFields): Uint8Array {
  return buildFromTemplate(COMMIT_SCRIPT_TEMPLATE, { ...fields });
}

/**
 * Parses a commit redeem script, accepting exactly the template.
 *
 * @throws {@link ScriptError} with a stable code when the script deviates in any way.
 */
export function parseCommitScript(script: Uint8Array): CommitScriptFields {
  const known = parsedCommits.get(script);
  if (known) return copyCommitFields(known);
  const fields = parseCommitScriptFields(script);
  parsedCommits.set(script, copyCommitFields(fields));
  return fields;
}

function copyCommitFields(f: CommitScriptFields): CommitScriptFields {
  return {
    payerPubkey: Uint8Array.from(f.payerPubkey),
    payeePubkey: Uint8Array.from(f.payeePubkey),
    spendSecretHash: Uint8Array.from(f.spendSecretHash),
    revokeSecretHash: Uint8Array.from(f.revokeSecretHash),
    delayTime: f.delayTime,
  };
}

function parseCommitScriptFields(script: Uint8Array): CommitScriptFields {
  const v = parseWithTemplate(COMMIT_SCRIPT_TEMPLATE, script);
  return {
    payerPubkey: v.payerPubkey as Uint8Array,
    payeePubkey: v.payeePubkey as Uint8Array,
    spendSecretHash: v.spendSecretHash as Uint8Array,
    revokeSecretHash: v.revokeSecretHash as Uint8Array,
    delayTime: v.delayTime as number,
  };
}

/**
 * True when the commit script belongs to the deposit script: same payer key, payee key and
 * spend secret hash. Either script failing to parse makes the answer `false`.
 */
export function commitBelongsToDeposit(
  commitScript: Uint8Array,
  depositScript: Uint8Array,
): boolean {
  try {
    const commit = parseCommitScript(commitScript);
    const deposit = parseDepositScript(depositScript);
    return (
      equalBytes(commit.payerPubkey, deposit.payerPubkey) &&
      equalBytes(commit.payeePubkey, deposit.payeePubkey) &&
      equalBytes(commit.spendSecretHash, deposit.spendSecretHash)
    );
  } catch {
    return false;
  }
}
