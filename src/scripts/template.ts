import { concatBytes, equalBytes } from '../bytes.js';
import { ScriptError } from './errors.js';
import { HASH160_LENGTH, PUBKEY_LENGTH, assertCompressedPubkey, assertHash160 } from './keys.js';
import { OP, OPCODE_NAMES } from './opcodes.js';
import { MAX_RELATIVE_TIME, decodeScriptNumber, encodeNumberPush } from './script-number.js';
import { type ScriptToken, encodePush, isMinimalPush, tokenizeScript } from './script-tokens.js';

/** What a template slot holds: a compressed key, a HASH160, or a relative time (0..65535). */
export type SlotKind = 'pubkey' | 'hash160' | 'time';

/** One element of a script template: a fixed opcode or a named, typed slot. */
export type TemplateElement =
  | { readonly op: number }
  | { readonly slot: string; readonly kind: SlotKind };

/** Values of a template's slots, by slot name. */
export type SlotValues = Record<string, Uint8Array | number>;

function describe(element: TemplateElement): string {
  return 'op' in element
    ? (OPCODE_NAMES[element.op] ?? `OP_${element.op - 0x50}`)
    : `<${element.slot}>`;
}

/**
 * Builds the script of a template with the given slot values, validating every value.
 *
 * @throws {@link ScriptError} for an invalid key, hash or time.
 */
export function buildFromTemplate(
  template: readonly TemplateElement[],
  values: SlotValues,
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const element of template) {
    if ('op' in element) {
      parts.push(Uint8Array.of(element.op));
      continue;
    }
    const value = values[element.slot];
    if (element.kind === 'time') {
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > MAX_RELATIVE_TIME
      ) {
        throw new ScriptError(
          'SCRIPT_NUMBER_OUT_OF_RANGE',
          `${element.slot} must be an integer in 0..${MAX_RELATIVE_TIME}`,
        );
      }
      parts.push(encodeNumberPush(value));
      continue;
    }
    if (!(value instanceof Uint8Array)) {
      const code =
        element.kind === 'pubkey' ? 'SCRIPT_INVALID_PUBKEY' : 'SCRIPT_INVALID_HASH_LENGTH';
      throw new ScriptError(code, `${element.slot} must be bytes`);
    }
    if (element.kind === 'pubkey') assertCompressedPubkey(value, element.slot);
    else assertHash160(value, element.slot);
    parts.push(encodePush(value));
  }
  return concatBytes(...parts);
}

function readTime(token: ScriptToken, slot: string): number {
  if (token.kind === 'op') {
    if (token.opcode === OP.OP_0) return 0;
    if (token.opcode >= OP.OP_1 && token.opcode <= OP.OP_16) return token.opcode - 0x50;
    if (token.opcode === OP.OP_1NEGATE) {
      throw new ScriptError('SCRIPT_NUMBER_OUT_OF_RANGE', `${slot} is negative`);
    }
    throw new ScriptError('SCRIPT_TEMPLATE_MISMATCH', `${slot} expected a number push`);
  }
  if (!isMinimalPush(token)) {
    throw new ScriptError('SCRIPT_NON_MINIMAL_PUSH', `${slot} is pushed with a longer opcode`);
  }
  // A 4-byte number can be decoded to report a range error; anything longer is out of range too.
  const value = decodeScriptNumber(token.data, 5);
  if (value < 0 || value > MAX_RELATIVE_TIME) {
    throw new ScriptError(
      'SCRIPT_NUMBER_OUT_OF_RANGE',
      `${slot} = ${value} is outside 0..${MAX_RELATIVE_TIME}`,
    );
  }
  if (value <= 16) {
    throw new ScriptError('SCRIPT_NON_MINIMAL_NUMBER', `${slot} = ${value} must use OP_${value}`);
  }
  return value;
}

function readData(token: ScriptToken, element: { slot: string; kind: SlotKind }): Uint8Array {
  if (token.kind !== 'push') {
    throw new ScriptError(
      'SCRIPT_TEMPLATE_MISMATCH',
      `expected <${element.slot}> but found an opcode`,
    );
  }
  const expected = element.kind === 'pubkey' ? PUBKEY_LENGTH : HASH160_LENGTH;
  if (token.data.length !== expected) {
    const code = element.kind === 'pubkey' ? 'SCRIPT_INVALID_PUBKEY' : 'SCRIPT_INVALID_HASH_LENGTH';
    throw new ScriptError(
      code,
      `<${element.slot}> must be ${expected} bytes, got ${token.data.length}`,
    );
  }
  if (!isMinimalPush(token)) {
    throw new ScriptError(
      'SCRIPT_NON_MINIMAL_PUSH',
      `<${element.slot}> is pushed with a longer opcode`,
    );
  }
  if (element.kind === 'pubkey') assertCompressedPubkey(token.data, element.slot);
  return Uint8Array.from(token.data);
}

/**
 * Parses `script` against `template`, accepting exactly the template: every opcode in place,
 * every push minimal and well-formed, nothing missing and nothing after the end.
 *
 * @returns the slot values, keyed by slot name.
 * @throws {@link ScriptError} with the code of the first deviation found.
 */
export function parseWithTemplate(
  template: readonly TemplateElement[],
  script: Uint8Array,
): SlotValues {
  if (!(script instanceof Uint8Array)) {
    throw new ScriptError('SCRIPT_TEMPLATE_MISMATCH', 'script must be bytes');
  }
  const tokens = tokenizeScript(script);
  const values: SlotValues = {};
  for (let i = 0; i < template.length; i++) {
    const element = template[i]!;
    const token = tokens[i];
    if (token === undefined) {
      throw new ScriptError('SCRIPT_TRUNCATED', `script ends before ${describe(element)}`);
    }
    if ('op' in element) {
      if (token.kind !== 'op' || token.opcode !== element.op) {
        throw new ScriptError(
          'SCRIPT_TEMPLATE_MISMATCH',
          `expected ${describe(element)} at element ${i}`,
        );
      }
      continue;
    }
    values[element.slot] =
      element.kind === 'time' ? readTime(token, element.slot) : readData(token, element);
  }
  if (tokens.length > template.length) {
    throw new ScriptError(
      'SCRIPT_TRAILING_BYTES',
      `${tokens.length - template.length} extra element(s) after the template`,
    );
  }
  // Belt and braces: the only accepted encoding is the one the builder produces.
  if (!equalBytes(buildFromTemplate(template, values), script)) {
    throw new ScriptError('SCRIPT_TEMPLATE_MISMATCH', 'script is not in canonical form');
  }
  return values;
}
