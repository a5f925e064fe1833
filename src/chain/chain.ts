/**
 * The chain as the runtime sees it: a narrow, asynchronous interface so that the simulated
 * chain and a Bitcoin Core RPC adapter are interchangeable.
 */
import type { Outpoint } from '../transactions/raw-transaction.js';
import type { RelayPolicy } from './relay-policy.js';

export type { Outpoint, RelayPolicy };
/** A transaction known to the chain. */
export interface ChainTransaction {
  /** Hex, display (RPC) byte order. */
  readonly txid: string;
  /** The full serialization, witness included. */
  readonly rawTx: Uint8Array;
  /** Height of the block holding it; `null` while it waits in the mempool. */
  readonly blockHeight: number | null;
  /**
   * Hash of the block holding it (display order) when the chain knows it: a re-mine at the same
   * height after a reorganisation changes it. Absent from chains that do not report it.
   */
  readonly blockHash?: string | null;
}

/** What a caller asks a chain adapter to follow for it (see {@link Chain.watch}). */
export interface ChainWatchRequest {
  /** Transactions whose confirmation is awaited. */
  readonly txids?: readonly string[];
  /** Outputs whose spender is awaited. */
  readonly outpoints?: readonly Outpoint[];
  /**
   * Lowest height at which a watched item can already have confirmed; an adapter that indexes
   * by scanning blocks rescans from here. Omitted: only from now on.
   */
  readonly fromHeight?: number;
}

/** An unspent output. */
export interface ChainOutput {
  readonly value: bigint;
  readonly script: Uint8Array;
  /** Height of the block that created it; `null` when its transaction is in the mempool. */
  readonly blockHeight: number | null;
}

/** What the runtime needs from a Bitcoin node. */
export interface Chain {
  /** Height of the chain tip. */
  getHeight(): Promise<number>;
  /** Submits a transaction to the mempool; resolves its txid, rejects with a `ChainError`. */
  broadcast(rawTx: Uint8Array): Promise<string>;
  /** A transaction in the mempool or a block, or `null` when unknown. */
  getTransaction(txid: string): Promise<ChainTransaction | null>;
  /** The mempool or confirmed transaction spending `outpoint`, or `null`. */
  getSpender(outpoint: Outpoint): Promise<ChainTransaction | null>;
  /** The output, or `null` when unknown or spent by a confirmed transaction. */
  getOutput(outpoint: Outpoint): Promise<ChainOutput | null>;
  /**
   * Calls `listener` with the new tip height after every connected block, also after a
   * reorganisation. Returns a function that unsubscribes.
   */
  onBlock(listener: (height: number) => void): () => void;
  /**
   * Optional capability: asks the chain to follow transactions and outputs so that
   * `getTransaction` and `getSpender` answer for them without a full transaction index.
   * Chains that see everything (the simulated chain) need not implement it.
   */
  watch?(request: ChainWatchRequest): Promise<void>;
  /**
   * Optional capability: fee rate (sat/vB) for confirmation within `confTarget` blocks, never
   * below the chain's floor. A fee bumper uses it; without it, rates only grow from the last.
   */
  estimateFeeRate?(confTarget: number): Promise<number>;
  /**
   * Optional capability: the node's relay policy, so that fee-rate floors come from the chain
   * instead of constants in code. Without it the defaults of Bitcoin Core apply.
   */
  relayPolicy?(): Promise<RelayPolicy>;
}

/** Result of a script check. */
export type ScriptVerifyResult = { ok: true } | { ok: false; error: string };

/**
 * Checks that input `inputIndex` of `tx` validly spends an output with `prevOutScript` and
 * `prevOutValue`. Injected into the simulated chain so that script validity is judged by an
 * interpreter chosen by the caller (in tests: an independent one).
 */
export type ScriptVerifier = (args: {
  tx: Uint8Array;
  inputIndex: number;
  prevOutScript: Uint8Array;
  prevOutValue: bigint;
}) => ScriptVerifyResult;
