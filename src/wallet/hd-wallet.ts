import { Transaction, p2wpkh } from '@scure/btc-signer';
import { bytesToHex } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import type { DepositAsset, Wallet } from '../runtime/wallet.js';
import { p2wpkhOutputScript } from '../scripts/key-output-scripts.js';
import { type NetworkName, networkParams } from '../scripts/networks.js';
import { buildDepositPsbt, type FundingCoin } from '../transactions/deposit-transaction.js';
import { publicKeyOf } from '../transactions/keys.js';
import { rawTransactionId } from '../transactions/raw-transaction.js';
import { type BlockMark, forkHeight, thinMarks, validMarks } from './block-index.js';
import { type CoinScanner, scriptKey } from './coin-scanner.js';
import { WalletError } from './errors.js';
import { addressScript, signSend } from './send.js';
import { HdKeys, type KeyBranch, checkMnemonic, keyPath } from './hd-keys.js';

/** A coin the wallet owns, as saved in its file. */
export interface WalletCoin {
  readonly txid: string;
  readonly vout: number;
  /** Satoshis, decimal string (JSON has no bigint). */
  readonly value: string;
  readonly branch: 'receive' | 'change';
  readonly index: number;
  /** Height and hash of the block that confirmed it; absent for the wallet's own unconfirmed change. */
  readonly height?: number;
  readonly block?: string;
}

/** The wallet's saved state: the plaintext sealed in the wallet file. */
export interface WalletState {
  readonly format: 'picopayments-wallet-state';
  readonly version: 1;
  readonly mnemonic: string;
  readonly network: NetworkName;
  nextReceive: number;
  nextChange: number;
  nextChannel: number;
  /** Highest block already scanned for coins; -1 before the first scan. */
  scannedHeight: number;
  /**
   * Hashes of scanned blocks (all recent ones, ever fewer further back, see block-index): a
   * reorganisation is noticed at any depth. Absent in files written before it existed.
   */
  blocks?: BlockMark[];
  coins: WalletCoin[];
  /**
   * Outpoints this wallet spent (`txid:vout`), newest last: a rescan must not take them back
   * while their spender still waits in the mempool.
   */
  spent?: string[];
}

/** How many spent outpoints are remembered. */
const MAX_SPENT = 2000;

/** Addresses ahead of the last one handed out that a scan still watches (BIP44's gap limit). */
const GAP = 20;
/** Blocks scanned again when a wallet file has no block hashes yet (written by an older version). */
const LEGACY_RESCAN_DEPTH = 6;
/** Scans restarted when the chain changes under one, before giving up. */
const SCAN_ATTEMPTS = 4;

function validCoin(c: unknown): c is WalletCoin {
  const coin = c as WalletCoin;
  return (
    typeof coin === 'object' &&
    coin !== null &&
    typeof coin.txid === 'string' &&
    Number.isSafeInteger(coin.vout) &&
    typeof coin.value === 'string' &&
    /^\d{1,16}$/.test(coin.value) &&
    (coin.branch === 'receive' || coin.branch === 'change') &&
    Number.isSafeInteger(coin.index) &&
    (coin.height === undefined || Number.isSafeInteger(coin.height)) &&
    (coin.block === undefined || typeof coin.block === 'string')
  );
}

/** Checks the shape of a decrypted wallet state; `WALLET_CORRUPT` otherwise. */
export function parseWalletState(text: string): WalletState {
  let state: WalletState;
  try {
    state = JSON.parse(text) as WalletState;
  } catch {
    throw new WalletError('WALLET_CORRUPT', 'wallet state is not JSON');
  }
  const counters = [state?.nextReceive, state?.nextChange, state?.nextChannel];
  if (
    state?.format !== 'picopayments-wallet-state' ||
    state.version !== 1 ||
    typeof state.mnemonic !== 'string' ||
    !['mainnet', 'testnet', 'regtest'].includes(state.network) ||
    !counters.every((n) => Number.isSafeInteger(n) && n >= 0) ||
    !Number.isSafeInteger(state.scannedHeight) ||
    !Array.isArray(state.coins) ||
    !state.coins.every(validCoin) ||
    !(state.blocks === undefined || validMarks(state.blocks)) ||
    !(
      state.spent === undefined ||
      (Array.isArray(state.spent) && state.spent.every((o) => typeof o === 'string'))
    )
  )
    throw new WalletError('WALLET_CORRUPT', 'wallet state has the wrong shape');
  checkMnemonic(state.mnemonic);
  return state;
}

/**
 * A BIP32 wallet from a BIP39 mnemonic: P2WPKH receive and change addresses, a fresh key for
 * every channel, and coins found on the chain by a {@link CoinScanner}. Implements the engine's
 * {@link Wallet} (funding deposits) and the hub client's channel key source. Every change of
 * state is handed to `save`, which the caller makes durable (the encrypted wallet file).
 */
export class HdWallet implements Wallet {
  private readonly keys: HdKeys;

  constructor(
    readonly state: WalletState,
    private readonly save: (state: WalletState) => Promise<void>,
    private readonly chain?: Chain,
  ) {
    this.keys = new HdKeys(state.mnemonic);
  }

  /** A fresh state for `mnemonic`. */
  static newState(mnemonic: string, network: NetworkName): WalletState {
    return {
      format: 'picopayments-wallet-state',
      version: 1,
      mnemonic: checkMnemonic(mnemonic),
      network,
      nextReceive: 0,
      nextChange: 0,
      nextChannel: 0,
      scannedHeight: -1,
      coins: [],
    };
  }

  private key(branch: KeyBranch, index: number): Uint8Array {
    return this.keys.privateKey(keyPath(this.state.network, branch, index));
  }

  private script(branch: 'receive' | 'change', index: number): Uint8Array {
    return p2wpkhOutputScript(publicKeyOf(this.key(branch, index)));
  }

  /** Address of receive key `index`. */
  address(index: number): string {
    const payment = p2wpkh(
      publicKeyOf(this.key('receive', index)),
      networkParams(this.state.network),
    );
    return payment.address!;
  }

  /** Hands out the next unused receive address (and saves that it was handed out). */
  async newAddress(): Promise<{ address: string; index: number; path: string }> {
    const index = this.state.nextReceive++;
    await this.save(this.state);
    return {
      address: this.address(index),
      index,
      path: keyPath(this.state.network, 'receive', index),
    };
  }

  /** The next channel key, never handed out before (the counter is saved before it is returned). */
  async nextChannelKey(): Promise<{ privateKey: Uint8Array; path: string }> {
    const index = this.state.nextChannel++;
    await this.save(this.state);
    const path = keyPath(this.state.network, 'channel', index);
    return { privateKey: this.keys.privateKey(path), path };
  }

  /** Where recovered channel funds go: a fresh receive address's script. */
  async payoutScript(): Promise<Uint8Array> {
    const index = this.state.nextReceive++;
    await this.save(this.state);
    return this.script('receive', index);
  }

  /** Drops spent coins and remembers them as spent. */
  private forget(spent: ReadonlySet<string>): void {
    this.state.coins = this.state.coins.filter((c) => !spent.has(`${c.txid}:${c.vout}`));
    this.state.spent = [...(this.state.spent ?? []), ...spent].slice(-MAX_SPENT);
  }

  /** Sum of the wallet's coins, satoshis. */
  balance(): bigint {
    return this.state.coins.reduce((sum, c) => sum + BigInt(c.value), 0n);
  }

  /**
   * Brings the coin index up to the chain's tip. First finds the highest scanned block whose
   * hash the chain still has; coins found above it are rolled back (a reorganisation of any
   * depth), then blocks from there to the tip are scanned, each checked to build on the one
   * before (a reorganisation during the scan starts it again). Last, coins the chain reports
   * spent are dropped. `progress` is told each height reached.
   */
  async refresh(
    scanner: CoinScanner,
    chain: Chain,
    progress?: (height: number, tip: number) => void,
  ): Promise<{ rolledBack: number }> {
    const scripts = new Map<string, { branch: 'receive' | 'change'; index: number }>();
    for (const branch of ['receive', 'change'] as const) {
      const next = branch === 'receive' ? this.state.nextReceive : this.state.nextChange;
      for (let index = 0; index < next + GAP; index++)
        scripts.set(scriptKey(this.script(branch, index)), { branch, index });
    }
    const wanted = new Set(scripts.keys());
    let rolledBack = 0;
    for (let attempt = 1; ; attempt++) {
      const fork = await this.rollBack(scanner);
      rolledBack = Math.max(rolledBack, this.state.scannedHeight - fork);
      this.dropAbove(fork);
      const tip = await scanner.height();
      let previous = this.state.blocks?.at(-1)?.hash ?? null;
      let changed = false;
      for (let height = fork + 1; height <= tip; height++) {
        const block = await scanner.block(height, wanted);
        if (block === null) {
          // Below the lowest block a pruned or simulated node serves: nothing to find there.
          if (height >= tip) break;
          previous = null;
          continue;
        }
        if (previous !== null && block.previousHash !== previous) {
          changed = true;
          break;
        }
        this.addCoins(block.coins, block.hash, scripts);
        this.state.blocks = [...(this.state.blocks ?? []), { height, hash: block.hash }];
        this.state.scannedHeight = height;
        previous = block.hash;
        progress?.(height, tip);
      }
      this.state.blocks = thinMarks(this.state.blocks ?? []);
      if (!changed) break;
      if (attempt >= SCAN_ATTEMPTS)
        throw new WalletError('WALLET_CORRUPT', 'the chain kept reorganising during the scan');
    }
    const unspent: WalletCoin[] = [];
    for (const coin of this.state.coins)
      if ((await chain.getOutput({ txid: coin.txid, vout: coin.vout })) !== null)
        unspent.push(coin);
    this.state.coins = unspent;
    await this.save(this.state);
    return { rolledBack };
  }

  /** Height of the highest scanned block still in the chain (-1: none). */
  private async rollBack(scanner: CoinScanner): Promise<number> {
    const marks = this.state.blocks;
    if (marks === undefined || marks.length === 0)
      return this.state.scannedHeight < 0
        ? -1
        : Math.max(-1, this.state.scannedHeight - LEGACY_RESCAN_DEPTH);
    return forkHeight(marks, (h) => scanner.blockHash(h));
  }

  /** Forgets what was found above `height`: blocks and the coins they confirmed. */
  private dropAbove(height: number): void {
    this.state.blocks = (this.state.blocks ?? []).filter((m) => m.height <= height);
    this.state.coins = this.state.coins.filter((c) => c.height === undefined || c.height <= height);
    this.state.scannedHeight = Math.min(this.state.scannedHeight, height);
  }

  private addCoins(
    found: readonly {
      txid: string;
      vout: number;
      value: bigint;
      scriptHex: string;
      height: number;
    }[],
    block: string,
    scripts: ReadonlyMap<string, { branch: 'receive' | 'change'; index: number }>,
  ): void {
    const spent = new Set(this.state.spent ?? []);
    for (const coin of found) {
      const owner = scripts.get(coin.scriptHex);
      const outpoint = `${coin.txid}:${coin.vout}`;
      if (!owner || spent.has(outpoint)) continue;
      // The wallet's own change is known before it confirms: now it has a block.
      this.state.coins = this.state.coins.filter((c) => `${c.txid}:${c.vout}` !== outpoint);
      this.state.coins.push({
        txid: coin.txid,
        vout: coin.vout,
        value: coin.value.toString(),
        ...owner,
        height: coin.height,
        block,
      });
      if (owner.branch === 'receive')
        this.state.nextReceive = Math.max(this.state.nextReceive, owner.index + 1);
      else this.state.nextChange = Math.max(this.state.nextChange, owner.index + 1);
    }
  }

  /**
   * Funds a BTC deposit from the wallet's coins.
   *
   * @throws {@link WalletError} `WALLET_ASSET_UNSUPPORTED` for an asset deposit: this wallet keeps
   *   no Counterparty balances, so it never sends a deposit that would carry no asset;
   *   `WALLET_INSUFFICIENT_FUNDS`.
   */
  async fundDeposit(
    depositScript: Uint8Array,
    amount: bigint,
    feeRate: number,
    asset?: DepositAsset,
  ) {
    if (asset)
      throw new WalletError(
        'WALLET_ASSET_UNSUPPORTED',
        `this wallet holds no Counterparty assets, so it cannot deposit ${asset.asset}`,
      );
    if (amount > this.balance())
      throw new WalletError(
        'WALLET_INSUFFICIENT_FUNDS',
        `need ${amount} sat, have ${this.balance()}`,
      );
    const changeIndex = this.state.nextChange++;
    const keyOf = new Map<string, Uint8Array>();
    const coins: FundingCoin[] = this.state.coins.map((c) => {
      const script = this.script(c.branch, c.index);
      keyOf.set(bytesToHex(script), this.key(c.branch, c.index));
      return { outpoint: { txid: c.txid, vout: c.vout }, value: BigInt(c.value), script };
    });
    const changeScript = this.script('change', changeIndex);
    const tx = Transaction.fromPSBT(
      buildDepositPsbt({ coins, depositScript, amount, changeScript, feeRate }),
    );
    const spent = new Set<string>();
    for (let i = 0; i < tx.inputsLength; i++) {
      const input = tx.getInput(i);
      const key = keyOf.get(bytesToHex(input.witnessUtxo!.script));
      if (!key) throw new WalletError('WALLET_CORRUPT', 'a chosen coin has no key');
      tx.signIdx(key, i);
      spent.add(`${bytesToHex(input.txid!)}:${input.index}`);
    }
    tx.finalize();
    const rawTx = tx.extract();
    const txid = rawTransactionId(rawTx);
    // Saved before broadcast: a crash after it must not let the coins be spent twice.
    this.forget(spent);
    if (tx.outputsLength > 1) {
      const change = tx.getOutput(1).amount!;
      this.state.coins.push({
        txid,
        vout: 1,
        value: change.toString(),
        branch: 'change',
        index: changeIndex,
      });
    }
    await this.save(this.state);
    if (!this.chain)
      throw new WalletError('WALLET_NO_CHAIN', 'the wallet was opened without a chain');
    await this.chain.broadcast(rawTx);
    return { txid, vout: 0, rawTx };
  }

  /**
   * Pays `amount` satoshis to `address` from the wallet's coins and broadcasts it; the spent
   * coins leave the wallet (saved) before the broadcast.
   */
  async send(
    address: string,
    amount: bigint,
    feeRate: number,
  ): Promise<{ txid: string; fee: bigint; change: bigint }> {
    const script = addressScript(address, this.state.network);
    const changeIndex = this.state.nextChange;
    const signed = signSend({
      coins: this.state.coins.map((c) => ({
        txid: c.txid,
        vout: c.vout,
        value: BigInt(c.value),
        script: this.script(c.branch, c.index),
        privateKey: this.key(c.branch, c.index),
      })),
      script,
      amount,
      changeScript: this.script('change', changeIndex),
      feeRate,
    });
    if (!this.chain)
      throw new WalletError('WALLET_NO_CHAIN', 'the wallet was opened without a chain');
    this.state.nextChange++;
    const spent = new Set(signed.spent);
    this.forget(spent);
    if (signed.change > 0n)
      this.state.coins.push({
        txid: signed.txid,
        vout: 1,
        value: signed.change.toString(),
        branch: 'change',
        index: changeIndex,
      });
    await this.save(this.state);
    await this.chain.broadcast(signed.rawTx);
    return { txid: signed.txid, fee: signed.fee, change: signed.change };
  }
}
