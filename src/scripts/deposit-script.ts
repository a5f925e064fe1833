import { BytesMemo } from './memo.js';
import { OP } from './opcodes.js';
import { type TemplateElement, buildFromTemplate, parseWithTemplate } from './template.js';

/** Deposit scripts parsed lately (a hub serves many channels at once). */
const parsedDeposits = new BytesMemo<DepositScriptFields>(4096);

/** The fields of a deposit redeem script (PROTOCOL.md §3). */
export interface DepositScriptFields {
  /** Payer's 33-byte compressed public key. */
  readonly payerPubkey: Uint8Array;
  /** Payee's 33-byte compressed public key. */
  readonly payeePubkey: Uint8Array;
  /** `HASH160(spend secret)`, 20 bytes. */
  readonly spendSecretHash: Uint8Array;
  /** Blocks after the deposit confirms until the payer may expire it (0..65535). */
  readonly expireTime: number;
}

/**
 * The deposit redeem script template:
 * `OP_IF 2 <payer> <payee> 2 OP_CHECKMULTISIG OP_ELSE OP_IF OP_HASH160 <spend hash>
 * OP_EQUALVERIFY <payer> OP_CHECKSIG OP_ELSE <expire> OP_CSV OP_DROP <payer> OP_CHECKSIG
 * OP_ENDIF OP_ENDIF`.
 */
export const DEPOSIT_SCRIPT_TEMPLATE: readonly TemplateElement[] = [
  { op: OP.OP_IF },
  { op: OP.OP_2 },
  { slot: 'payerPubkey', kind: 'pubkey' },
  { slot: 'payeePubkey', kind: 'pubkey' },
  { op: OP.OP_2 },
  { op: OP.OP_CHECKMULTISIG },
  { op: OP.OP_ELSE },
  { op: OP.OP_IF },
  { op: OP.OP_HASH160 },
  { slot: 'spendSecretHash', kind: 'hash160' },
  { op: OP.OP_EQUALVERIFY },
  { slot: 'payerPubkey', kind: 'pubkey' },
  { op: OP.OP_CHECKSIG },
  { op: OP.OP_ELSE },
  { slot: 'expireTime', kind: 'time' },
  { op: OP.OP_CHECKSEQUENCEVERIFY },
  { op: OP.OP_DROP },
  { slot: 'payerPubkey', kind: 'pubkey' },
  { op: OP.OP_CHECKSIG },
  { op: OP.OP_ENDIF },
  { op: OP.OP_ENDIF },
];

/**
 * Builds the deposit redeem script, byte-exact with the reference implementation.
 *
 * @throws {@link ScriptError} for an invalid key, hash or expire time.
 */
export function buildDepositScript(fields: DepositScriptFields): Uint8Array {
  return buildFromTemplate(DEPOSIT_SCRIPT_TEMPLATE, { ...fields });
}

/**
 * Parses a deposit redeem script, accepting exactly the template.
 *
 * @throws {@link ScriptError} with a stable code when the script deviates in any way.
 */
export function parseDepositScript(script: Uint8Array): DepositScriptFields {
  const known = parsedDeposits.get(script);
  if (known) return copyDepositFields(known);
  const fields = parseDepositScriptFields(script);
  parsedDeposits.set(script, copyDepositFields(fields));
  return fields;
}

function copyDepositFields(f: DepositScriptFields): DepositScriptFields {
  return {
    payerPubkey: Uint8Array.from(f.payerPubkey),
    payeePubkey: Uint8Array.from(f.payeePubkey),
    spendSecretHash: Uint8Array.from(f.spendSecretHash),
    expireTime: f.expireTime,
  };
}

function parseDepositScriptFields(script: Uint8Array): DepositScriptFields {
  const v = parseWithTemplate(DEPOSIT_SCRIPT_TEMPLATE, script);
  // The payer key appears three times; the canonical-form check inside the parser has already
  // required all three to be equal, since the rebuilt script uses one value for the slot.
  return {
    payerPubkey: v.payerPubkey as Uint8Array,
    payeePubkey: v.payeePubkey as Uint8Array,
    spendSecretHash: v.spendSecretHash as Uint8Array,
    expireTime: v.expireTime as number,
  };
}
