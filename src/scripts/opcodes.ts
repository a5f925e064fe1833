/**
 * The opcodes used by the picopayments scripts (values as in Bitcoin Core).
 * `OP_CHECKSEQUENCEVERIFY` is the reference implementation's `OP_NOP3`.
 */
export const OP = {
  OP_0: 0x00,
  OP_PUSHDATA1: 0x4c,
  OP_PUSHDATA2: 0x4d,
  OP_PUSHDATA4: 0x4e,
  OP_1NEGATE: 0x4f,
  OP_1: 0x51,
  OP_2: 0x52,
  OP_16: 0x60,
  OP_IF: 0x63,
  OP_ELSE: 0x67,
  OP_ENDIF: 0x68,
  OP_DROP: 0x75,
  OP_EQUAL: 0x87,
  OP_EQUALVERIFY: 0x88,
  OP_HASH160: 0xa9,
  OP_CHECKSIG: 0xac,
  OP_CHECKMULTISIG: 0xae,
  OP_CHECKSEQUENCEVERIFY: 0xb2,
} as const;

/** Human-readable names of the opcodes above, for assembly output and error messages. */
export const OPCODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(OP).map(([name, value]) => [value, name]),
);

/** Maximum size of a redeem script pushed in a P2SH scriptSig (consensus: 520 bytes). */
export const MAX_SCRIPT_ELEMENT_SIZE = 520;
