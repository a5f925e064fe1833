import type { NetworkName } from '../scripts/networks.js';
import type { TxOutput } from '../transactions/raw-transaction.js';
import { dustThreshold } from '../transactions/fees.js';
import { outputScriptAddress } from './addresses.js';
import { CounterpartyError } from './errors.js';
import { encodeCounterpartySend } from './message.js';
import { opReturnScript } from './op-return.js';

/** What {@link classicSendOutputs} needs. */
export interface ClassicSendOutputsParams {
  /** Asset name, e.g. `XCP`. */
  readonly asset: string;
  /** Quantity in the asset's base units, 1..2⁶³−1. */
  readonly quantity: bigint;
  /** Output script of the destination: P2PKH, P2SH, P2WPKH, P2WSH or P2TR. */
  readonly destinationScript: Uint8Array;
  /** Txid (display order) of the previous output the transaction's first input spends. */
  readonly firstInputTxid: string;
  /** BTC for the destination output; the script's dust threshold when omitted. */
  readonly destinationValue?: bigint;
  /** Network, for the destination check (default `mainnet`). */
  readonly network?: NetworkName;
  /** Prefix (default `CNTRPRTY`). */
  readonly prefix?: string;
}

/**
 * The leading outputs of a classic-send transaction: the destination with a dust BTC value,
 * then the OP_RETURN carrying the ARC4-encrypted message. Change outputs may follow, the first
 * of them a standard script (Counterparty reads up to it, and an output it cannot read voids
 * the send). The first input must spend an output of the source address, signed SIGHASH_ALL.
 *
 * @throws {@link CounterpartyError} `INVALID_ARGUMENT` for a destination Counterparty cannot
 *   read or a value below dust, and every code of {@link encodeCounterpartySend}.
 */
export function classicSendOutputs(params: ClassicSendOutputsParams): TxOutput[] {
  const network = params.network ?? 'mainnet';
  const script = params.destinationScript;
  if (!(script instanceof Uint8Array) || outputScriptAddress(script, network) === null) {
    throw new CounterpartyError('INVALID_ARGUMENT', 'destination must be a standard output script');
  }
  const dust = dustThreshold(script);
  const value = params.destinationValue ?? dust;
  if (typeof value !== 'bigint' || value < dust) {
    throw new CounterpartyError('INVALID_ARGUMENT', `destination value must be at least ${dust}`);
  }
  const data = encodeCounterpartySend(
    { type: 'classic', asset: params.asset, quantity: params.quantity },
    { firstInputTxid: params.firstInputTxid, network, prefix: params.prefix },
  );
  return [
    { value, script: script.slice() },
    { value: 0n, script: opReturnScript(data) },
  ];
}
