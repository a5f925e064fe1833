import { bytesToHex, equalBytes } from '../bytes.js';
import type { DecodedTransaction } from '../chain/raw-transaction.js';
import type { NetworkName } from '../scripts/networks.js';
import { type ScriptToken, tokenizeScript } from '../scripts/script-tokens.js';
import { outputScriptAddress, standardOutput } from './addresses.js';
import { arc4 } from './arc4.js';
import { CounterpartyError } from './errors.js';

const SIGHASH_ALL = 0x01;
const SIGHASH_ALL_ANYONECANPAY = 0x81;
/** Secp256k1's field size and group order, bounds of a BIP340 signature's r and s. */
const FIELD_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const ORDER_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The signature hash flags Counterparty finds in a transaction's first input: the last byte of
 * every scriptSig push that looks like a DER signature, then for two witness items the first
 * item's, and for one or more than two the first item's as a Schnorr signature.
 */
export function firstInputSighashFlags(tx: DecodedTransaction): number[] {
  const input = tx.inputs[0];
  if (input === undefined) return [];
  const flags: number[] = [];
  let tokens: ScriptToken[] = [];
  try {
    tokens = tokenizeScript(input.finalScriptSig);
  } catch {
    // A scriptSig that does not parse carries no signature Counterparty can see.
  }
  for (const token of tokens) {
    if (token.kind === 'push' && token.data.length > 0 && looksDer(token.data.subarray(0, -1))) {
      flags.push(token.data[token.data.length - 1]!);
    }
  }
  const witness = tx.witnesses?.[0] ?? [];
  if (witness.length === 2) {
    const item = witness[0]!;
    if (item.length > 0 && looksDer(item.subarray(0, -1))) flags.push(item[item.length - 1]!);
  } else if (witness.length > 0) {
    const flag = schnorrFlag(witness[0]!);
    if (flag !== null) flags.push(flag);
  }
  return flags;
}

/** Counterparty's loose DER check: the layout of lengths and markers, not the values. */
function looksDer(der: Uint8Array): boolean {
  if (der.length < 6 || der[0] !== 0x30 || der[1]! + 2 !== der.length || der[2] !== 0x02) {
    return false;
  }
  // Counterparty reads r and s as integers, which fails for empty ones.
  const rLength = der[3]!;
  if (rLength === 0 || der[4 + rLength] !== 0x02) return false;
  const sLength = der[5 + rLength];
  return sLength !== undefined && sLength > 0 && der.length === 6 + rLength + sLength;
}

function schnorrFlag(signature: Uint8Array): number | null {
  if (signature.length !== 64 && signature.length !== 65) return null;
  const r = BigInt(`0x${bytesToHex(signature.subarray(0, 32))}`);
  const s = BigInt(`0x${bytesToHex(signature.subarray(32, 64))}`);
  if (r >= FIELD_P || s >= ORDER_N) return null;
  return signature.length === 65 ? signature[64]! : SIGHASH_ALL;
}

/**
 * The source of a Counterparty transaction: the address of the output its first input spends.
 * Counterparty ignores the transaction unless the first input is signed with SIGHASH_ALL
 * (optionally with ANYONECANPAY) and that output is P2PKH (not hiding data), P2SH or segwit.
 *
 * @throws {@link CounterpartyError} `SOURCE_INVALID`.
 */
export function counterpartySource(
  tx: DecodedTransaction,
  prevOutScript: Uint8Array,
  key: Uint8Array,
  prefix: Uint8Array,
  network: NetworkName,
): string {
  const flags = firstInputSighashFlags(tx);
  if (flags.length === 0) {
    throw new CounterpartyError('SOURCE_INVALID', 'no signature hash flag in the first input');
  }
  if (flags.some((flag) => flag !== SIGHASH_ALL && flag !== SIGHASH_ALL_ANYONECANPAY)) {
    throw new CounterpartyError('SOURCE_INVALID', 'first input not signed with SIGHASH_ALL');
  }
  const output = standardOutput(prevOutScript);
  if (output === null) {
    throw new CounterpartyError('SOURCE_INVALID', 'first input spends an unsupported script');
  }
  if (output.kind === 'p2pkh') {
    const chunk = arc4(key, output.hash);
    if (equalBytes(chunk.subarray(1, 1 + prefix.length), prefix)) {
      throw new CounterpartyError('SOURCE_INVALID', 'data in source');
    }
  }
  return outputScriptAddress(prevOutScript, network)!;
}
