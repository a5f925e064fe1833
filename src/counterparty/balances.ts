import { CounterpartyError } from './errors.js';
import { MAX_QUANTITY } from './quantity.js';

/**
 * Balance rows per address and asset. A row, once created, stays even at zero, because
 * Counterparty tells "no balance" from "zero balance" when it judges a classic send.
 */
export class CounterpartyBalances {
  readonly #rows = new Map<string, Map<string, bigint>>();

  /** The balance of a row, or `null` when the row does not exist. */
  row(address: string, asset: string): bigint | null {
    return this.#rows.get(address)?.get(asset) ?? null;
  }

  /** Every row of an address. */
  rowsOf(address: string): ReadonlyMap<string, bigint> {
    return new Map(this.#rows.get(address) ?? []);
  }

  /**
   * Adds to a row, creating it.
   *
   * @throws {@link CounterpartyError} `QUANTITY_INVALID` for a negative quantity,
   *   `QUANTITY_OVERFLOW` when the balance would exceed 2⁶³−1.
   */
  credit(address: string, asset: string, quantity: bigint): void {
    if (typeof quantity !== 'bigint' || quantity < 0n) {
      throw new CounterpartyError('QUANTITY_INVALID', 'credit must be a non-negative bigint');
    }
    const next = (this.row(address, asset) ?? 0n) + quantity;
    if (next > MAX_QUANTITY) {
      throw new CounterpartyError('QUANTITY_OVERFLOW', `balance ${next} is above 2^63-1`);
    }
    this.#set(address, asset, next);
  }

  /**
   * Subtracts from an existing row.
   *
   * @throws {@link CounterpartyError} `QUANTITY_INVALID` when the row holds less.
   */
  debit(address: string, asset: string, quantity: bigint): void {
    const current = this.row(address, asset) ?? 0n;
    if (quantity < 0n || quantity > current) {
      throw new CounterpartyError('QUANTITY_INVALID', `cannot debit ${quantity} from ${current}`);
    }
    this.#set(address, asset, current - quantity);
  }

  /** An independent copy. */
  clone(): CounterpartyBalances {
    const copy = new CounterpartyBalances();
    for (const [address, assets] of this.#rows) {
      for (const [asset, quantity] of assets) copy.#set(address, asset, quantity);
    }
    return copy;
  }

  #set(address: string, asset: string, quantity: bigint): void {
    let assets = this.#rows.get(address);
    if (assets === undefined) {
      assets = new Map();
      this.#rows.set(address, assets);
    }
    assets.set(asset, quantity);
  }
}
