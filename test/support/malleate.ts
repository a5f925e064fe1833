import bitcore from 'bitcore-lib';
import type { ScriptVerifier } from '../../src/chain/chain.js';
import { OP } from '../../src/scripts/opcodes.js';
import { tokenizeScript } from '../../src/scripts/script-tokens.js';
import {
  decodeTransaction,
  encodeTransaction,
  withScriptSig,
} from '../../src/transactions/raw-transaction.js';
import { verifyInputWithBitcore } from './bitcore-verifier.js';

const { Interpreter } = bitcore.Script;

/**
 * Consensus flags only (P2SH, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY; WITNESS for the
 * wallets' P2WPKH coins): what a miner's block is judged by. Non-minimal pushes and other
 * policy-only encodings pass.
 */
export const CONSENSUS_FLAGS: number =
  Interpreter.SCRIPT_VERIFY_P2SH |
  Interpreter.SCRIPT_VERIFY_CHECKSEQUENCEVERIFY |
  Interpreter.SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
  Interpreter.SCRIPT_VERIFY_WITNESS;

/** bitcore's interpreter with {@link CONSENSUS_FLAGS}, shaped as the chain's verifier. */
export const consensusScriptVerifier: ScriptVerifier = (args) =>
  verifyInputWithBitcore({ ...args, flags: CONSENSUS_FLAGS });

/**
 * A third-party malleation of a legacy (P2SH) spend: the first direct push of every input's
 * scriptSig is re-encoded with OP_PUSHDATA1. The copy is consensus-valid and spends and pays
 * exactly the same, but has another txid, as when a miner includes a re-encoded copy.
 *
 * @throws when no input has a push that can be re-encoded.
 */
export function malleate(rawTx: Uint8Array): Uint8Array {
  let tx = decodeTransaction(rawTx);
  let changed = false;
  tx.inputs.forEach((input, index) => {
    const tokens = tokenizeScript(input.scriptSig);
    const at = tokens.findIndex(
      (t) => t.kind === 'push' && t.opcode < OP.OP_PUSHDATA1 && t.data.length > 0,
    );
    if (at < 0) return;
    const parts: number[] = [];
    tokens.forEach((token, i) => {
      if (token.kind === 'op') parts.push(token.opcode);
      else if (i === at) parts.push(OP.OP_PUSHDATA1, token.data.length, ...token.data);
      else parts.push(...pushAsEncoded(token.opcode, token.data));
    });
    tx = withScriptSig(tx, index, Uint8Array.from(parts));
    changed = true;
  });
  if (!changed) throw new Error('nothing to malleate: no legacy push in any scriptSig');
  return encodeTransaction(tx);
}

/** A push in the same encoding it had (direct, OP_PUSHDATA1, 2 or 4). */
function pushAsEncoded(opcode: number, data: Uint8Array): number[] {
  const n = data.length;
  if (opcode < OP.OP_PUSHDATA1) return [opcode, ...data];
  if (opcode === OP.OP_PUSHDATA1) return [opcode, n, ...data];
  if (opcode === OP.OP_PUSHDATA2) return [opcode, n & 0xff, n >> 8, ...data];
  return [opcode, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24, ...data];
}
