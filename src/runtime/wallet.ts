import { bytesToHex } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import { p2wpkhOutputScript } from '../scripts/key-output-scripts.js';
import type { NetworkName } from '../scripts/networks.js';
import { buildAssetDepositTransaction } from '../transactions/asset-deposit.js';
import { buildDepositTransaction, type FundingCoin } from '../transactions/deposit-transaction.js';
import { publicKeyOf } from '../transactions/keys.js';
import { type Outpoint, decodeTransaction } from '../transactions/raw-transaction.js';

/** The asset an asset-mode deposit sends along with its BTC. */
export interface DepositAsset {
  readonly asset: string;
  readonly quantity: bigint;
}

/** What the payer's runtime needs from a wallet: fund the deposit and publish it. */
export interface Wallet {
  /**
   * Pays `amount` to P2SH(deposit script), broadcasts it, and returns where the deposit output
   * is. With `asset`, the deposit is also a Counterparty classic send of `asset.quantity` to
   * that address, from the wallet's address holding the asset.
   */
  fundDeposit(
    depositScript: Uint8Array,
    amount: bigint,
    feeRate: number,
    asset?: DepositAsset,
  ): Promise<{ txid: string; vout: number; rawTx: Uint8Array }>;
}

/**
 * A single-key P2WPKH wallet over a {@link Chain}: the embedded default for demos and tests.
 * Coins are added explicitly (e.g. from a simulated chain's faucet); change comes back to the
 * same key and is tracked.
 */
export class SingleKeyWallet implements Wallet {
  private coins: FundingCoin[] = [];
  /** The wallet's P2WPKH output script. */
  readonly outputScript: Uint8Array;

  constructor(
    private readonly chain: Chain,
    private readonly privateKey: Uint8Array,
    /** Network of the wallet's asset sends (asset mode only). */
    private readonly network: NetworkName = 'regtest',
  ) {
    this.outputScript = p2wpkhOutputScript(publicKeyOf(privateKey));
  }

  /** Adds an unspent output paying this wallet's script. */
  addCoin(outpoint: Outpoint, value: bigint): void {
    this.coins.push({ outpoint, value, script: this.outputScript });
  }

  /** Sum of the coins the wallet believes unspent. */
  balance(): bigint {
    return this.coins.reduce((sum, c) => sum + c.value, 0n);
  }

  async fundDeposit(
    depositScript: Uint8Array,
    amount: bigint,
    feeRate: number,
    asset?: DepositAsset,
  ) {
    const common = {
      coins: this.coins,
      depositScript,
      changeScript: this.outputScript,
      feeRate,
      privateKey: this.privateKey,
    };
    // Every coin pays the wallet's one address, which also holds its Counterparty balances:
    // any coin is a source of the asset, and the change keeps an output there.
    const deposit = asset
      ? buildAssetDepositTransaction({
          ...common,
          btcValue: amount,
          quantity: asset.quantity,
          terms: { asset: asset.asset, network: this.network },
        })
      : buildDepositTransaction({ ...common, amount });
    const changeVout = asset ? 2 : 1;
    await this.chain.broadcast(deposit.rawTx);
    // Every coin the deposit spends leaves the wallet; the change output (if any) joins it.
    const spent = new Set(
      decodeTransaction(deposit.rawTx).inputs.map((i) => `${bytesToHex(i.txid)}:${i.index}`),
    );
    this.coins = this.coins.filter((c) => !spent.has(`${c.outpoint.txid}:${c.outpoint.vout}`));
    if (deposit.change > 0n) this.addCoin({ txid: deposit.txid, vout: changeVout }, deposit.change);
    return { txid: deposit.txid, vout: deposit.depositOutpoint.vout, rawTx: deposit.rawTx };
  }
}
