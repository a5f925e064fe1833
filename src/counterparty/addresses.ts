import { sha256 } from '@noble/hashes/sha2.js';
import { bech32, bech32m, createBase58check } from '@scure/base';
import { concatBytes } from '../bytes.js';
import { type NetworkName, type NetworkParams, networkParams } from '../scripts/networks.js';
import { CounterpartyError } from './errors.js';

const base58check = createBase58check(sha256);

/** Length of a packed (short) P2PKH/P2SH address: one kind or version byte plus HASH160. */
export const SHORT_ADDRESS_LENGTH = 21;

/**
 * How a short address marks its kind. `legacy`: the base58 version byte of the network (the
 * layout of legacy enhanced sends); `typed`: 0x01 for P2PKH and 0x02 for P2SH, the network
 * being implied (what Counterparty writes in CBOR enhanced sends).
 */
export type ShortAddressFormat = 'legacy' | 'typed';

/** A decoded short address. */
export interface UnpackedShortAddress {
  /** The address Counterparty credits: base58check of the bytes for the legacy format. */
  readonly address: string;
  /** `unknown`: a legacy version byte of no Bitcoin network (the asset is then unspendable). */
  readonly kind: 'p2pkh' | 'p2sh' | 'unknown';
}

const TYPED_P2PKH = 0x01;
const TYPED_P2SH = 0x02;

/**
 * Parameters of a network.
 *
 * @throws {@link CounterpartyError} `INVALID_ARGUMENT` for an unknown network name.
 */
export function counterpartyNetwork(network: NetworkName): NetworkParams {
  try {
    return networkParams(network);
  } catch {
    throw new CounterpartyError('INVALID_ARGUMENT', `unknown network ${String(network)}`);
  }
}

/**
 * Packs a base58 P2PKH or P2SH address of `network` into 21 bytes.
 *
 * @throws {@link CounterpartyError} `ADDRESS_INVALID` for anything else (segwit addresses
 *   included), `INVALID_ARGUMENT` for an unknown network.
 */
export function packShortAddress(
  address: string,
  network: NetworkName,
  format: ShortAddressFormat = 'legacy',
): Uint8Array {
  const params = counterpartyNetwork(network);
  let decoded: Uint8Array;
  try {
    decoded = base58check.decode(address);
  } catch {
    throw new CounterpartyError('ADDRESS_INVALID', 'not a base58check P2PKH or P2SH address');
  }
  const version = decoded[0];
  if (
    decoded.length !== SHORT_ADDRESS_LENGTH ||
    (version !== params.pubKeyHash && version !== params.scriptHash)
  ) {
    throw new CounterpartyError('ADDRESS_INVALID', `not a P2PKH or P2SH address of ${network}`);
  }
  if (format === 'legacy') return decoded;
  if (format !== 'typed') {
    throw new CounterpartyError('INVALID_ARGUMENT', `unknown short address format ${format}`);
  }
  const kind = version === params.pubKeyHash ? TYPED_P2PKH : TYPED_P2SH;
  return concatBytes(Uint8Array.of(kind), decoded.subarray(1));
}

/**
 * Unpacks a short address as Counterparty does: the typed format first (on `network`), then
 * the legacy one, whose bytes are base58check-encoded whatever the version byte.
 *
 * @throws {@link CounterpartyError} `SHORT_ADDRESS_INVALID` for a length other than 21,
 *   `SHORT_ADDRESS_UNSUPPORTED` for segwit and taproot forms.
 */
export function unpackShortAddress(bytes: Uint8Array, network: NetworkName): UnpackedShortAddress {
  const params = counterpartyNetwork(network);
  const first = bytes[0];
  // 0x03 (typed witness) and 0x80..0x8f (legacy witness) carry segwit programs.
  if (first === 0x03 || (first !== undefined && first >= 0x80 && first <= 0x8f)) {
    throw new CounterpartyError('SHORT_ADDRESS_UNSUPPORTED', 'segwit short addresses');
  }
  if (bytes.length !== SHORT_ADDRESS_LENGTH) {
    throw new CounterpartyError(
      'SHORT_ADDRESS_INVALID',
      `short address is ${bytes.length} bytes, not ${SHORT_ADDRESS_LENGTH}`,
    );
  }
  const hash = bytes.subarray(1);
  if (first === TYPED_P2PKH || first === TYPED_P2SH) {
    const version = first === TYPED_P2PKH ? params.pubKeyHash : params.scriptHash;
    return {
      address: base58check.encode(concatBytes(Uint8Array.of(version), hash)),
      kind: first === TYPED_P2PKH ? 'p2pkh' : 'p2sh',
    };
  }
  const kind = [0x00, 0x6f].includes(first!)
    ? 'p2pkh'
    : [0x05, 0xc4].includes(first!)
      ? 'p2sh'
      : 'unknown';
  return { address: base58check.encode(bytes), kind };
}

/** A standard output script Counterparty reads as an address. */
export interface StandardOutput {
  readonly kind: 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr';
  /** HASH160, or the witness program. */
  readonly hash: Uint8Array;
}

/** The kind and hash of a P2PKH, P2SH, P2WPKH, P2WSH or P2TR output script, else `null`. */
export function standardOutput(script: Uint8Array): StandardOutput | null {
  const n = script.length;
  if (n === 25 && script[0] === 0x76 && script[1] === 0xa9 && script[2] === 0x14) {
    if (script[23] === 0x88 && script[24] === 0xac) {
      return { kind: 'p2pkh', hash: script.slice(3, 23) };
    }
  }
  if (n === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87) {
    return { kind: 'p2sh', hash: script.slice(2, 22) };
  }
  if (n === 22 && script[0] === 0x00 && script[1] === 0x14) {
    return { kind: 'p2wpkh', hash: script.slice(2) };
  }
  if (n === 34 && script[0] === 0x00 && script[1] === 0x20) {
    return { kind: 'p2wsh', hash: script.slice(2) };
  }
  if (n === 34 && script[0] === 0x51 && script[1] === 0x20) {
    return { kind: 'p2tr', hash: script.slice(2) };
  }
  return null;
}

/** The address of a standard output script (see {@link standardOutput}) on `network`, or `null`. */
export function outputScriptAddress(script: Uint8Array, network: NetworkName): string | null {
  const params = counterpartyNetwork(network);
  const output = standardOutput(script);
  if (output === null) return null;
  switch (output.kind) {
    case 'p2pkh':
      return base58check.encode(concatBytes(Uint8Array.of(params.pubKeyHash), output.hash));
    case 'p2sh':
      return base58check.encode(concatBytes(Uint8Array.of(params.scriptHash), output.hash));
    case 'p2tr':
      return bech32m.encode(params.bech32, [1, ...bech32m.toWords(output.hash)]);
    default:
      return bech32.encode(params.bech32, [0, ...bech32.toWords(output.hash)]);
  }
}
