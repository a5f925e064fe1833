import { bytesToHex } from '../bytes.js';
import { decodeRawTransaction } from '../chain/raw-transaction.js';
import type { SimulatedChain } from '../chain/simulated-chain.js';
import type { NetworkName } from '../scripts/networks.js';
import { applyCounterpartyTransaction } from './apply-transaction.js';
import { assetId } from './assets.js';
import { CounterpartyBalances } from './balances.js';
import { CounterpartyError } from './errors.js';
import type { CounterpartyLedger, CounterpartyLedgerTransaction } from './ledger.js';
import { MAX_QUANTITY } from './quantity.js';

/** A balance that exists before the first block (this ledger does not parse issuances). */
export interface CounterpartyAllocation {
  readonly address: string;
  readonly asset: string;
  readonly quantity: bigint;
}

/** Options of {@link SimulatedCounterpartyLedger}. */
export interface SimulatedCounterpartyLedgerOptions {
  /** The chain whose confirmed blocks are parsed. */
  readonly chain: SimulatedChain;
  /** Network of addresses (default `regtest`, the simulation's usual network). */
  readonly network?: NetworkName;
  /** Prefix (default `CNTRPRTY`). */
  readonly prefix?: string;
  /** Balances before the first block. */
  readonly allocations?: readonly CounterpartyAllocation[];
}

interface AppliedBlock {
  readonly hash: string;
  /** Balances after the block. */
  readonly balances: CounterpartyBalances;
  readonly transactions: readonly CounterpartyLedgerTransaction[];
}

/**
 * The embedded Counterparty ledger: it parses every confirmed transaction of a
 * {@link SimulatedChain}, block by block in block order, with
 * {@link applyCounterpartyTransaction}. Reads catch up with the chain first, and a
 * reorganisation is followed by going back to the last block still on the chain. The chain is
 * only read, through its public methods.
 */
export class SimulatedCounterpartyLedger implements CounterpartyLedger {
  readonly #chain: SimulatedChain;
  readonly #network: NetworkName;
  readonly #prefix: string | undefined;
  /** Height below the first block the ledger parses: the chain's start height. */
  readonly #baseHeight: number;
  readonly #genesis = new CounterpartyBalances();
  readonly #supply = new Map<string, bigint>();
  /** `#applied[i]` is the block at `#baseHeight + 1 + i`. */
  #applied: AppliedBlock[] = [];
  readonly #transactions = new Map<string, CounterpartyLedgerTransaction>();
  #syncing: Promise<void> = Promise.resolve();

  constructor(options: SimulatedCounterpartyLedgerOptions) {
    this.#chain = options.chain;
    this.#network = options.network ?? 'regtest';
    this.#prefix = options.prefix;
    let height = this.#chain.height;
    while (height > 0 && this.#chain.block(height) !== null) height--;
    this.#baseHeight = height;
    for (const allocation of options.allocations ?? []) {
      this.allocate(allocation.address, allocation.asset, allocation.quantity);
    }
  }

  /**
   * Adds a balance that exists before the first block. Every block is parsed again on the
   * next read, since earlier sends may now be judged differently.
   *
   * @throws {@link CounterpartyError} `ASSET_NAME_INVALID`, `ASSET_NOT_SENDABLE` (BTC),
   *   `QUANTITY_INVALID` or `QUANTITY_OVERFLOW` (an asset's total above 2⁶³−1).
   */
  allocate(address: string, asset: string, quantity: bigint): void {
    if (assetId(asset) === 0n) throw new CounterpartyError('ASSET_NOT_SENDABLE', 'BTC');
    if (typeof address !== 'string' || address.length === 0) {
      throw new CounterpartyError('INVALID_ARGUMENT', 'address must be a non-empty string');
    }
    if (typeof quantity !== 'bigint' || quantity <= 0n) {
      throw new CounterpartyError('QUANTITY_INVALID', 'allocation must be a positive bigint');
    }
    // Sends conserve each asset, so a bounded supply keeps every balance within 2^63-1.
    const supply = (this.#supply.get(asset) ?? 0n) + quantity;
    if (supply > MAX_QUANTITY) {
      throw new CounterpartyError('QUANTITY_OVERFLOW', `${asset} supply above 2^63-1`);
    }
    this.#supply.set(asset, supply);
    this.#genesis.credit(address, asset, quantity);
    this.#rollBackTo(0);
  }

  /** Parses the blocks confirmed since the last read, after undoing any reorganised away. */
  sync(): Promise<void> {
    const run = this.#syncing.then(() => this.#catchUp());
    this.#syncing = run.catch(() => undefined);
    return run;
  }

  /** {@inheritDoc CounterpartyLedger.getBalance} */
  async getBalance(address: string, asset: string): Promise<bigint> {
    await this.sync();
    return this.#current().row(address, asset) ?? 0n;
  }

  /** {@inheritDoc CounterpartyLedger.getBalances} */
  async getBalances(address: string): Promise<ReadonlyMap<string, bigint>> {
    await this.sync();
    return this.#current().rowsOf(address);
  }

  /** {@inheritDoc CounterpartyLedger.getTransaction} */
  async getTransaction(txid: string): Promise<CounterpartyLedgerTransaction | null> {
    await this.sync();
    return this.#transactions.get(typeof txid === 'string' ? txid.toLowerCase() : '') ?? null;
  }

  #current(): CounterpartyBalances {
    return this.#applied.at(-1)?.balances ?? this.#genesis;
  }

  async #catchUp(): Promise<void> {
    const chain = this.#chain;
    // Block hashes chain to their parents: the highest block that still matches has every
    // block below it matching too.
    let kept = Math.min(this.#applied.length, chain.height - this.#baseHeight);
    while (
      kept > 0 &&
      chain.block(this.#baseHeight + kept)?.hash !== this.#applied[kept - 1]!.hash
    ) {
      kept--;
    }
    this.#rollBackTo(kept);
    for (
      let height = this.#baseHeight + this.#applied.length + 1;
      height <= chain.height;
      height++
    ) {
      const block = chain.block(height)!;
      const balances = this.#current().clone();
      const transactions: CounterpartyLedgerTransaction[] = [];
      for (const txid of block.txids) {
        const record = await chain.getTransaction(txid);
        if (record === null) throw new CounterpartyError('PREVOUT_UNKNOWN', `${txid} vanished`);
        const prevOutScript = await this.#firstPrevOutScript(record.rawTx);
        const result = applyCounterpartyTransaction(balances, record.rawTx, () => prevOutScript, {
          blockHeight: height,
          network: this.#network,
          prefix: this.#prefix,
        });
        if (result !== null) transactions.push(result);
      }
      this.#applied.push({ hash: block.hash, balances, transactions });
      for (const result of transactions) this.#transactions.set(result.txid, result);
    }
  }

  /** The output script the first input spends, `null` for coinbase-style inputs. */
  async #firstPrevOutScript(rawTx: Uint8Array): Promise<Uint8Array | null> {
    const input = decodeRawTransaction(rawTx).inputs[0]!;
    const parent = await this.#chain.getTransaction(bytesToHex(input.txid));
    if (parent === null) return null;
    return decodeRawTransaction(parent.rawTx).outputs[input.index]?.script ?? null;
  }

  #rollBackTo(kept: number): void {
    for (const block of this.#applied.slice(kept)) {
      for (const result of block.transactions) this.#transactions.delete(result.txid);
    }
    this.#applied = this.#applied.slice(0, kept);
  }
}
