import type { SimulatedChain } from '../chain/simulated-chain.js';
import { outputScriptAddress } from '../counterparty/addresses.js';
import type { AddressHistoryOutput } from '../counterparty/asset-address-guards.js';
import type { CounterpartyLedger } from '../counterparty/ledger.js';
import { simulatedAddressHistory } from '../counterparty/simulated-address-history.js';
import type { AssetDepositReading } from '../machines/asset-readings.js';
import { MAX_AMOUNT, formatAmount } from '../messages/amount.js';
import type { NetworkName } from '../scripts/networks.js';

/**
 * What an asset-mode runtime reads of the Counterparty ledger and of channel addresses for its
 * machine (see `asset-readings.ts`): the deposit address's balance and outputs for the payee,
 * commit addresses' histories for the payer.
 */
export interface AssetView {
  /**
   * The deposit address's balance of `asset` and its unspent outputs, or `null` while the
   * ledger has not yet processed block `height` (the runtime asks again at the next sync).
   */
  depositAddress(
    outputScript: Uint8Array,
    asset: string,
    height: number,
  ): Promise<AssetDepositReading | null>;
  /** Every output the address of `outputScript` received, confirmed or in the mempool, with its spender. */
  addressHistory(outputScript: Uint8Array): Promise<AddressHistoryOutput[]>;
  /** The balance of `asset` at the address of `outputScript` (a wallet's, before it funds a deposit). */
  balance(outputScript: Uint8Array, asset: string): Promise<bigint>;
}

/**
 * The embedded {@link AssetView}: a {@link SimulatedChain} and a Counterparty ledger that follows
 * it (the simulated ledger catches up with the chain on every read, so it is never behind).
 */
export class SimulatedAssetView implements AssetView {
  constructor(
    private readonly chain: SimulatedChain,
    private readonly ledger: CounterpartyLedger,
    private readonly network: NetworkName = 'regtest',
  ) {}

  /** {@inheritDoc AssetView.depositAddress} */
  async depositAddress(
    outputScript: Uint8Array,
    asset: string,
    height: number,
  ): Promise<AssetDepositReading | null> {
    if (this.chain.height < height) return null;
    const address = outputScriptAddress(outputScript, this.network);
    if (address === null) return null;
    const balance = await this.ledger.getBalance(address, asset);
    const outputs = this.chain
      .listUnspent(outputScript)
      .map(({ txid, vout, blockHeight }) => ({ txid, vout, blockHeight }));
    // A channel never locks more than a wire amount: a larger balance reads as the largest.
    return { balance: formatAmount(balance > MAX_AMOUNT ? MAX_AMOUNT : balance), outputs };
  }

  /** {@inheritDoc AssetView.balance} */
  async balance(outputScript: Uint8Array, asset: string): Promise<bigint> {
    const address = outputScriptAddress(outputScript, this.network);
    return address === null ? 0n : this.ledger.getBalance(address, asset);
  }

  /** {@inheritDoc AssetView.addressHistory} */
  async addressHistory(outputScript: Uint8Array): Promise<AddressHistoryOutput[]> {
    return simulatedAddressHistory(this.chain, outputScript);
  }
}
