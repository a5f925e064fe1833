import { Address, OutScript } from '@scure/btc-signer';
import { bytesToHex } from '../bytes.js';
import { networkParams } from '../scripts/networks.js';

/** Bitcoin Core's name for an output script's type, as in `scriptPubKey.type`. */
export type CoreScriptType =
  | 'pubkeyhash'
  | 'scripthash'
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'pubkey'
  | 'multisig'
  | 'nulldata'
  | 'nonstandard';

/** The `scriptPubKey` object Core returns (without `asm` and `desc`, which nothing here needs). */
export interface CoreScriptPubKey {
  readonly hex: string;
  readonly type: CoreScriptType;
  readonly address?: string;
}

const TYPE_NAMES: Record<string, CoreScriptType> = {
  pkh: 'pubkeyhash',
  sh: 'scripthash',
  wpkh: 'witness_v0_keyhash',
  wsh: 'witness_v0_scripthash',
  tr: 'witness_v1_taproot',
  pk: 'pubkey',
  ms: 'multisig',
};

/** Describes an output script as Core does on regtest. */
export function describeScript(script: Uint8Array): CoreScriptPubKey {
  const hex = bytesToHex(script);
  if (script[0] === 0x6a) return { hex, type: 'nulldata' };
  let decoded: Parameters<ReturnType<typeof Address>['encode']>[0];
  try {
    decoded = OutScript.decode(Uint8Array.from(script)) as typeof decoded;
  } catch {
    return { hex, type: 'nonstandard' };
  }
  const type = TYPE_NAMES[decoded.type] ?? 'nonstandard';
  try {
    return { hex, type, address: Address(networkParams('regtest')).encode(decoded) };
  } catch {
    return { hex, type };
  }
}

/**
 * The output script of a regtest address, or `null` when it is not one (Core answers
 * "Invalid address").
 */
export function scriptOfAddress(address: unknown): Uint8Array | null {
  if (typeof address !== 'string' || address.length > 100) return null;
  try {
    return OutScript.encode(Address(networkParams('regtest')).decode(address));
  } catch {
    return null;
  }
}
