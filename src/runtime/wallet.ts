import { bytesToHex } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import { p2wpkhOutputScript } from '../scripts/key-output-scripts.js';
import { buildDepositTransaction, type FundingCoin } from '../transactions/deposit-transaction.js';
import { publicKeyOf } from '../transactions/keys.js';
import { type Outpoint, decodeTransaction } from '../transactions/raw-transaction.js';

/** What the payer's runtime needs from a wallet: fund the deposit and publish it. */
export interface Wallet {
  /** Pays `amount` to P2SH(deposit script), broadcasts it, and returns where the deposit output is. */
  fundDeposit(
    depositScript: Uint8Array,
    amount: bigint,
    feeRate: number,
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

  async fundDeposit(depositScript: Uint8Array, amount: bigint, feeRate: number) {
    const deposit = buildDepositTransaction({
      coins: this.coins,
      depositScript,
      amount,
      changeScript: this.outputScript,
      feeRate,
      privateKey: this.privateKey,
    });
    await this.chain.broadcast(deposit.rawTx);
    // Every coin the deposit spends leaves the wallet; the change output (if any) joins it.
    const spent = new Set(
      decodeTransaction(deposit.rawTx).inputs.map((i) => `${bytesToHex(i.txid)}:${i.index}`),
    );
    this.coins = this.coins.filter((c) => !spent.has(`${c.outpoint.txid}:${c.outpoint.vout}`));
    if (deposit.change > 0n) this.addCoin({ txid: deposit.txid, vout: 1 }, deposit.change);
    return { txid: deposit.txid, vout: deposit.depositOutpoint.vout, rawTx: deposit.rawTx };
  }
}
