/** How Counterparty judged one of its transactions. */
export interface CounterpartyLedgerTransaction {
  readonly txid: string;
  readonly blockHeight: number;
  /** `classic` or `enhanced` send; `unsupported` for message types this ledger does not parse. */
  readonly type: 'classic' | 'enhanced' | 'unsupported';
  /** Address of the output the first input spends. */
  readonly source: string;
  /** Credited address (joined by `-` when a classic send has several destination outputs). */
  readonly destination: string | null;
  readonly asset: string | null;
  /** Quantity moved; for a valid classic send, capped at the source's balance. */
  readonly quantity: bigint | null;
  /** `valid`, or `invalid: <reason>` (nothing moved), or `unsupported` (ignored). */
  readonly status: string;
}

/** Balances per address per asset, as Counterparty computes them from confirmed blocks. */
export interface CounterpartyLedger {
  /** Balance of `asset` held by `address` (`0n` when none). */
  getBalance(address: string, asset: string): Promise<bigint>;
  /** The balance of every asset `address` holds (an implementation may list zero balances). */
  getBalances(address: string): Promise<ReadonlyMap<string, bigint>>;
  /** How a confirmed Counterparty transaction was judged, `null` when it is not one. */
  getTransaction(txid: string): Promise<CounterpartyLedgerTransaction | null>;
}
