import { bytesToHex } from '../../src/bytes.js';
import { COMMIT_SCRIPT_TEMPLATE, buildCommitScript } from '../../src/scripts/commit-script.js';
import { DEPOSIT_SCRIPT_TEMPLATE, buildDepositScript } from '../../src/scripts/deposit-script.js';
import { HASH160_LENGTH, PUBKEY_LENGTH } from '../../src/scripts/keys.js';
import { OP, OPCODE_NAMES } from '../../src/scripts/opcodes.js';
import { encodePush, tokenizeScript } from '../../src/scripts/script-tokens.js';
import type { TemplateElement } from '../../src/scripts/template.js';
import {
  type SpendPath,
  type UnlockingScript,
  buildUnlockingScript,
} from '../../src/scripts/unlocking-scripts.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { FINAL_SEQUENCE } from '../../src/transactions/raw-transaction.js';
import { spendSequence } from '../../src/transactions/spend-transactions.js';

/** A redeem-script template rendered with placeholders. */
export interface TemplateModel {
  readonly name: 'deposit' | 'commit';
  readonly constant: string;
  /** Slot names in order of first appearance, with their kind and placeholder. */
  readonly slots: readonly { slot: string; kind: string; placeholder: string }[];
  /** Assembly, one element per entry, placeholders for slots. */
  readonly asm: readonly string[];
  /** Hex bytes, placeholders for slot data (a push opcode precedes keys and hashes). */
  readonly hex: readonly string[];
  /** Size in bytes for the smallest and the largest time value. */
  readonly size: { readonly min: number; readonly max: number };
}

/** One of the five spend paths, derived by building its unlocking script from placeholders. */
export interface SpendPathModel {
  readonly kind: SpendPath;
  /** Which redeem script the spent output pays to. */
  readonly spends: 'deposit' | 'commit';
  /** Branch selectors in the order the script consumes them (`OP_IF` taken = true). */
  readonly branch: readonly ('IF' | 'ELSE')[];
  /** The template elements the chosen branch executes, as asm with placeholders. */
  readonly branchAsm: string;
  /** The scriptSig as asm with placeholders. */
  readonly unlocking: string;
  /** `final` or the name of the relative time the input's nSequence carries. */
  readonly sequence: 'final' | 'delay_time' | 'expire_time';
  readonly signers: readonly ('payer' | 'payee')[];
  /** Secret the spend reveals on chain, if any. */
  readonly reveals: 'spend secret' | 'revoke secret' | null;
}

/** Placeholder text of each slot, as spec/PROTOCOL.md §3 writes it. */
const PLACEHOLDERS: Record<string, string> = {
  payerPubkey: '<payer pubkey>',
  payeePubkey: '<payee pubkey>',
  spendSecretHash: '<spend secret hash>',
  revokeSecretHash: '<revoke secret hash>',
  expireTime: '<expire_time>',
  delayTime: '<delay_time>',
};

function placeholderOf(slot: string): string {
  // An unknown slot still gets a readable name (camelCase split into words).
  return PLACEHOLDERS[slot] ?? `<${slot.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}>`;
}

function opName(op: number): string {
  if (op >= OP.OP_1 && op <= OP.OP_16) return `OP_${op - 0x50}`;
  return OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
}

const hexByte = (n: number) => n.toString(16).padStart(2, '0');

function elementAsm(element: TemplateElement): string {
  return 'op' in element ? opName(element.op) : placeholderOf(element.slot);
}

function elementHex(element: TemplateElement): string {
  if ('op' in element) return hexByte(element.op);
  if (element.kind === 'time') return placeholderOf(element.slot);
  const length = element.kind === 'pubkey' ? PUBKEY_LENGTH : HASH160_LENGTH;
  // The push opcode is whatever the builder emits for data of that length.
  const prefix = bytesToHex(encodePush(new Uint8Array(length)).subarray(0, 1));
  return `${prefix} ${placeholderOf(element.slot)}`;
}

// Recognisable, valid placeholder values: the rendering maps them back to their names.
const SAMPLE = {
  payerPubkey: publicKeyOf(new Uint8Array(32).fill(0x11)),
  payeePubkey: publicKeyOf(new Uint8Array(32).fill(0x22)),
  spendSecret: new Uint8Array(32).fill(0x33),
  spendSecretHash: new Uint8Array(20).fill(0x44),
  revokeSecret: new Uint8Array(32).fill(0x55),
  revokeSecretHash: new Uint8Array(20).fill(0x66),
  payerSignature: new Uint8Array(72).fill(0x70),
  payeeSignature: new Uint8Array(72).fill(0x71),
  expireTime: 1000,
  delayTime: 100,
} as const;

const SAMPLE_DEPOSIT = buildDepositScript(SAMPLE);
const SAMPLE_COMMIT = buildCommitScript(SAMPLE);

const PUSH_NAMES = new Map<string, string>([
  [bytesToHex(SAMPLE.payerSignature), '<payer sig>'],
  [bytesToHex(SAMPLE.payeeSignature), '<payee sig>'],
  [bytesToHex(SAMPLE.spendSecret), '<spend secret>'],
  [bytesToHex(SAMPLE.revokeSecret), '<revoke secret>'],
  [bytesToHex(SAMPLE_DEPOSIT), '<deposit script>'],
  [bytesToHex(SAMPLE_COMMIT), '<commit script>'],
]);

function templateModel(
  name: 'deposit' | 'commit',
  constant: string,
  template: readonly TemplateElement[],
  build: (time: number) => Uint8Array,
): TemplateModel {
  const slots: TemplateModel['slots'][number][] = [];
  for (const element of template) {
    if ('slot' in element && !slots.some((s) => s.slot === element.slot)) {
      slots.push({
        slot: element.slot,
        kind: element.kind,
        placeholder: placeholderOf(element.slot),
      });
    }
  }
  const small = build(0);
  if (tokenizeScript(small).length !== template.length) {
    throw new Error(`${name} template does not build one token per element`);
  }
  return {
    name,
    constant,
    slots,
    asm: template.map(elementAsm),
    hex: template.map(elementHex),
    size: { min: small.length, max: build(65535).length },
  };
}

/** The deposit and commit redeem-script templates. */
export function templateModels(): TemplateModel[] {
  return [
    templateModel('deposit', 'DEPOSIT_SCRIPT_TEMPLATE', DEPOSIT_SCRIPT_TEMPLATE, (expireTime) =>
      buildDepositScript({ ...SAMPLE, expireTime }),
    ),
    templateModel('commit', 'COMMIT_SCRIPT_TEMPLATE', COMMIT_SCRIPT_TEMPLATE, (delayTime) =>
      buildCommitScript({ ...SAMPLE, delayTime }),
    ),
  ];
}

/** Each spend path with placeholder values, in the order of spec/PROTOCOL.md §4. */
const SAMPLE_SPENDS: readonly UnlockingScript[] = [
  {
    kind: 'commit',
    payerSignature: SAMPLE.payerSignature,
    payeeSignature: SAMPLE.payeeSignature,
    depositScript: SAMPLE_DEPOSIT,
  },
  {
    kind: 'payout',
    payeeSignature: SAMPLE.payeeSignature,
    spendSecret: SAMPLE.spendSecret,
    commitScript: SAMPLE_COMMIT,
  },
  {
    kind: 'revoke',
    payerSignature: SAMPLE.payerSignature,
    revokeSecret: SAMPLE.revokeSecret,
    commitScript: SAMPLE_COMMIT,
  },
  {
    kind: 'change',
    payerSignature: SAMPLE.payerSignature,
    spendSecret: SAMPLE.spendSecret,
    depositScript: SAMPLE_DEPOSIT,
  },
  { kind: 'expire', payerSignature: SAMPLE.payerSignature, depositScript: SAMPLE_DEPOSIT },
];

/**
 * The template elements executed when the `OP_IF`s meet `selectors` (top of stack first):
 * a tiny control-flow interpreter, enough to show which branch a spend path takes.
 */
function executedBranch(template: readonly TemplateElement[], selectors: readonly boolean[]) {
  const executing: boolean[] = [];
  const taken: ('IF' | 'ELSE')[] = [];
  const out: string[] = [];
  let next = 0;
  for (const element of template) {
    const active = executing.every(Boolean);
    if ('op' in element && element.op === OP.OP_IF) {
      const selector = active ? selectors[next++] : false;
      if (active) taken.push(selector ? 'IF' : 'ELSE');
      executing.push(active ? Boolean(selector) : false);
    } else if ('op' in element && element.op === OP.OP_ELSE) {
      const parentActive = executing.slice(0, -1).every(Boolean);
      executing.push(parentActive && !executing.pop());
    } else if ('op' in element && element.op === OP.OP_ENDIF) {
      executing.pop();
    } else if (active) {
      out.push(elementAsm(element));
    }
  }
  if (next !== selectors.length) throw new Error('spend path selectors do not match the template');
  return { taken, asm: out.join(' ') };
}

function pushAsm(data: Uint8Array): string {
  const name = PUSH_NAMES.get(bytesToHex(data));
  if (!name) throw new Error(`unexpected push ${bytesToHex(data)}`);
  return name;
}

function sequenceName(sequence: number): SpendPathModel['sequence'] {
  if (sequence === FINAL_SEQUENCE) return 'final';
  if (sequence === SAMPLE.delayTime) return 'delay_time';
  if (sequence === SAMPLE.expireTime) return 'expire_time';
  throw new Error(`unexpected nSequence ${sequence}`);
}

/** The five spend paths, each rendered from an unlocking script built with placeholders. */
export function spendPathModels(): SpendPathModel[] {
  return SAMPLE_SPENDS.map((spend) => {
    const tokens = tokenizeScript(buildUnlockingScript(spend));
    const spends = 'depositScript' in spend ? 'deposit' : 'commit';
    // The branch selectors are the OP_0/OP_1 run right before the redeem-script push.
    const selectors: boolean[] = [];
    for (let i = tokens.length - 2; i >= 0; i--) {
      const token = tokens[i]!;
      if (token.kind !== 'op' || (token.opcode !== OP.OP_0 && token.opcode !== OP.OP_1)) break;
      selectors.push(token.opcode === OP.OP_1);
    }
    const template = spends === 'deposit' ? DEPOSIT_SCRIPT_TEMPLATE : COMMIT_SCRIPT_TEMPLATE;
    const branch = executedBranch(template, selectors);
    const redeem = spends === 'deposit' ? SAMPLE_DEPOSIT : SAMPLE_COMMIT;
    // The commit transaction is not a recovery spend: its input is always final.
    const sequence = spend.kind === 'commit' ? FINAL_SEQUENCE : spendSequence(spend.kind, redeem);
    const signers: ('payer' | 'payee')[] = [];
    if ('payerSignature' in spend) signers.push('payer');
    if ('payeeSignature' in spend) signers.push('payee');
    return {
      kind: spend.kind,
      spends,
      branch: branch.taken,
      branchAsm: branch.asm,
      unlocking: tokens
        .map((t) => (t.kind === 'op' ? opName(t.opcode) : pushAsm(t.data)))
        .join(' '),
      sequence: sequenceName(sequence),
      signers,
      reveals:
        'spendSecret' in spend ? 'spend secret' : 'revokeSecret' in spend ? 'revoke secret' : null,
    };
  });
}
