import { bytesToHex } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import type { Store } from '../runtime/store.js';
import { type DepositAsset, type Wallet, buildWalletDeposit } from '../runtime/wallet.js';
import type { NetworkName } from '../scripts/networks.js';
import { p2wpkhOutputScript } from '../scripts/key-output-scripts.js';
import type { FundingCoin } from '../transactions/deposit-transaction.js';
import { publicKeyOf } from '../transactions/keys.js';
import { type Outpoint, decodeTransaction } from '../transactions/raw-transaction.js';
import { HubError } from './errors.js';

interface StoredCoin {
  readonly txid: string;
  readonly vout: number;
  readonly value: string;
}

/**
 * The hub's single-key P2WPKH wallet, whose coins (change included) are saved in a store, so a
 * restarted hub still knows its change. Given the hub's journaled store, a deposit's coin
 * change is saved in the same transaction as the channel it funds.
 */
export class StoredWallet implements Wallet {
  private coins: FundingCoin[] = [];
  /** The wallet's P2WPKH output script. */
  readonly outputScript: Uint8Array;

  private constructor(
    private readonly chain: Chain,
    private readonly privateKey: Uint8Array,
    private readonly store: Store,
    /** Store key of the coin list. */
    readonly key: string,
    /** Network of the wallet's asset sends. */
    private readonly network: NetworkName,
  ) {
    this.outputScript = p2wpkhOutputScript(publicKeyOf(privateKey));
  }

  /**
   * Opens the wallet and loads its coins.
   *
   * @throws {@link HubError} `INTERNAL` when the saved coin list is not readable.
   */
  static async open(
    chain: Chain,
    privateKey: Uint8Array,
    store: Store,
    key = 'hub:wallet',
    network: NetworkName = 'regtest',
  ): Promise<StoredWallet> {
    const wallet = new StoredWallet(chain, privateKey, store, key, network);
    await wallet.reload();
    return wallet;
  }

  /** Reads the coin list again (another process sharing the store may have spent coins). */
  async reload(): Promise<void> {
    const text = await this.store.load(this.key);
    if (text === null) {
      this.coins = [];
      return;
    }
    let saved: StoredCoin[];
    try {
      saved = JSON.parse(text) as StoredCoin[];
      if (!Array.isArray(saved)) throw new Error('shape');
      this.coins = saved.map((c) => ({
        outpoint: { txid: c.txid, vout: c.vout },
        value: BigInt(c.value),
        script: this.outputScript,
      }));
    } catch {
      throw new HubError('INTERNAL', 'the hub wallet record is not readable');
    }
  }

  /** Adds an unspent output paying this wallet's script (once; a known outpoint is ignored). */
  async addCoin(outpoint: Outpoint, value: bigint): Promise<void> {
    if (
      this.coins.some((c) => c.outpoint.txid === outpoint.txid && c.outpoint.vout === outpoint.vout)
    )
      return;
    this.coins.push({ outpoint, value, script: this.outputScript });
    await this.persist();
  }

  /** Sum of the coins the wallet believes unspent. */
  balance(): bigint {
    return this.coins.reduce((sum, c) => sum + c.value, 0n);
  }

  /**
   * Funds and broadcasts a deposit (with `asset`, an asset deposit from the wallet's address);
   * the spent coins leave and the change joins, durably.
   */
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
    const before = this.coins;
    const spent = new Set(
      decodeTransaction(deposit.rawTx).inputs.map((i) => `${bytesToHex(i.txid)}:${i.index}`),
    );
    this.coins = this.coins.filter((c) => !spent.has(`${c.outpoint.txid}:${c.outpoint.vout}`));
    if (deposit.change > 0n)
      this.coins.push({
        outpoint: { txid: deposit.txid, vout: deposit.changeVout },
        value: deposit.change,
        script: this.outputScript,
      });
    // Saved before the broadcast: a crash in between leaves coins marked spent (found again by
    // a rescan), never a coin spent twice.
    await this.persist();
    try {
      await this.chain.broadcast(deposit.rawTx);
    } catch (error) {
      // Refused: the coins were not spent after all.
      this.coins = before;
      await this.persist();
      throw error;
    }
    return { txid: deposit.txid, vout: deposit.vout, rawTx: deposit.rawTx };
  }

  private persist(): Promise<void> {
    const saved: StoredCoin[] = this.coins.map((c) => ({
      txid: c.outpoint.txid,
      vout: c.outpoint.vout,
      value: c.value.toString(),
    }));
    return this.store.save(this.key, JSON.stringify(saved));
  }
}
