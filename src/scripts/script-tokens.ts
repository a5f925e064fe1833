import { bytesToHex } from '../bytes.js';
import { ScriptError } from './errors.js';
import { OP, OPCODE_NAMES } from './opcodes.js';

/** One element of a script: an opcode, or a data push with the bytes it pushes. */
export type ScriptToken =
  | { readonly kind: 'op'; readonly opcode: number }
  | { readonly kind: 'push'; readonly opcode: number; readonly data: Uint8Array };

/**
 * Splits a script into opcodes and data pushes.
 *
 * @throws {@link ScriptError} `SCRIPT_TRUNCATED` when a push runs past the end of the script.
 */
export function tokenizeScript(script: Uint8Array): ScriptToken[] {
  const tokens: ScriptToken[] = [];
  let i = 0;
  while (i < script.length) {
    const opcode = script[i]!;
    i += 1;
    if (opcode === OP.OP_0 || opcode > OP.OP_PUSHDATA4) {
      tokens.push({ kind: 'op', opcode });
      continue;
    }
    let length: number;
    if (opcode < OP.OP_PUSHDATA1) {
      length = opcode;
    } else {
      const width = opcode === OP.OP_PUSHDATA1 ? 1 : opcode === OP.OP_PUSHDATA2 ? 2 : 4;
      if (i + width > script.length) {
        throw new ScriptError('SCRIPT_TRUNCATED', `push length at byte ${i - 1} is cut off`);
      }
      length = 0;
      for (let b = width - 1; b >= 0; b--) length = length * 256 + script[i + b]!;
      i += width;
    }
    if (i + length > script.length) {
      throw new ScriptError(
        'SCRIPT_TRUNCATED',
        `push of ${length} bytes at byte ${i} runs past the end`,
      );
    }
    tokens.push({ kind: 'push', opcode, data: script.subarray(i, i + length) });
    i += length;
  }
  return tokens;
}

/**
 * The shortest encoding of a data push (BIP62 MINIMALDATA for non-numeric data):
 * direct push up to 75 bytes, then OP_PUSHDATA1/2/4.
 */
export function encodePush(data: Uint8Array): Uint8Array {
  const n = data.length;
  // Header written in place (no intermediate arrays): every script build pushes several items.
  const h = n < OP.OP_PUSHDATA1 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
  const out = new Uint8Array(h + n);
  if (h === 1) out[0] = n;
  else if (h === 2) {
    out[0] = OP.OP_PUSHDATA1;
    out[1] = n;
  } else if (h === 3) {
    out[0] = OP.OP_PUSHDATA2;
    out[1] = n & 0xff;
    out[2] = n >> 8;
  } else {
    out[0] = OP.OP_PUSHDATA4;
    out[1] = n & 0xff;
    out[2] = (n >> 8) & 0xff;
    out[3] = (n >> 16) & 0xff;
    out[4] = n >>> 24;
  }
  out.set(data, h);
  return out;
}

/** True when `token` pushes its data with the shortest possible opcode. */
export function isMinimalPush(token: ScriptToken & { kind: 'push' }): boolean {
  const n = token.data.length;
  if (n < OP.OP_PUSHDATA1) return token.opcode === n;
  if (n <= 0xff) return token.opcode === OP.OP_PUSHDATA1;
  if (n <= 0xffff) return token.opcode === OP.OP_PUSHDATA2;
  return token.opcode === OP.OP_PUSHDATA4;
}

/** Assembly text of one token (`OP_IF`, `<hex>`, `0x01`). */
export function tokenToAsm(token: ScriptToken): string {
  if (token.kind === 'push') return bytesToHex(token.data);
  if (token.opcode >= OP.OP_1 && token.opcode <= OP.OP_16) return `OP_${token.opcode - 0x50}`;
  return OPCODE_NAMES[token.opcode] ?? `0x${token.opcode.toString(16).padStart(2, '0')}`;
}

/**
 * Assembly text of a script, tokens separated by spaces.
 *
 * @throws {@link ScriptError} `SCRIPT_TRUNCATED` when the script cannot be tokenized.
 */
export function scriptToAsm(script: Uint8Array): string {
  return tokenizeScript(script).map(tokenToAsm).join(' ');
}
