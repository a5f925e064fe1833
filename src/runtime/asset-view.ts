import type { SimulatedChain } from '../chain/simulated-chain.js';
import { outputScriptAddress } from '../counterparty/addresses.js';
import type { AddressHistoryOutput, AddressOutput } from '../counterparty/asset-address-guards.js';
import type { CounterpartyLedger } from '../counterparty/ledger.js';
import { simulatedAddressHistory } from '../counterparty/simulated-address-history.js';
import type { AssetDepositReading } from '../machines/asset-readings.js';
import { MAX_AMOUNT, formatAmount } from '../messages/amount.js';
import type { NetworkName } from '../scripts/networks.js';
import { addressScript } from '../wallet/send.js';

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

/** A Counterparty ledger that says which block it has parsed up to. */
export interface HeightedLedger extends CounterpartyLedger {
  /** The last block whose transactions the balances include. */
  getHeight(): Promise<number>;
}

/** Outputs at an address, as a node's address index lists them (e.g. `EsploraAddressIndex`). */
export interface AddressIndex {
  /** The unspent outputs at `address`, mempool ones with a null height. */
  unspent(address: string): Promise<AddressOutput[]>;
  /** Every output `address` received, confirmed or in the mempool, with its spender. */
  history(address: string): Promise<AddressHistoryOutput[]>;
}

/**
 * An {@link AssetView} from a Counterparty ledger (balances, e.g. `CounterpartyCoreLedger`) and
 * an address index (outputs and spends, e.g. `EsploraAddressIndex`).
 */
export class LedgerAssetView implements AssetView {
  constructor(
    private readonly ledger: HeightedLedger,
    private readonly index: AddressIndex,
    private readonly network: NetworkName = 'regtest',
  ) {}

  private addressOf(outputScript: Uint8Array): string | null {
    return outputScriptAddress(outputScript, this.network);
  }

  /** {@inheritDoc AssetView.depositAddress} */
  async depositAddress(
    outputScript: Uint8Array,
    asset: string,
    height: number,
  ): Promise<AssetDepositReading | null> {
    if ((await this.ledger.getHeight()) < height) return null;
    const address = this.addressOf(outputScript);
    if (address === null) return null;
    const balance = await this.ledger.getBalance(address, asset);
    const outputs = await this.index.unspent(address);
    // A channel never locks more than a wire amount: a larger balance reads as the largest.
    return { balance: formatAmount(balance > MAX_AMOUNT ? MAX_AMOUNT : balance), outputs };
  }

  /** {@inheritDoc AssetView.balance} */
  async balance(outputScript: Uint8Array, asset: string): Promise<bigint> {
    const address = this.addressOf(outputScript);
    return address === null ? 0n : this.ledger.getBalance(address, asset);
  }

  /** {@inheritDoc AssetView.addressHistory} */
  async addressHistory(outputScript: Uint8Array): Promise<AddressHistoryOutput[]> {
    const address = this.addressOf(outputScript);
    return address === null ? [] : this.index.history(address);
  }
}

/** The {@link AddressIndex} of a {@link SimulatedChain}: its UTXO set and its blocks and mempool. */
export function simulatedAddressIndex(
  chain: SimulatedChain,
  network: NetworkName = 'regtest',
): AddressIndex {
  return {
    unspent: async (address) =>
      chain
        .listUnspent()
        .filter((utxo) => outputScriptAddress(utxo.script, network) === address)
        .map(({ txid, vout, blockHeight }) => ({ txid, vout, blockHeight })),
    history: async (address) => simulatedAddressHistory(chain, addressScript(address, network)),
  };
}

/**
 * The embedded {@link AssetView}: a {@link SimulatedChain} and a Counterparty ledger that follows
 * it (the simulated ledger catches up with the chain on every read, so it is never behind).
 */
export class SimulatedAssetView extends LedgerAssetView {
  constructor(chain: SimulatedChain, ledger: CounterpartyLedger, network: NetworkName = 'regtest') {
    const caughtUp: HeightedLedger = {
      getBalance: (address, asset) => ledger.getBalance(address, asset),
      getBalances: (address) => ledger.getBalances(address),
      getTransaction: (txid) => ledger.getTransaction(txid),
      getHeight: async () => chain.height,
    };
    super(caughtUp, simulatedAddressIndex(chain, network), network);
  }
}
