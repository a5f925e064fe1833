import { sha256 } from '@noble/hashes/sha2.js';
import { RawTx } from '@scure/btc-signer/script.js';
import { bytesToHex, concatBytes } from '../bytes.js';
import type {
  Chain,
  ChainOutput,
  ChainTransaction,
  Outpoint,
  RelayPolicy,
  ScriptVerifier,
} from './chain.js';
import { DEFAULT_DUST_RELAY_FEE_RATE } from './relay-policy.js';
import { dustThreshold } from '../transactions/fees.js';
import { ChainError } from './errors.js';
import { type DecodedTransaction, decodeRawTransaction, txidOfDecoded } from './raw-transaction.js';
import { decodedVirtualSize } from './vsize.js';
import { blockHashOf, encodeBlockHeader, merkleRootOf } from './block-header.js';

/** Options of {@link SimulatedChain}. */
export interface SimulatedChainOptions {
  /** Judges every input's script; without it scripts are not checked at all. */
  verifyScript?: ScriptVerifier;
  /** Minimum relay fee rate in sat/vB (default 1). */
  minRelayFeeRate?: number;
  /** Height of the tip before the first block is mined (default 100); reorgs stop here. */
  startHeight?: number;
  /**
   * Replaces mempool transactions by fee, as Bitcoin Core 28 and later do by default (full
   * RBF, whatever the nSequence): a conflicting transaction is accepted when it pays more in
   * total than everything it evicts plus the relay fee on its own size, at a higher fee rate
   * than each conflict. Default false: any conflict is refused.
   */
  replaceByFee?: boolean;
}

/** An unspent output together with where it is. */
export interface SimulatedUtxo extends Outpoint, ChainOutput {}

/** A transaction that spent an outpoint at some point, with what became of it. */
export interface SpendRecord extends ChainTransaction {
  /** `dropped`: evicted by a reorganisation and no longer known to the chain. */
  readonly status: 'confirmed' | 'mempool' | 'dropped';
}

/** A mined block. */
export interface SimulatedBlock {
  readonly height: number;
  /** Hex, display order: the reversed double SHA-256 of the block header (deterministic). */
  readonly hash: string;
  /** Txids in block order; the first is the faucet transaction when the block came from `fund`. */
  readonly txids: readonly string[];
}

/** A block with everything a node serves about it: header, position and transactions. */
export interface SimulatedBlockDetail extends SimulatedBlock {
  /** Hash of the parent block, display order (all zeros above the start height's block). */
  readonly previousHash: string;
  /** The 80-byte serialized header; `hash` is its reversed double SHA-256. */
  readonly header: Uint8Array;
  /** Header time (the simulation's clock: ten minutes a block). */
  readonly time: number;
  /** Transactions in block order, full serializations. */
  readonly transactions: readonly { readonly txid: string; readonly rawTx: Uint8Array }[];
  /** False for a block a reorganisation disconnected. */
  readonly inMainChain: boolean;
}

/** What {@link SimulatedChain.reorg} did. */
export interface ReorgResult {
  /** Blocks disconnected. */
  readonly disconnected: number;
  /** Txids of disconnected (non-faucet) and earlier mempool transactions still in the mempool. */
  readonly mempool: readonly string[];
  /** Txids that are no longer valid and were dropped. */
  readonly dropped: readonly string[];
}

interface TxRecord {
  readonly txid: string;
  readonly rawTx: Uint8Array;
  readonly tx: DecodedTransaction;
  /** `null` for faucet transactions, which create value instead of paying a fee. */
  readonly fee: bigint | null;
  /** Mempool txids this transaction replaced when it was accepted (replace-by-fee). */
  readonly replaces?: readonly string[];
}

interface Block {
  readonly height: number;
  readonly hash: string;
  readonly previousHash: string;
  readonly header: Uint8Array;
  readonly time: number;
  readonly txs: readonly TxRecord[];
}

interface OutputRecord {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  readonly script: Uint8Array;
}

/** nSequence bits of BIP68. */
const SEQUENCE_FINAL = 0xffffffff;
const SEQUENCE_DISABLE_FLAG = 0x80000000;
const SEQUENCE_TYPE_FLAG = 0x00400000;
const SEQUENCE_MASK = 0x0000ffff;
/** nLockTime values from here on are UNIX times, below it block heights. */
const LOCKTIME_THRESHOLD = 500_000_000;
/**
 * The simulation's clock for time-based nLockTime: a fixed origin plus ten minutes a block,
 * so that finality never depends on the wall clock.
 */
const SIMULATED_TIME_ORIGIN = 1_700_000_000;
const SECONDS_PER_BLOCK = 600;
/** Header version (BIP9 top bits) and regtest's minimum-difficulty target. */
const HEADER_VERSION = 0x20000000;
const REGTEST_BITS = 0x207fffff;

/** Previous outpoint of a coinbase input: null txid, index 0xffffffff. */
const NULL_TXID = '00'.repeat(32);
const COINBASE_INDEX = 0xffffffff;

const FAUCET_TAG = new TextEncoder().encode('picopayments simulated faucet');
const GENESIS_TAG = new TextEncoder().encode('picopayments simulated chain');

/**
 * An in-memory Bitcoin chain: blocks, a mempool and the UTXO set, with Bitcoin Core's main
 * acceptance rules (replace-by-fee only when asked for). It is the embedded default {@link Chain}; the
 * synchronous methods serve tests and demos, the asynchronous ones implement `Chain`.
 * Everything is deterministic: same calls, same txids and block hashes.
 */
export class SimulatedChain implements Chain {
  readonly #verifyScript: ScriptVerifier | undefined;
  readonly #minRelayFeeRate: number;
  readonly #replaceByFee: boolean;
  readonly #startHeight: number;
  /** Lowest fee rate a block takes (congestion); see {@link SimulatedChain.miningFeeRate}. */
  #miningFeeRate = 0;
  /** What {@link SimulatedChain.estimateFeeRate} answers; `null`: the relay fee rate. */
  #feeEstimate: number | null = null;
  readonly #genesis: Block;
  readonly #listeners = new Set<(height: number) => void>();

  #blocks: Block[] = [];
  #mempool: TxRecord[] = [];
  /** Derived indices over blocks and mempool, rebuilt after a reorganisation. */
  #txIndex = new Map<string, { record: TxRecord; blockHeight: number | null }>();
  #outputs = new Map<string, OutputRecord>();
  #spentBy = new Map<string, string>();
  /** Every transaction ever accepted that spent an outpoint, in order of last acceptance. */
  readonly #spendHistory = new Map<string, TxRecord[]>();
  #faucetCount = 0;
  /** Blocks ever connected: the header nonce, so a re-mined block never repeats a hash. */
  #connectedCount = 0;
  /** Every block ever connected, by hash, disconnected ones included (as a node keeps them). */
  readonly #archive = new Map<string, Block>();

  constructor(options: SimulatedChainOptions = {}) {
    const startHeight = options.startHeight ?? 100;
    const minRelayFeeRate = options.minRelayFeeRate ?? 1;
    if (!Number.isSafeInteger(startHeight) || startHeight < 0) {
      throw new ChainError('REORG_TOO_DEEP', 'startHeight must be a non-negative integer');
    }
    if (!Number.isFinite(minRelayFeeRate) || minRelayFeeRate < 0) {
      throw new ChainError('TX_FEE_TOO_LOW', 'minRelayFeeRate must be a non-negative number');
    }
    this.#verifyScript = options.verifyScript;
    this.#minRelayFeeRate = minRelayFeeRate;
    this.#replaceByFee = options.replaceByFee ?? false;
    this.#startHeight = startHeight;
    const header = encodeBlockHeader({
      version: 1,
      previousHash: NULL_TXID,
      merkleRoot: bytesToHex(sha256(sha256(concatBytes(GENESIS_TAG, uint32le(startHeight))))),
      time: blockTime(startHeight),
      bits: REGTEST_BITS,
      nonce: 0,
    });
    this.#genesis = {
      height: startHeight,
      hash: blockHashOf(header),
      previousHash: NULL_TXID,
      header,
      time: blockTime(startHeight),
      txs: [],
    };
    this.#archive.set(this.#genesis.hash, this.#genesis);
  }

  /** Height of the chain's first block, below which nothing exists (reorgs stop here). */
  get startHeight(): number {
    return this.#startHeight;
  }

  /** Minimum relay fee rate in sat/vB. */
  get minRelayFeeRate(): number {
    return this.#minRelayFeeRate;
  }

  /** True when mempool transactions are replaced by fee (see `replaceByFee`). */
  get replaceByFee(): boolean {
    return this.#replaceByFee;
  }

  /**
   * Lowest fee rate (sat/vB) of the transactions a mined block takes, to simulate congestion:
   * cheaper ones (and their descendants) wait in the mempool. Default 0.
   */
  get miningFeeRate(): number {
    return this.#miningFeeRate;
  }

  set miningFeeRate(rate: number) {
    if (!Number.isFinite(rate) || rate < 0) {
      throw new ChainError('TX_FEE_TOO_LOW', 'miningFeeRate must be a non-negative number');
    }
    this.#miningFeeRate = rate;
  }

  /**
   * Sets the answer of {@link SimulatedChain.estimateFeeRate} (sat/vB); `null` goes back to
   * the minimum relay fee rate.
   */
  setFeeEstimate(rate: number | null): void {
    if (rate !== null && (!Number.isFinite(rate) || rate < 0)) {
      throw new ChainError('TX_FEE_TOO_LOW', 'a fee estimate must be a non-negative number');
    }
    this.#feeEstimate = rate;
  }

  /** {@inheritDoc Chain.estimateFeeRate} */
  async estimateFeeRate(_confTarget = 6): Promise<number> {
    return Math.max(this.#feeEstimate ?? this.#minRelayFeeRate, this.#minRelayFeeRate);
  }

  /** {@inheritDoc Chain.relayPolicy} */
  async relayPolicy(): Promise<RelayPolicy> {
    return {
      minRelayFeeRate: this.#minRelayFeeRate,
      dustRelayFeeRate: DEFAULT_DUST_RELAY_FEE_RATE,
    };
  }

  /** Hash of the tip block (display order). */
  get tipHash(): string {
    return (this.#blocks.at(-1) ?? this.#genesis).hash;
  }

  /**
   * The main-chain block at `height` with header and transactions; the start height has an
   * empty block of its own. `null` below the start height or above the tip.
   */
  blockDetail(height: number): SimulatedBlockDetail | null {
    if (height === this.#startHeight) return toDetail(this.#genesis, true);
    const block = this.#blocks[height - this.#startHeight - 1];
    return block === undefined ? null : toDetail(block, true);
  }

  /** Any block ever connected, disconnected ones included, by hash; `null` when unknown. */
  blockByHash(hash: string): SimulatedBlockDetail | null {
    const block = this.#archive.get(normalise(hash));
    if (block === undefined) return null;
    const main =
      block.height === this.#startHeight
        ? this.#genesis
        : this.#blocks[block.height - this.#startHeight - 1];
    return toDetail(block, main?.hash === block.hash);
  }

  /** Full serialization of a mempool or main-chain transaction, or `null` when unknown. */
  rawTransaction(txid: string): Uint8Array | null {
    return this.#txIndex.get(normalise(txid))?.record.rawTx.slice() ?? null;
  }

  /** Main-chain height of the block holding `txid`, or `null` in the mempool or unknown. */
  blockHeightOf(txid: string): number | null {
    return this.#txIndex.get(normalise(txid))?.blockHeight ?? null;
  }

  /** Height of the tip. */
  get height(): number {
    return this.#startHeight + this.#blocks.length;
  }

  /**
   * Validates a transaction for inclusion in the next block and adds it to the mempool.
   * A refused transaction leaves the chain unchanged.
   *
   * @returns the txid (display order).
   * @throws {@link ChainError} with the code of the first rule broken.
   */
  submit(rawTx: Uint8Array): string {
    const record = this.#validate(rawTx);
    if (record.replaces?.length) this.#evict(record.replaces);
    this.#addToMempool(record);
    return record.txid;
  }

  /**
   * Runs every acceptance check of {@link submit} without adding the transaction (a node's
   * `testmempoolaccept`).
   *
   * @returns the txid, fee and virtual size.
   * @throws {@link ChainError} with the code of the first rule broken.
   */
  check(rawTx: Uint8Array): { txid: string; fee: bigint; vsize: number } {
    const record = this.#validate(rawTx);
    return {
      txid: record.txid,
      fee: record.fee ?? 0n,
      vsize: decodedVirtualSize(record.tx, record.rawTx.length),
    };
  }

  /**
   * Mines `count` blocks. Each takes every mempool transaction final at its height, parents
   * before children; the rest stays in the mempool. Listeners hear of every block.
   *
   * @returns the new tip height.
   */
  mine(count = 1): number {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new ChainError('REORG_TOO_DEEP', 'block count must be a non-negative integer');
    }
    for (let i = 0; i < count; i++) {
      this.#connectBlock(this.#takeMinable(this.height + 1));
    }
    return this.height;
  }

  /**
   * Faucet: mines a block holding only a coinbase-style transaction paying `value` to
   * `outputScript` (mempool transactions wait for the next `mine`). The output is spendable
   * at once (no coinbase maturity) and disappears if its block is reorganised away.
   *
   * @throws {@link ChainError} `TX_MALFORMED` for a value outside 1..21 million BTC.
   */
  fund(outputScript: Uint8Array, value: bigint): Outpoint {
    if (typeof value !== 'bigint' || value <= 0n || value > 2_100_000_000_000_000n) {
      throw new ChainError('TX_MALFORMED', 'faucet value must be a positive amount of satoshis');
    }
    const height = this.height + 1;
    this.#faucetCount++;
    // BIP34-style height push plus a counter keeps every faucet txid unique.
    const scriptSig = concatBytes(
      new Uint8Array([4]),
      uint32le(height),
      new Uint8Array([4]),
      uint32le(this.#faucetCount),
      new Uint8Array([FAUCET_TAG.length]),
      FAUCET_TAG,
    );
    const tx: DecodedTransaction = {
      version: 2,
      segwitFlag: false,
      inputs: [
        {
          txid: new Uint8Array(32),
          index: COINBASE_INDEX,
          finalScriptSig: scriptSig,
          sequence: SEQUENCE_FINAL,
        },
      ],
      outputs: [{ amount: value, script: outputScript.slice() }],
      witnesses: undefined,
      lockTime: 0,
    };
    const rawTx = RawTx.encode(tx);
    const faucet: TxRecord = { txid: txidOfDecoded(tx), rawTx, tx, fee: null };
    this.#connectBlock([faucet]);
    return { txid: faucet.txid, vout: 0 };
  }

  /** Confirmations of a transaction: 0 in the mempool, `null` when unknown. */
  confirmations(txid: string): number | null {
    const entry = this.#txIndex.get(normalise(txid));
    if (entry === undefined) return null;
    return entry.blockHeight === null ? 0 : this.height - entry.blockHeight + 1;
  }

  /**
   * Outputs not spent by any mempool or confirmed transaction (mempool outputs included, with
   * `blockHeight` null), paying `outputScript`, or all of them when it is omitted.
   */
  listUnspent(outputScript?: Uint8Array): SimulatedUtxo[] {
    const wanted = outputScript === undefined ? undefined : bytesToHex(outputScript);
    const list: SimulatedUtxo[] = [];
    for (const [key, output] of this.#outputs) {
      if (this.#spentBy.has(key)) continue;
      if (wanted !== undefined && bytesToHex(output.script) !== wanted) continue;
      list.push({
        txid: output.txid,
        vout: output.vout,
        value: output.value,
        script: output.script.slice(),
        blockHeight: this.#txIndex.get(output.txid)?.blockHeight ?? null,
      });
    }
    return list;
  }

  /** Sum of {@link listUnspent} for `outputScript`. */
  balanceOf(outputScript: Uint8Array): bigint {
    return this.listUnspent(outputScript).reduce((sum, utxo) => sum + utxo.value, 0n);
  }

  /**
   * Every distinct transaction ever accepted that spent `outpoint`, in order of last
   * acceptance — several only when reorganisations dropped earlier spenders.
   *
   * @throws {@link ChainError} `UNKNOWN_OUTPOINT` for an outpoint never seen.
   */
  transactionsSpending(outpoint: Outpoint): SpendRecord[] {
    const key = outpointKey(outpoint);
    const history = this.#spendHistory.get(key);
    if (history === undefined) {
      if (this.#outputs.has(key)) return [];
      throw new ChainError('UNKNOWN_OUTPOINT', `${key} was never seen`);
    }
    return history.map((record) => {
      const entry = this.#txIndex.get(record.txid);
      const status =
        entry?.record !== record ? 'dropped' : entry.blockHeight === null ? 'mempool' : 'confirmed';
      return {
        txid: record.txid,
        rawTx: record.rawTx.slice(),
        blockHeight: status === 'confirmed' ? (entry?.blockHeight ?? null) : null,
        status,
      };
    });
  }

  /**
   * Disconnects the last `depth` blocks. Their non-faucet transactions go back to the
   * mempool ahead of it; then every mempool transaction is validated again for the next
   * block and those no longer valid are dropped (with their descendants). Call `mine` to
   * build the new branch. Listeners hear the new tip height once.
   *
   * @throws {@link ChainError} `REORG_TOO_DEEP` past the start height.
   */
  reorg(depth: number): ReorgResult {
    if (!Number.isSafeInteger(depth) || depth < 0 || depth > this.#blocks.length) {
      throw new ChainError(
        'REORG_TOO_DEEP',
        `cannot disconnect ${depth} blocks: ${this.#blocks.length} mined since the start height`,
      );
    }
    const disconnected = this.#blocks.slice(this.#blocks.length - depth);
    const candidates = [
      ...disconnected.flatMap((block) => block.txs.filter((record) => record.fee !== null)),
      ...this.#mempool,
    ];
    this.#blocks = this.#blocks.slice(0, this.#blocks.length - depth);
    this.#mempool = [];
    this.#rebuildIndices();
    const kept: string[] = [];
    const dropped: string[] = [];
    for (const candidate of candidates) {
      try {
        const record = this.#validate(candidate.rawTx);
        if (record.replaces?.length) this.#evict(record.replaces);
        this.#addToMempool(record);
        kept.push(candidate.txid);
      } catch (error: unknown) {
        if (!(error instanceof ChainError)) throw error;
        dropped.push(candidate.txid);
      }
    }
    if (depth > 0) this.#notify();
    return { disconnected: depth, mempool: kept, dropped };
  }

  /** Fee of a known transaction (`0n` for faucet transactions), `null` when unknown. */
  feeOf(txid: string): bigint | null {
    const entry = this.#txIndex.get(normalise(txid));
    if (entry === undefined) return null;
    return entry.record.fee ?? 0n;
  }

  /** Sum of the fees of every mempool and confirmed transaction. */
  totalFeesPaid(): bigint {
    let total = 0n;
    for (const { record } of this.#txIndex.values()) total += record.fee ?? 0n;
    return total;
  }

  /** Txids in the mempool, parents before children. */
  mempoolTxids(): string[] {
    return this.#mempool.map((record) => record.txid);
  }

  /** The block at `height`, or `null` at or below the start height or above the tip. */
  block(height: number): SimulatedBlock | null {
    const block = this.#blocks[height - this.#startHeight - 1];
    if (block === undefined) return null;
    return { height: block.height, hash: block.hash, txids: block.txs.map((r) => r.txid) };
  }

  /** {@inheritDoc Chain.getHeight} */
  async getHeight(): Promise<number> {
    return this.height;
  }

  /** {@inheritDoc Chain.broadcast} */
  async broadcast(rawTx: Uint8Array): Promise<string> {
    return this.submit(rawTx);
  }

  /** {@inheritDoc Chain.getTransaction} */
  async getTransaction(txid: string): Promise<ChainTransaction | null> {
    const entry = this.#txIndex.get(normalise(txid));
    if (entry === undefined) return null;
    return toChainTransaction(entry.record, entry.blockHeight);
  }

  /** {@inheritDoc Chain.getSpender} */
  async getSpender(outpoint: Outpoint): Promise<ChainTransaction | null> {
    const spender = this.#spentBy.get(outpointKey(outpoint));
    if (spender === undefined) return null;
    const entry = this.#txIndex.get(spender);
    return entry === undefined ? null : toChainTransaction(entry.record, entry.blockHeight);
  }

  /** {@inheritDoc Chain.getOutput} */
  async getOutput(outpoint: Outpoint): Promise<ChainOutput | null> {
    const key = outpointKey(outpoint);
    const output = this.#outputs.get(key);
    if (output === undefined) return null;
    const spender = this.#spentBy.get(key);
    if (spender !== undefined && this.#txIndex.get(spender)?.blockHeight != null) return null;
    return {
      value: output.value,
      script: output.script.slice(),
      blockHeight: this.#txIndex.get(output.txid)?.blockHeight ?? null,
    };
  }

  /** {@inheritDoc Chain.onBlock} */
  onBlock(listener: (height: number) => void): () => void {
    // Wrapped so that subscribing the same function twice gives two independent subscriptions.
    const subscription = (height: number): void => listener(height);
    this.#listeners.add(subscription);
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  /** Checks every acceptance rule against the current state, changing nothing. */
  #validate(rawTx: Uint8Array): TxRecord {
    const tx = decodeRawTransaction(rawTx);
    const txid = txidOfDecoded(tx);
    const keys = tx.inputs.map((input) =>
      outpointKey({ txid: bytesToHex(input.txid), vout: input.index }),
    );
    if (new Set(keys).size !== keys.length) {
      throw new ChainError('TX_MALFORMED', 'an outpoint is spent twice by the same transaction');
    }
    if (
      tx.inputs.some(
        (input) => input.index === COINBASE_INDEX && bytesToHex(input.txid) === NULL_TXID,
      )
    ) {
      throw new ChainError('TX_MALFORMED', 'a coinbase transaction cannot be broadcast');
    }
    if (this.#txIndex.has(txid))
      throw new ChainError('TX_ALREADY_KNOWN', `${txid} is already known`);

    const prevOuts: OutputRecord[] = [];
    const conflicts = new Set<string>();
    for (const key of keys) {
      const spender = this.#spentBy.get(key);
      if (spender !== undefined) {
        const inMempool = this.#txIndex.get(spender)?.blockHeight === null;
        if (!(this.#replaceByFee && inMempool)) {
          throw new ChainError('TX_CONFLICT', `${key} is already spent by ${spender}`);
        }
        conflicts.add(spender);
      }
      const output = this.#outputs.get(key);
      if (output === undefined) throw new ChainError('TX_MISSING_INPUTS', `${key} is unknown`);
      prevOuts.push(output);
    }

    const inValue = prevOuts.reduce((sum, output) => sum + output.value, 0n);
    const outValue = tx.outputs.reduce((sum, output) => sum + output.amount, 0n);
    if (outValue > inValue) {
      throw new ChainError('TX_OUTPUTS_EXCEED_INPUTS', `outputs ${outValue} > inputs ${inValue}`);
    }

    this.#checkFinal(tx, this.height + 1, (txidOfParent) => {
      return this.#txIndex.get(txidOfParent)?.blockHeight ?? null;
    });

    tx.outputs.forEach((output, vout) => {
      const threshold = dustThreshold(output.script);
      if (output.amount < threshold) {
        throw new ChainError('TX_DUST_OUTPUT', `output ${vout}: ${output.amount} < ${threshold}`);
      }
    });

    const fee = inValue - outValue;
    const vsize = decodedVirtualSize(tx, rawTx.length);
    const minimumFee = BigInt(Math.ceil(this.#minRelayFeeRate * vsize));
    if (fee < minimumFee) {
      throw new ChainError('TX_FEE_TOO_LOW', `fee ${fee} < ${minimumFee} for ${vsize} vB`);
    }
    const replaces = conflicts.size === 0 ? [] : this.#replacementOf(conflicts, fee, vsize);

    if (this.#verifyScript !== undefined) {
      for (let inputIndex = 0; inputIndex < prevOuts.length; inputIndex++) {
        const prevOut = prevOuts[inputIndex]!;
        const result = this.#verifyScript({
          tx: rawTx.slice(),
          inputIndex,
          prevOutScript: prevOut.script.slice(),
          prevOutValue: prevOut.value,
        });
        if (!result.ok) {
          throw new ChainError('TX_SCRIPT_INVALID', `input ${inputIndex}: ${result.error}`);
        }
      }
    }
    return { txid, rawTx: rawTx.slice(), tx, fee, replaces };
  }

  /**
   * The mempool transactions a replacement paying `fee` for `vsize` evicts (the conflicts and
   * their descendants), under BIP125's fee rules as Core applies them with full RBF.
   *
   * @throws {@link ChainError} `TX_CONFLICT` ("insufficient fee") when it pays too little.
   */
  #replacementOf(conflicts: ReadonlySet<string>, fee: bigint, vsize: number): string[] {
    const evicted = this.#withDescendants(conflicts);
    let evictedFees = 0n;
    for (const txid of evicted) {
      const record = this.#txIndex.get(txid)!.record;
      evictedFees += record.fee ?? 0n;
      if (conflicts.has(txid)) {
        const rate = Number(record.fee ?? 0n) / decodedVirtualSize(record.tx, record.rawTx.length);
        if (Number(fee) / vsize <= rate) {
          throw new ChainError(
            'TX_CONFLICT',
            `insufficient fee, rejecting replacement: the fee rate does not exceed that of ${txid}`,
          );
        }
      }
    }
    const increment = BigInt(Math.ceil(this.#minRelayFeeRate * vsize));
    if (fee < evictedFees + increment) {
      throw new ChainError(
        'TX_CONFLICT',
        `insufficient fee, rejecting replacement: fee ${fee} < ${evictedFees} + ${increment}`,
      );
    }
    return [...evicted];
  }

  /** `txids` and every mempool transaction that descends from them. */
  #withDescendants(txids: ReadonlySet<string>): Set<string> {
    const all = new Set(txids);
    // The mempool is in dependency order, so one pass finds every descendant.
    for (const record of this.#mempool) {
      if (record.tx.inputs.some((input) => all.has(bytesToHex(input.txid)))) all.add(record.txid);
    }
    return all;
  }

  /** Removes replaced mempool transactions and everything that depends on them. */
  #evict(txids: readonly string[]): void {
    const gone = new Set(txids);
    this.#mempool = this.#mempool.filter((record) => !gone.has(record.txid));
    this.#rebuildIndices();
    for (const record of this.#mempool) this.#index(record, null);
  }

  /**
   * Absolute nLockTime and BIP68 block-based relative locks for a block at `height`.
   * `parentHeight` gives a parent's block height, `null` while unconfirmed.
   */
  #checkFinal(
    tx: DecodedTransaction,
    height: number,
    parentHeight: (txid: string) => number | null,
  ): void {
    const allFinal = tx.inputs.every((input) => input.sequence === SEQUENCE_FINAL);
    if (tx.lockTime !== 0 && !allFinal) {
      const reached =
        tx.lockTime < LOCKTIME_THRESHOLD
          ? tx.lockTime < height
          : tx.lockTime < SIMULATED_TIME_ORIGIN + SECONDS_PER_BLOCK * (height - 1);
      if (!reached) throw new ChainError('TX_NON_FINAL', `nLockTime ${tx.lockTime} not reached`);
    }
    // BIP68 only binds version 2 and later (the version is signed, so read it as such).
    if (tx.version < 2) return;
    tx.inputs.forEach((input, index) => {
      if ((input.sequence & SEQUENCE_DISABLE_FLAG) !== 0) return;
      if ((input.sequence & SEQUENCE_TYPE_FLAG) !== 0) {
        throw new ChainError('TX_UNSUPPORTED_LOCK', `input ${index}: time-based relative lock`);
      }
      const lock = input.sequence & SEQUENCE_MASK;
      if (lock === 0) return;
      const confirmedAt = parentHeight(bytesToHex(input.txid));
      if (confirmedAt === null) {
        throw new ChainError(
          'TX_NON_FINAL',
          `input ${index}: relative lock on an unconfirmed parent`,
        );
      }
      if (height - confirmedAt < lock) {
        throw new ChainError(
          'TX_NON_FINAL',
          `input ${index}: ${lock} blocks relative lock, ${height - confirmedAt} in the next block`,
        );
      }
    });
  }

  /** Removes from the mempool and returns the transactions a block at `height` can hold. */
  #takeMinable(height: number): TxRecord[] {
    const included = new Set<string>();
    const taken: TxRecord[] = [];
    const remaining: TxRecord[] = [];
    for (const record of this.#mempool) {
      const parentsReady = record.tx.inputs.every((input) => {
        const parent = bytesToHex(input.txid);
        return included.has(parent) || this.#txIndex.get(parent)?.blockHeight != null;
      });
      const paysEnough =
        (record.fee ?? 0n) >=
        BigInt(Math.ceil(this.#miningFeeRate * decodedVirtualSize(record.tx, record.rawTx.length)));
      let final = parentsReady && paysEnough;
      if (final) {
        try {
          this.#checkFinal(record.tx, height, (parent) =>
            included.has(parent) ? height : (this.#txIndex.get(parent)?.blockHeight ?? null),
          );
        } catch (error: unknown) {
          if (!(error instanceof ChainError)) throw error;
          final = false;
        }
      }
      if (final) {
        included.add(record.txid);
        taken.push(record);
      } else {
        remaining.push(record);
      }
    }
    this.#mempool = remaining;
    return taken;
  }

  #connectBlock(txs: TxRecord[]): void {
    const height = this.height + 1;
    const previousHash = this.tipHash;
    this.#connectedCount++;
    const time = blockTime(height);
    const header = encodeBlockHeader({
      version: HEADER_VERSION,
      previousHash,
      merkleRoot: merkleRootOf(txs.map((r) => r.txid)),
      time,
      bits: REGTEST_BITS,
      nonce: this.#connectedCount,
    });
    const block: Block = { height, hash: blockHashOf(header), previousHash, header, time, txs };
    this.#blocks.push(block);
    this.#archive.set(block.hash, block);
    for (const record of txs) {
      if (this.#txIndex.has(record.txid)) {
        this.#txIndex.set(record.txid, { record, blockHeight: height });
      } else {
        this.#index(record, height);
      }
    }
    this.#notify();
  }

  #addToMempool(record: TxRecord): void {
    this.#mempool.push(record);
    this.#index(record, null);
    record.tx.inputs.forEach((input) => {
      const key = outpointKey({ txid: bytesToHex(input.txid), vout: input.index });
      // One entry per txid: a transaction accepted again after a reorg replaces its old entry.
      const history = (this.#spendHistory.get(key) ?? []).filter((r) => r.txid !== record.txid);
      history.push(record);
      this.#spendHistory.set(key, history);
    });
  }

  /** Adds a transaction's outputs and spends to the indices. */
  #index(record: TxRecord, blockHeight: number | null): void {
    this.#txIndex.set(record.txid, { record, blockHeight });
    if (record.fee !== null) {
      for (const input of record.tx.inputs) {
        this.#spentBy.set(
          outpointKey({ txid: bytesToHex(input.txid), vout: input.index }),
          record.txid,
        );
      }
    }
    record.tx.outputs.forEach((output, vout) => {
      this.#outputs.set(outpointKey({ txid: record.txid, vout }), {
        txid: record.txid,
        vout,
        value: output.amount,
        script: output.script,
      });
    });
  }

  #rebuildIndices(): void {
    this.#txIndex = new Map();
    this.#outputs = new Map();
    this.#spentBy = new Map();
    for (const block of this.#blocks) {
      for (const record of block.txs) this.#index(record, block.height);
    }
  }

  #notify(): void {
    const height = this.height;
    for (const listener of [...this.#listeners]) listener(height);
  }
}

function outpointKey(outpoint: Outpoint): string {
  return `${normalise(outpoint.txid)}:${outpoint.vout}`;
}

function normalise(txid: string): string {
  return typeof txid === 'string' ? txid.toLowerCase() : '';
}

function uint32le(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  return bytes;
}

/** Header time of the block at `height` on the simulation's clock. */
function blockTime(height: number): number {
  return SIMULATED_TIME_ORIGIN + SECONDS_PER_BLOCK * (height - 1);
}

function toDetail(block: Block, inMainChain: boolean): SimulatedBlockDetail {
  return {
    height: block.height,
    hash: block.hash,
    txids: block.txs.map((r) => r.txid),
    previousHash: block.previousHash,
    header: block.header.slice(),
    time: block.time,
    transactions: block.txs.map((r) => ({ txid: r.txid, rawTx: r.rawTx.slice() })),
    inMainChain,
  };
}

function toChainTransaction(record: TxRecord, blockHeight: number | null): ChainTransaction {
  return { txid: record.txid, rawTx: record.rawTx.slice(), blockHeight };
}
