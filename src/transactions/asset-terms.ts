import { CounterpartyError } from '../counterparty/errors.js';
import { classicSendOutputs } from '../counterparty/send-outputs.js';
import type { NetworkName } from '../scripts/networks.js';
import { TransactionError } from './errors.js';
import type { TxOutput } from './raw-transaction.js';

/**
 * The Counterparty asset a channel carries. In asset mode every channel transaction is a
 * classic send (type 0) whose destination is its first output; the BTC of that output pays the
 * fees of the next step, because Counterparty only moves an address's balance when the
 * transaction's first input spends an output at that address.
 */
export interface AssetTerms {
  /** Asset name, e.g. `XCP` or `PICOTOKEN` (never BTC). */
  readonly asset: string;
  /** Network of the channel's addresses (default `regtest`). */
  readonly network?: NetworkName;
  /** Counterparty prefix (default `CNTRPRTY`). */
  readonly prefix?: string;
}

/**
 * The first two outputs of an asset-mode channel transaction: `destinationScript` with
 * `value` BTC, then the OP_RETURN carrying the classic send of `quantity`, keyed by the txid of
 * the output the transaction's first input spends.
 *
 * @throws {@link TransactionError} `TX_INVALID_PARAMS` for a send Counterparty cannot encode
 *   (bad asset name, quantity, destination or value below dust).
 */
export function assetSendOutputs(
  terms: AssetTerms,
  quantity: bigint,
  destinationScript: Uint8Array,
  value: bigint,
  firstInputTxid: string,
): TxOutput[] {
  try {
    return classicSendOutputs({
      asset: terms.asset,
      quantity,
      destinationScript,
      destinationValue: value,
      firstInputTxid,
      network: terms.network ?? 'regtest',
      prefix: terms.prefix,
    });
  } catch (error) {
    if (error instanceof CounterpartyError) {
      throw new TransactionError(
        'TX_INVALID_PARAMS',
        `asset send: ${error.code}: ${error.message}`,
      );
    }
    throw error;
  }
}
