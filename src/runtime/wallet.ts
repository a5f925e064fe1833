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

/** A deposit a single-key wallet built, with where its change went. */
export interface WalletDeposit {
  readonly rawTx: Uint8Array;
  readonly txid: string;
  readonly vout: number;
  /** Change back to the wallet (0 when it would be dust). */
  readonly change: bigint;
  /** Output index of the change. */
  readonly changeVout: number;
}

/**
 * Builds a single-key wallet's deposit: a BTC deposit, or with `asset` a Counterparty classic
 * send of `asset.quantity` from the wallet's address (every coin pays the wallet's one address,
 * which also holds its Counterparty balances, so any coin is a source of the asset, and the
 * change keeps an output there).
 *
 * @throws {@link TransactionError} as the deposit builders do.
 */
export function buildWalletDeposit(params: {
  readonly coins: readonly FundingCoin[];
  readonly depositScript: Uint8Array;
  readonly amount: bigint;
  readonly feeRate: number;
  readonly changeScript: Uint8Array;
  readonly privateKey: Uint8Array;
  readonly asset?: DepositAsset;
  readonly network: NetworkName;
}): WalletDeposit {
  const { asset, amount, network, ...common } = params;
  const deposit = asset
    ? buildAssetDepositTransaction({
        ...common,
        btcValue: amount,
        quantity: asset.quantity,
        terms: { asset: asset.asset, network },
      })
    : buildDepositTransaction({ ...common, amount });
  return {
    rawTx: deposit.rawTx,
    txid: deposit.txid,
    vout: deposit.depositOutpoint.vout,
    change: deposit.change,
    changeVout: asset ? 2 : 1,
  };
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
    const deposit = buildWalletDeposit({
      coins: this.coins,
      depositScript,
      amount,
      feeRate,
      changeScript: this.outputScript,
      privateKey: this.privateKey,
      network: this.network,
      ...(asset ? { asset } : {}),
    });
    await this.chain.broadcast(deposit.rawTx);
    // Every coin the deposit spends leaves the wallet; the change output (if any) joins it.
    const spent = new Set(
      decodeTransaction(deposit.rawTx).inputs.map((i) => `${bytesToHex(i.txid)}:${i.index}`),
    );
    this.coins = this.coins.filter((c) => !spent.has(`${c.outpoint.txid}:${c.outpoint.vout}`));
    if (deposit.change > 0n)
      this.addCoin({ txid: deposit.txid, vout: deposit.changeVout }, deposit.change);
    return { txid: deposit.txid, vout: deposit.vout, rawTx: deposit.rawTx };
  }
}
