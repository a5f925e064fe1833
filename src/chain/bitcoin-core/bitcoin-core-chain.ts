import { RawTx } from '@scure/btc-signer/script.js';
import { bytesToHex, hexToBytes } from '../../bytes.js';
import type {
  Chain,
  ChainOutput,
  ChainTransaction,
  ChainWatchRequest,
  Outpoint,
  RelayPolicy,
} from '../chain.js';
import { DEFAULT_DUST_RELAY_FEE_RATE } from '../relay-policy.js';
import { ChainError, type ChainErrorCode } from '../errors.js';
import type { RetryPolicy } from '../http/retry.js';
import { decodeRawTransaction, txidOfDecoded } from '../raw-transaction.js';
import {
  type ChainCursorStore,
  emptyFollowerState,
  type FollowerState,
  type IndexedConfirmation,
  MemoryCursorStore,
} from './cursor-store.js';
import { codeOfRejectReason } from './reject-reasons.js';
import {
  asHash,
  type CoreBlock,
  parseAcceptance,
  parseBlock,
  parseFeeEstimate,
  parseHeader,
  parseMempoolMinFee,
  parseNetworkRelayFee,
  parseSpending,
  parseTxOut,
  parseVerboseTransaction,
} from './response-shapes.js';
import { type CoreRpcAuth, CoreRpcClient } from './rpc-client.js';

/** Options of {@link BitcoinCoreChain}. */
export interface BitcoinCoreChainOptions {
  /** RPC endpoint, e.g. `http://127.0.0.1:18443/`. */
  readonly url: string;
  readonly auth: CoreRpcAuth;
  /** Per RPC attempt (default 10 s). */
  readonly timeoutMs?: number;
  /** Retries while the node is unreachable (default 2, from 200 ms, doubling). */
  readonly retry?: RetryPolicy;
  readonly maxResponseBytes?: number;
  /** Where the follower's cursor and index live (default: in memory). */
  readonly cursorStore?: ChainCursorStore;
  /** How often `onBlock` subscribers poll the node (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Lowest fee rate {@link BitcoinCoreChain.estimateFeeRate} returns, sat/vB (default 1). */
  readonly feeRateFloor?: number;
  /**
   * Blocks scanned back for a transaction or outpoint first asked about without
   * {@link BitcoinCoreChain.watch} and not found in the mempool (default 6).
   */
  readonly lookbackBlocks?: number;
  /** Block hashes remembered for finding fork points (default 1000: the deepest reorg handled). */
  readonly reorgWindow?: number;
  /** Height to start following from when there is no saved cursor (default: the tip). */
  readonly startHeight?: number;
}

/** Core's "no such transaction / block" code. */
const RPC_INVALID_ADDRESS_OR_KEY = -5;
/** Core's "block height out of range" (and other invalid parameters). */
const RPC_INVALID_PARAMETER = -8;
const RPC_DESERIALIZATION_ERROR = -22;
const RPC_VERIFY_ERROR = -25;
const RPC_VERIFY_REJECTED = -26;
const RPC_VERIFY_ALREADY_IN_CHAIN = -27;

function outpointKey(outpoint: Outpoint): string {
  return `${outpoint.txid.toLowerCase()}:${outpoint.vout}`;
}

function isTxid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value);
}

function isOutpoint(value: Outpoint): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    isTxid(value.txid) &&
    Number.isSafeInteger(value.vout) &&
    value.vout >= 0 &&
    value.vout <= 0xffffffff
  );
}

function rpcCodeOf(error: unknown): number | undefined {
  return error instanceof ChainError && error.code === 'NODE_RPC_ERROR' ? error.rpcCode : undefined;
}

function confirmedTransaction(entry: IndexedConfirmation): ChainTransaction {
  return {
    txid: entry.txid,
    rawTx: hexToBytes(entry.hex),
    blockHeight: entry.height,
    blockHash: entry.blockHash,
  };
}

/**
 * A {@link Chain} over Bitcoin Core's JSON-RPC (Core 25 or later, no wallet, no txindex
 * needed). It follows the tip block by block (`getbestblockhash`, `getblockhash`, `getblock`
 * at verbosity 2), keeps its own index of the transactions and outpoints it watches, detects
 * reorganisations by the hash chain and rolls the index back, and persists its cursor to
 * resume after a restart. Unconfirmed transactions it broadcast are rebroadcast at each block.
 *
 * Without `-txindex` the node only serves mempool transactions by txid, so a transaction or
 * spend is found when it is watched before it confirms (every broadcast, every query and
 * {@link BitcoinCoreChain.watch} watch), within `lookbackBlocks` of the first query, or by a
 * `watch` whose `fromHeight` reaches it. Older confirmations are answered as unknown.
 */
export class BitcoinCoreChain implements Chain {
  readonly #rpc: CoreRpcClient;
  readonly #store: ChainCursorStore;
  readonly #pollIntervalMs: number;
  readonly #feeRateFloor: number;
  readonly #lookback: number;
  readonly #window: number;
  readonly #startHeight: number | undefined;
  readonly #listeners = new Set<(height: number) => void>();
  #state: FollowerState | null = null;
  #syncing: Promise<number> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastPollError: ChainError | null = null;
  /** The state changed since it was last saved. */
  #dirty = false;
  /** Following and rescanning take turns: both read and change the index. */
  #turn: Promise<unknown> = Promise.resolve();
  /**
   * For each followed item (`t:<txid>`, `o:<txid>:<vout>`), the lowest height from which its
   * confirmation or confirmed spend is surely in the index; `-Infinity` when it cannot have
   * confirmed before it was followed. Lets {@link BitcoinCoreChain.watch} skip rescans of what it
   * already covers. Known to this process only: after a restart every item is rescanned once.
   */
  readonly #coveredFrom = new Map<string, number>();

  constructor(options: BitcoinCoreChainOptions) {
    this.#rpc = new CoreRpcClient({
      url: options.url,
      auth: options.auth,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      maxResponseBytes: options.maxResponseBytes,
    });
    this.#store = options.cursorStore ?? new MemoryCursorStore();
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#feeRateFloor = options.feeRateFloor ?? 1;
    this.#lookback = options.lookbackBlocks ?? 6;
    this.#window = Math.max(2, options.reorgWindow ?? 1000);
    this.#startHeight = options.startHeight;
  }

  /** The error of the last failed background poll, `null` after a successful one. */
  get lastPollError(): ChainError | null {
    return this.#lastPollError;
  }

  /**
   * Catches up with the node's tip: rolls back blocks a reorganisation replaced, scans new
   * blocks into the index, persists the cursor, tells `onBlock` listeners, and rebroadcasts
   * unconfirmed own transactions when blocks arrived. Concurrent calls share one run.
   *
   * @returns the tip height.
   * @throws {@link ChainError} `NODE_UNREACHABLE`, `NODE_RPC_ERROR`, `NODE_BAD_RESPONSE`,
   *   `REORG_TOO_DEEP` (a fork below the remembered window).
   */
  sync(): Promise<number> {
    if (this.#syncing === null) {
      this.#syncing = this.#exclusive(() => this.#follow()).finally(() => {
        this.#syncing = null;
      });
    }
    return this.#syncing;
  }

  /** {@inheritDoc Chain.getHeight} */
  async getHeight(): Promise<number> {
    return this.sync();
  }

  /** {@inheritDoc Chain.watch} */
  async watch(request: ChainWatchRequest): Promise<void> {
    const txids = (request.txids ?? []).filter(isTxid).map((t) => t.toLowerCase());
    const outpoints = (request.outpoints ?? []).filter(isOutpoint).map(outpointKey);
    const state = await this.#loaded();
    for (const txid of txids) this.#followTxid(state, txid);
    for (const key of outpoints) this.#followOutpoint(state, key);
    const tipHeight = await this.sync();
    if (request.fromHeight !== undefined && Number.isSafeInteger(request.fromHeight)) {
      const start = this.#uncoveredStart(state, Math.max(0, request.fromHeight), txids, outpoints);
      if (start !== null) await this.#rescan(start, tipHeight);
    }
    await this.#store.save(state);
  }

  /** {@inheritDoc Chain.getTransaction} */
  async getTransaction(txid: string): Promise<ChainTransaction | null> {
    if (!isTxid(txid)) return null;
    const id = txid.toLowerCase();
    await this.sync();
    const state = this.#state!;
    const known = this.#confirmationOf(id);
    if (known !== null) return confirmedTransaction(known);
    const newlyWatched = this.#followTxid(state, id);
    const found = await this.#fetchTransaction(id);
    if (found !== null) return found;
    if (newlyWatched) {
      await this.#rescan(Math.max(0, state.tip!.height - this.#lookback + 1), state.tip!.height);
      const scanned = this.#confirmationOf(id);
      if (scanned !== null) return confirmedTransaction(scanned);
    }
    return null;
  }

  /** {@inheritDoc Chain.getSpender} */
  async getSpender(outpoint: Outpoint): Promise<ChainTransaction | null> {
    if (!isOutpoint(outpoint)) return null;
    const key = outpointKey(outpoint);
    await this.sync();
    const state = this.#state!;
    const known = state.outpoints[key];
    if (known) return confirmedTransaction(known);
    const newlyWatched = this.#followOutpoint(state, key);
    const [spender] = parseSpending(
      await this.#rpc.call('gettxspendingprevout', [
        [{ txid: outpoint.txid.toLowerCase(), vout: outpoint.vout }],
      ]),
      1,
    );
    if (spender != null) {
      const tx = await this.#fetchTransaction(spender);
      if (tx !== null) return tx;
      // Confirmed between the two calls: the next scan finds it.
      await this.sync();
      const confirmed = state.outpoints[key];
      if (confirmed) return confirmedTransaction(confirmed);
    }
    if (newlyWatched) {
      const unspent = parseTxOut(
        await this.#rpc.call('gettxout', [outpoint.txid.toLowerCase(), outpoint.vout, false]),
      );
      if (unspent === null) {
        await this.#rescan(Math.max(0, state.tip!.height - this.#lookback + 1), state.tip!.height);
        const scanned = state.outpoints[key];
        if (scanned) return confirmedTransaction(scanned);
      }
    }
    return null;
  }

  /** {@inheritDoc Chain.getOutput} */
  async getOutput(outpoint: Outpoint): Promise<ChainOutput | null> {
    if (!isOutpoint(outpoint)) return null;
    const txid = outpoint.txid.toLowerCase();
    const tipHeight = await this.sync();
    // Confirmed UTXO set first: it still holds outputs that a mempool transaction spends.
    const confirmed = parseTxOut(await this.#rpc.call('gettxout', [txid, outpoint.vout, false]));
    if (confirmed !== null && confirmed.confirmations > 0) {
      const tip =
        confirmed.bestBlock === this.#state!.tip?.hash
          ? tipHeight
          : await this.#heightOf(confirmed.bestBlock);
      return {
        value: confirmed.value,
        script: hexToBytes(confirmed.script),
        blockHeight: tip - confirmed.confirmations + 1,
      };
    }
    // An output of a mempool transaction, spent or not by another mempool transaction.
    const parent = await this.#mempoolRaw(txid);
    if (parent === null) return null;
    const output = decodeRawTransaction(parent).outputs[outpoint.vout];
    if (output === undefined) return null;
    return { value: output.amount, script: output.script.slice(), blockHeight: null };
  }

  /** {@inheritDoc Chain.broadcast} */
  async broadcast(rawTx: Uint8Array): Promise<string> {
    const tx = decodeRawTransaction(rawTx);
    const txid = txidOfDecoded(tx);
    // The cursor must exist before the transaction is watched, so its block gets scanned.
    await this.sync();
    const hex = bytesToHex(rawTx);
    const acceptedAt = this.#state!.tip;
    const verdict = parseAcceptance(await this.#rpc.call('testmempoolaccept', [[hex]]));
    if (verdict.txid !== txid) {
      throw new ChainError(
        'NODE_BAD_RESPONSE',
        `testmempoolaccept judged ${verdict.txid}, not ${txid}`,
      );
    }
    if (!verdict.allowed) throw await this.#refusal(rawTx, txid, verdict.reason);
    try {
      const sent = asHash(await this.#rpc.call('sendrawtransaction', [hex]), 'sendrawtransaction');
      if (sent !== txid)
        throw new ChainError('NODE_BAD_RESPONSE', `sendrawtransaction returned ${sent}`);
    } catch (error: unknown) {
      throw await this.#sendFailure(error, rawTx, txid);
    }
    const state = await this.#loaded();
    state.own[txid] = { hex, height: null };
    // Accepted by the mempool: neither the transaction nor a spend of its inputs was in a block
    // then. Unless a block was connected since, without them followed, nothing older can hold them.
    const unconfirmed =
      acceptedAt !== null &&
      state.tip?.height === acceptedAt.height &&
      state.tip.hash === acceptedAt.hash;
    this.#followTxid(state, txid);
    if (unconfirmed) this.#coveredFrom.set(`t:${txid}`, Number.NEGATIVE_INFINITY);
    for (const input of tx.inputs) {
      const key = outpointKey({ txid: bytesToHex(input.txid), vout: input.index });
      this.#followOutpoint(state, key);
      if (unconfirmed) this.#coveredFrom.set(`o:${key}`, Number.NEGATIVE_INFINITY);
    }
    await this.#store.save(state);
    return txid;
  }

  /**
   * Fee rate in sat/vB for confirmation within `confTarget` blocks, from `estimatesmartfee`,
   * never below the floor (also the answer when the node has no estimate).
   */
  async estimateFeeRate(confTarget = 6): Promise<number> {
    const rate = parseFeeEstimate(await this.#rpc.call('estimatesmartfee', [confTarget]));
    // BTC per 1000 vB to sat per vB.
    return rate === null ? this.#feeRateFloor : Math.max(this.#feeRateFloor, rate * 1e5);
  }

  /**
   * The node's relay policy: the larger of `getnetworkinfo`'s `relayfee` (`-minrelaytxfee`)
   * and `getmempoolinfo`'s `mempoolminfee` (higher when the mempool is full). Core does not
   * report `-dustrelayfee`; its default is given.
   */
  async relayPolicy(): Promise<RelayPolicy> {
    const relay = parseNetworkRelayFee(await this.#rpc.call('getnetworkinfo'));
    const mempool = parseMempoolMinFee(await this.#rpc.call('getmempoolinfo'));
    return {
      minRelayFeeRate: Math.max(relay, mempool),
      dustRelayFeeRate: DEFAULT_DUST_RELAY_FEE_RATE,
    };
  }

  /** {@inheritDoc Chain.onBlock} */
  onBlock(listener: (height: number) => void): () => void {
    const subscription = (height: number): void => listener(height);
    this.#listeners.add(subscription);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => {
        this.sync().then(
          () => {
            this.#lastPollError = null;
          },
          (error: unknown) => {
            // The node may be down: keep polling, report the error, lose nothing.
            this.#lastPollError =
              error instanceof ChainError ? error : new ChainError('NODE_RPC_ERROR', String(error));
          },
        );
      }, this.#pollIntervalMs);
      this.#timer.unref?.();
    }
    return () => {
      this.#listeners.delete(subscription);
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  /** Stops background polling (listeners stay subscribed but hear nothing more). */
  close(): void {
    this.#stopPolling();
  }

  #stopPolling(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #loaded(): Promise<FollowerState> {
    if (this.#state === null) {
      const state = (await this.#store.load()) ?? emptyFollowerState();
      if (this.#state === null) {
        this.#state = state;
        // What a saved cursor follows is indexed from its tip on (blocks after it get scanned).
        if (state.tip !== null) {
          for (const txid of Object.keys(state.txids))
            this.#cover(`t:${txid}`, state.tip.height + 1);
          for (const key of Object.keys(state.outpoints))
            this.#cover(`o:${key}`, state.tip.height + 1);
        }
      }
    }
    return this.#state;
  }

  /** Lowers the height from which `item` is known to be indexed. */
  #cover(item: string, from: number): void {
    const known = this.#coveredFrom.get(item);
    if (known === undefined || from < known) this.#coveredFrom.set(item, from);
  }

  /** Starts following `txid`; true when it was not followed yet. */
  #followTxid(state: FollowerState, txid: string): boolean {
    if (txid in state.txids) return false;
    state.txids[txid] = null;
    this.#dirty = true;
    // Blocks above the cursor are scanned with it from now on; without a cursor, nothing is known.
    if (state.tip !== null) this.#cover(`t:${txid}`, state.tip.height + 1);
    return true;
  }

  /** Starts following the spend of `key`; true when it was not followed yet. */
  #followOutpoint(state: FollowerState, key: string): boolean {
    if (key in state.outpoints) return false;
    state.outpoints[key] = null;
    this.#dirty = true;
    if (state.tip !== null) this.#cover(`o:${key}`, state.tip.height + 1);
    return true;
  }

  /**
   * Lowest height a rescan must start at so that every requested item is indexed from `from` on,
   * or `null` when all already are. A spend cannot confirm below its parent: an outpoint of a
   * transaction confirmed at P needs blocks from P only, one of a transaction never confirmed
   * (followed since before it could be) none.
   */
  #uncoveredStart(
    state: FollowerState,
    from: number,
    txids: readonly string[],
    outpoints: readonly string[],
  ): number | null {
    let start: number | null = null;
    const need = (item: string, height: number) => {
      if ((this.#coveredFrom.get(item) ?? Number.POSITIVE_INFINITY) > height)
        start = start === null ? height : Math.min(start, height);
    };
    // Confirmed spenders of followed outputs, by txid (built once, when first needed): a
    // transaction confirms at one height of the active chain, so that is its confirmation.
    let spenders: Map<string, IndexedConfirmation> | null = null;
    const confirmationOf = (txid: string): IndexedConfirmation | null => {
      const own = state.txids[txid];
      if (own) return own;
      if (spenders === null) {
        spenders = new Map();
        for (const entry of Object.values(state.outpoints))
          if (entry) spenders.set(entry.txid, entry);
      }
      return spenders.get(txid) ?? null;
    };
    for (const txid of txids) {
      if ((this.#coveredFrom.get(`t:${txid}`) ?? Number.POSITIVE_INFINITY) <= from) continue;
      const confirmed = confirmationOf(txid);
      if (confirmed !== null) {
        state.txids[txid] = confirmed;
        this.#coveredFrom.set(`t:${txid}`, Number.NEGATIVE_INFINITY);
        this.#dirty = true;
        continue;
      }
      need(`t:${txid}`, from);
    }
    for (const key of outpoints) {
      const parent = key.slice(0, key.indexOf(':'));
      const parentConfirmed = confirmationOf(parent);
      if (parentConfirmed !== null) need(`o:${key}`, Math.max(from, parentConfirmed.height));
      else if (
        state.txids[parent] === null &&
        this.#coveredFrom.get(`t:${parent}`) === Number.NEGATIVE_INFINITY
      )
        continue;
      else need(`o:${key}`, from);
    }
    return start;
  }

  #confirmationOf(txid: string): IndexedConfirmation | null {
    const state = this.#state!;
    const watched = state.txids[txid];
    if (watched) return watched;
    return null;
  }

  async #heightOf(blockHash: string): Promise<number> {
    return parseHeader(await this.#rpc.call('getblockheader', [blockHash, true])).height;
  }

  /** Raw transaction if it is in the mempool, else `null`. */
  async #mempoolRaw(txid: string): Promise<Uint8Array | null> {
    try {
      const tx = parseVerboseTransaction(await this.#rpc.call('getrawtransaction', [txid, 1]));
      return tx.blockHash === null ? hexToBytes(tx.hex) : null;
    } catch (error: unknown) {
      if (rpcCodeOf(error) === RPC_INVALID_ADDRESS_OR_KEY) return null;
      throw error;
    }
  }

  /**
   * A transaction from the node itself: the mempool, or a block when the node has `-txindex`
   * (its confirmation then joins the index so that reorganisations roll it back).
   */
  async #fetchTransaction(txid: string): Promise<ChainTransaction | null> {
    let found: { hex: string; blockHash: string | null };
    try {
      found = parseVerboseTransaction(await this.#rpc.call('getrawtransaction', [txid, 1]));
    } catch (error: unknown) {
      if (rpcCodeOf(error) === RPC_INVALID_ADDRESS_OR_KEY) return null;
      throw error;
    }
    const rawTx = hexToBytes(found.hex);
    let decodedTxid: string | null = null;
    try {
      decodedTxid = txidOfDecoded(RawTx.decode(rawTx));
    } catch {
      // Reported below as a transaction other than the one asked for.
    }
    if (decodedTxid !== txid) {
      throw new ChainError(
        'NODE_BAD_RESPONSE',
        `getrawtransaction ${txid} returned another transaction`,
      );
    }
    if (found.blockHash === null) return { txid, rawTx, blockHeight: null, blockHash: null };
    const header = parseHeader(await this.#rpc.call('getblockheader', [found.blockHash, true]));
    const state = this.#state!;
    // Off the active chain, or in a block the follower has not reached: not confirmed yet.
    if (header.confirmations < 0 || header.height > (state.tip?.height ?? -1)) return null;
    const remembered = state.recent[String(header.height)];
    if (remembered !== undefined && remembered !== header.hash) return null;
    const entry = { txid, hex: found.hex, height: header.height, blockHash: header.hash };
    // Indexed only where a reorganisation can still reach it (inside the remembered window).
    if (remembered !== undefined && txid in state.txids) {
      state.txids[txid] = entry;
      this.#dirty = true;
    }
    return confirmedTransaction(entry);
  }

  async #follow(): Promise<number> {
    const state = await this.#loaded();
    const connected: number[] = [];
    let reorganised = false;
    for (let attempt = 0; attempt < 4; attempt++) {
      const best = asHash(await this.#rpc.call('getbestblockhash'), 'getbestblockhash');
      if (state.tip?.hash === best) break;
      const tipHeader = parseHeader(await this.#rpc.call('getblockheader', [best, true]));
      if (state.tip === null) {
        const start = Math.min(this.#startHeight ?? tipHeader.height, tipHeader.height);
        state.recent = {};
        // A few hashes below the start too, so that a reorganisation right there is handled.
        for (let height = Math.max(0, start - this.#lookback); height <= start; height++) {
          const hash = await this.#blockHashIfAny(height);
          if (hash !== null) state.recent[String(height)] = hash;
        }
        state.tip = { height: start, hash: state.recent[String(start)]! };
        this.#dirty = true;
        if (start === tipHeader.height) break;
      }
      const fork = await this.#forkHeight(state, tipHeader.height);
      if (fork < state.tip.height) {
        this.#rollback(state, fork);
        reorganised = true;
      }
      const done = await this.#connect(state, tipHeader.height, connected);
      if (done) break;
    }
    // Saved when something changed: queries sync first, and most find nothing new.
    if (this.#dirty || connected.length > 0 || reorganised) {
      await this.#store.save(state);
      this.#dirty = false;
    }
    const height = state.tip!.height;
    const heights = connected.length === 0 && reorganised ? [height] : connected;
    for (const h of heights) this.#notify(h);
    if (connected.length > 0) await this.#rebroadcast(state);
    return height;
  }

  async #blockHash(height: number): Promise<string> {
    return asHash(await this.#rpc.call('getblockhash', [height]), 'getblockhash');
  }

  /** The hash at `height`, or `null` when the node has no block there. */
  async #blockHashIfAny(height: number): Promise<string | null> {
    try {
      return await this.#blockHash(height);
    } catch (error: unknown) {
      if (rpcCodeOf(error) === RPC_INVALID_PARAMETER) return null;
      throw error;
    }
  }

  /** Highest height where our remembered hash is still the node's. */
  async #forkHeight(state: FollowerState, nodeTip: number): Promise<number> {
    let height = Math.min(state.tip!.height, nodeTip);
    for (;;) {
      const ours = state.recent[String(height)];
      if (ours === undefined) {
        throw new ChainError(
          'REORG_TOO_DEEP',
          `no block remembered at height ${height}: the fork is deeper than ${this.#window} blocks`,
        );
      }
      if ((await this.#blockHash(height)) === ours) return height;
      height--;
    }
  }

  #rollback(state: FollowerState, fork: number): void {
    for (const [txid, entry] of Object.entries(state.txids)) {
      if (entry && entry.height > fork) state.txids[txid] = null;
    }
    for (const [key, entry] of Object.entries(state.outpoints)) {
      if (entry && entry.height > fork) state.outpoints[key] = null;
    }
    for (const own of Object.values(state.own)) {
      if (own.height !== null && own.height > fork) own.height = null;
    }
    for (const height of Object.keys(state.recent)) {
      if (Number(height) > fork) delete state.recent[height];
    }
    state.tip = { height: fork, hash: state.recent[String(fork)]! };
  }

  /** Scans blocks above our tip up to `target`; false when the chain moved under us. */
  async #connect(state: FollowerState, target: number, connected: number[]): Promise<boolean> {
    for (let height = state.tip!.height + 1; height <= target; height++) {
      const block = await this.#block(await this.#blockHash(height));
      if (block.height !== height || block.previousHash !== state.tip!.hash) return false;
      this.#apply(state, block);
      state.tip = { height, hash: block.hash };
      state.recent[String(height)] = block.hash;
      delete state.recent[String(height - this.#window)];
      connected.push(height);
    }
    return true;
  }

  /** The block with `hash` at verbosity 2; a node answering with another block is hostile. */
  async #block(hash: string): Promise<CoreBlock> {
    const block = parseBlock(await this.#rpc.call('getblock', [hash, 2]));
    if (block.hash !== hash) {
      throw new ChainError('NODE_BAD_RESPONSE', `getblock ${hash} returned block ${block.hash}`);
    }
    return block;
  }

  /** Records what a block holds about watched items (idempotent, so rescans are safe). */
  #apply(state: FollowerState, block: CoreBlock): void {
    for (const tx of block.transactions) {
      const watchedTx = tx.txid in state.txids;
      const spent = tx.inputs
        .map((input) => `${input.txid}:${input.vout}`)
        .filter((key) => key in state.outpoints);
      const own = state.own[tx.txid];
      if (!watchedTx && spent.length === 0 && own === undefined) continue;
      // Only what is used is checked: the hex must be the transaction the node named.
      let txid: string;
      try {
        txid = txidOfDecoded(RawTx.decode(hexToBytes(tx.hex)));
      } catch {
        throw new ChainError(
          'NODE_BAD_RESPONSE',
          `block ${block.hash}: ${tx.txid} does not decode`,
        );
      }
      if (txid !== tx.txid) {
        throw new ChainError(
          'NODE_BAD_RESPONSE',
          `block ${block.hash}: ${tx.txid} does not match its hex`,
        );
      }
      const entry = { txid: tx.txid, hex: tx.hex, height: block.height, blockHash: block.hash };
      this.#dirty = true;
      if (watchedTx) state.txids[tx.txid] = entry;
      for (const key of spent) state.outpoints[key] = entry;
      if (own !== undefined) own.height = block.height;
    }
  }

  /** Runs `task` after every earlier following or rescanning task has finished. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(task, task);
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /** Scans main-chain blocks `from..to` (as we know them) for watched items. */
  #rescan(from: number, to: number): Promise<void> {
    return this.#exclusive(async () => {
      const state = this.#state!;
      const end = Math.min(to, state.tip!.height);
      // What is followed now is applied to every block of the range (items added meanwhile not).
      const items = [
        ...Object.keys(state.txids).map((txid) => `t:${txid}`),
        ...Object.keys(state.outpoints).map((key) => `o:${key}`),
      ];
      await this.#scanRange(from, end);
      // Contiguous with what later blocks give them: indexed from `from` on.
      if (end === state.tip!.height) {
        for (const item of items) {
          if ((this.#coveredFrom.get(item) ?? Number.POSITIVE_INFINITY) <= end + 1)
            this.#cover(item, from);
        }
      }
    });
  }

  async #scanRange(from: number, to: number): Promise<void> {
    const state = this.#state!;
    for (let height = from; height <= to; height++) {
      const hash = state.recent[String(height)] ?? (await this.#blockHashIfAny(height));
      if (hash === null) continue;
      this.#apply(state, await this.#block(hash));
    }
  }

  #notify(height: number): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(height);
      } catch {
        // A listener's failure is its own; the follower carries on.
      }
    }
  }

  async #rebroadcast(state: FollowerState): Promise<void> {
    for (const [txid, own] of Object.entries(state.own)) {
      if (own.height !== null) {
        if (state.tip!.height - own.height >= this.#window) delete state.own[txid];
        continue;
      }
      try {
        await this.#rpc.call('sendrawtransaction', [own.hex]);
      } catch (error: unknown) {
        const code = rpcCodeOf(error);
        // Refused for good (inputs gone, conflict confirmed): stop rebroadcasting it.
        if (code === RPC_VERIFY_ERROR || code === RPC_VERIFY_ALREADY_IN_CHAIN)
          delete state.own[txid];
      }
    }
    await this.#store.save(state);
  }

  async #sendFailure(error: unknown, rawTx: Uint8Array, txid: string): Promise<ChainError> {
    if (!(error instanceof ChainError) || error.code !== 'NODE_RPC_ERROR') {
      return error instanceof ChainError ? error : new ChainError('NODE_RPC_ERROR', String(error));
    }
    const message = error.rejectReason ?? '';
    switch (error.rpcCode) {
      case RPC_DESERIALIZATION_ERROR:
        return new ChainError('TX_MALFORMED', message, {
          rejectReason: message,
          rpcCode: error.rpcCode,
        });
      case RPC_VERIFY_ALREADY_IN_CHAIN:
        return new ChainError('TX_ALREADY_KNOWN', `${txid} is confirmed: ${message}`, {
          rejectReason: message,
          rpcCode: error.rpcCode,
        });
      case RPC_VERIFY_REJECTED:
        return this.#refusal(rawTx, txid, message);
      case RPC_VERIFY_ERROR:
        return message === 'bad-txns-inputs-missingorspent' || message.startsWith('Missing inputs')
          ? this.#refusal(rawTx, txid, message)
          : new ChainError('TX_REJECTED', message, {
              rejectReason: message,
              rpcCode: error.rpcCode,
            });
      default:
        return error;
    }
  }

  /** The typed refusal for Core's reject reason, telling the three `missing-inputs` apart. */
  async #refusal(rawTx: Uint8Array, txid: string, reason: string): Promise<ChainError> {
    let code: ChainErrorCode = codeOfRejectReason(reason);
    let detail = reason;
    if (code === 'TX_MISSING_INPUTS') {
      const cause = await this.#missingInputsCause(rawTx, txid);
      code = cause.code;
      detail = `${reason}: ${cause.detail}`;
    }
    return new ChainError(code, `${txid} refused: ${detail}`, { rejectReason: reason });
  }

  async #missingInputsCause(
    rawTx: Uint8Array,
    txid: string,
  ): Promise<{ code: ChainErrorCode; detail: string }> {
    await this.sync();
    const state = this.#state!;
    if (state.txids[txid] || (state.own[txid]?.height ?? null) !== null) {
      return { code: 'TX_ALREADY_KNOWN', detail: 'the transaction is already confirmed' };
    }
    for (const input of decodeRawTransaction(rawTx).inputs) {
      const parentTxid = bytesToHex(input.txid);
      const key = `${parentTxid}:${input.index}`;
      const available = parseTxOut(
        await this.#rpc.call('gettxout', [parentTxid, input.index, true]),
      );
      if (available !== null) continue;
      if (!(key in state.outpoints) || !(parentTxid in state.txids)) {
        // Not followed yet: watch the input and its parent and look back a few blocks.
        if (!(key in state.outpoints)) state.outpoints[key] = null;
        if (!(parentTxid in state.txids)) state.txids[parentTxid] = null;
        this.#dirty = true;
        await this.#rescan(Math.max(0, state.tip!.height - this.#lookback + 1), state.tip!.height);
      }
      const spender = state.outpoints[key];
      if (spender) {
        return spender.txid === txid
          ? { code: 'TX_ALREADY_KNOWN', detail: 'the transaction is already confirmed' }
          : { code: 'TX_CONFLICT', detail: `${key} is spent by confirmed ${spender.txid}` };
      }
      const parent = state.txids[parentTxid]?.hex ?? (await this.#anyRaw(parentTxid));
      if (
        parent !== null &&
        decodeRawTransaction(hexToBytes(parent)).outputs[input.index] !== undefined
      ) {
        return { code: 'TX_CONFLICT', detail: `${key} is already spent in a block` };
      }
      return { code: 'TX_MISSING_INPUTS', detail: `${key} is unknown` };
    }
    return { code: 'TX_MISSING_INPUTS', detail: 'an input is unknown or spent' };
  }

  /** Hex of a transaction the node will give (mempool, or any block with txindex). */
  async #anyRaw(txid: string): Promise<string | null> {
    try {
      return parseVerboseTransaction(await this.#rpc.call('getrawtransaction', [txid, 1])).hex;
    } catch (error: unknown) {
      if (rpcCodeOf(error) === RPC_INVALID_ADDRESS_OR_KEY) return null;
      throw error;
    }
  }
}
