import { NETWORK, TEST_NETWORK } from '@scure/btc-signer';
import { ScriptError } from './errors.js';

/** The networks the library can address. */
export type NetworkName = 'mainnet' | 'testnet' | 'regtest';

/** Address parameters of a network, in the shape @scure/btc-signer expects. */
export interface NetworkParams {
  readonly bech32: string;
  readonly pubKeyHash: number;
  readonly scriptHash: number;
  readonly wif: number;
}

const NETWORKS: Readonly<Record<NetworkName, NetworkParams>> = {
  mainnet: NETWORK,
  testnet: TEST_NETWORK,
  regtest: { ...TEST_NETWORK, bech32: 'bcrt' },
};

/** All network names, for validation and iteration. */
export const NETWORK_NAMES: readonly NetworkName[] = ['mainnet', 'testnet', 'regtest'];

/**
 * Address parameters of a network by name.
 *
 * @throws {@link ScriptError} `UNKNOWN_NETWORK` for any other name.
 */
export function networkParams(name: NetworkName): NetworkParams {
  const params = Object.hasOwn(NETWORKS, name) ? NETWORKS[name] : undefined;
  if (!params) throw new ScriptError('UNKNOWN_NETWORK', `unknown network ${String(name)}`);
  return params;
}
