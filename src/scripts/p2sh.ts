import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../bytes.js';
import { ScriptError } from './errors.js';
import { hash160 } from './hash.js';
import { BytesMemo } from './memo.js';
import { MAX_SCRIPT_ELEMENT_SIZE, OP } from './opcodes.js';
import { type NetworkName, networkParams } from './networks.js';

/** P2SH output scripts of redeem scripts hashed lately (HASH160 is most of the cost). */
const outputScripts = new BytesMemo<Uint8Array>(4096);

const base58check = createBase58check(sha256);

function assertRedeemSize(redeemScript: Uint8Array): void {
  if (redeemScript.length > MAX_SCRIPT_ELEMENT_SIZE) {
    throw new ScriptError(
      'SCRIPT_TOO_LARGE',
      `redeem script exceeds ${MAX_SCRIPT_ELEMENT_SIZE} bytes`,
    );
  }
}

/** `OP_HASH160 <HASH160(redeem script)> OP_EQUAL`: the output script paying to a redeem script. */
export function p2shOutputScript(redeemScript: Uint8Array): Uint8Array {
  assertRedeemSize(redeemScript);
  const known = outputScripts.get(redeemScript);
  if (known) return Uint8Array.from(known);
  const script = concatBytes(
    Uint8Array.of(OP.OP_HASH160, 20),
    hash160(redeemScript),
    Uint8Array.of(OP.OP_EQUAL),
  );
  outputScripts.set(redeemScript, Uint8Array.from(script));
  return script;
}

/**
 * The base58check P2SH address of a redeem script on a network (`3…` on mainnet, `2…` on
 * testnet and regtest).
 *
 * @throws {@link ScriptError} `UNKNOWN_NETWORK` or `SCRIPT_TOO_LARGE`.
 */
export function p2shAddress(redeemScript: Uint8Array, network: NetworkName): string {
  const { scriptHash } = networkParams(network);
  assertRedeemSize(redeemScript);
  return base58check.encode(concatBytes(Uint8Array.of(scriptHash), hash160(redeemScript)));
}
