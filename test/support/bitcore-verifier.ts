import bitcore from 'bitcore-lib';
import type { ScriptVerifier } from '../../src/chain/chain.js';

const { Interpreter } = bitcore.Script;

/**
 * Flags of every independent check: the policy set DESIGN.md names (P2SH, STRICTENC, DERSIG,
 * LOW_S, NULLDUMMY, MINIMALDATA, CLEANSTACK, CHECKSEQUENCEVERIFY) plus CHECKLOCKTIMEVERIFY,
 * and WITNESS because bitcore (like Bitcoin Core) refuses CLEANSTACK without it — it also
 * lets the simulated chain's wallets spend P2WPKH outputs.
 */
export const STANDARD_TEST_FLAGS: number =
  Interpreter.SCRIPT_VERIFY_P2SH |
  Interpreter.SCRIPT_VERIFY_STRICTENC |
  Interpreter.SCRIPT_VERIFY_DERSIG |
  Interpreter.SCRIPT_VERIFY_LOW_S |
  Interpreter.SCRIPT_VERIFY_NULLDUMMY |
  Interpreter.SCRIPT_VERIFY_MINIMALDATA |
  Interpreter.SCRIPT_VERIFY_CLEANSTACK |
  Interpreter.SCRIPT_VERIFY_CHECKSEQUENCEVERIFY |
  Interpreter.SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
  Interpreter.SCRIPT_VERIFY_WITNESS;

/** What {@link verifyInputWithBitcore} checks. */
export interface BitcoreVerifyArgs {
  /** The spending transaction, serialized (segwit or legacy). */
  tx: Uint8Array;
  /** Index of the input to check. */
  inputIndex: number;
  /** Locking script of the output the input spends. */
  prevOutScript: Uint8Array;
  /** Value of that output (needed by segwit signature hashes). */
  prevOutValue: bigint;
  /** Interpreter flags; {@link STANDARD_TEST_FLAGS} when omitted. */
  flags?: number;
}

/**
 * Runs one input of a transaction through bitcore-lib's script interpreter, an implementation
 * independent of ours. nSequence and the version come from the parsed transaction, so
 * CHECKSEQUENCEVERIFY is judged exactly as a node would.
 */
export function verifyInputWithBitcore(
  args: BitcoreVerifyArgs,
): { ok: true } | { ok: false; error: string } {
  const flags = args.flags ?? STANDARD_TEST_FLAGS;
  try {
    const tx = new bitcore.Transaction(Buffer.from(args.tx));
    const input = tx.inputs[args.inputIndex];
    if (input === undefined) return { ok: false, error: `no input ${args.inputIndex}` };
    if (args.prevOutValue > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { ok: false, error: 'prevout value too large for bitcore' };
    }
    // bitcore applies CLEANSTACK to the scriptSig's stack, which is only right for P2SH
    // outputs (it rejects every valid P2PKH and P2WPKH spend). For other outputs the check is
    // done here, as Bitcoin Core does it: on the final stack, skipped for witness programs.
    const cleanStack = (flags & Interpreter.SCRIPT_VERIFY_CLEANSTACK) !== 0;
    const ownCleanStack = cleanStack && !isP2sh(args.prevOutScript);
    const interpreter = new Interpreter();
    const ok = interpreter.verify(
      input.script,
      bitcore.Script.fromBuffer(Buffer.from(args.prevOutScript)),
      tx,
      args.inputIndex,
      ownCleanStack ? flags & ~Interpreter.SCRIPT_VERIFY_CLEANSTACK : flags,
      input.getWitnesses() ?? [],
      Number(args.prevOutValue),
    );
    if (!ok) return { ok: false, error: interpreter.errstr || 'script failed' };
    if (ownCleanStack && !isWitnessProgram(args.prevOutScript) && interpreter.stack.length !== 1) {
      return { ok: false, error: 'SCRIPT_ERR_CLEANSTACK' };
    }
    return { ok: true };
  } catch (thrown: unknown) {
    // bitcore throws strings and Errors alike on unparseable input.
    const error = thrown instanceof Error ? thrown.message : String(thrown);
    return { ok: false, error: `bitcore threw: ${error}` };
  }
}

/** `OP_HASH160 <20 bytes> OP_EQUAL`. */
function isP2sh(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87;
}

/** `OP_0`..`OP_16` followed by a single push of 2 to 40 bytes (BIP141). */
function isWitnessProgram(script: Uint8Array): boolean {
  const version = script[0];
  const push = script[1];
  if (version === undefined || push === undefined) return false;
  const versionOk = version === 0x00 || (version >= 0x51 && version <= 0x60);
  return versionOk && push >= 2 && push <= 40 && script.length === push + 2;
}

/** {@link verifyInputWithBitcore} with the standard flags, shaped as the chain's verifier. */
export const bitcoreScriptVerifier: ScriptVerifier = (args) => verifyInputWithBitcore(args);
