import { RawTx } from '@scure/btc-signer/script.js';
import { bytesToHex, hexToBytes } from '../../bytes.js';
import { codeOfRejectReason } from '../bitcoin-core/reject-reasons.js';
import type { Chain, ChainOutput, ChainTransaction, Outpoint } from '../chain.js';
import { ChainError, type ChainErrorCode } from '../errors.js';
import { boundedHttp } from '../http/bounded-http.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../http/retry.js';
import { decodeRawTransaction, txidOfDecoded } from '../raw-transaction.js';

/** Options of {@link EsploraChain}. */
export interface EsploraChainOptions {
  /** API base, e.g. `https://blockstream.info/testnet/api` or a simnet's `esploraUrl`. */
  readonly baseUrl: string;
  /** Per request attempt (default 10 s). */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Largest answer read (default 4 MB: nothing used here is larger than one transaction). */
  readonly maxResponseBytes?: number;
  /** How often `onBlock` subscribers poll the tip (default 5000 ms: public servers rate-limit). */
  readonly pollIntervalMs?: number;
  /** Lowest fee rate {@link EsploraChain.estimateFeeRate} returns, sat/vB (default 1). */
  readonly feeRateFloor?: number;
}

interface TxStatus {
  readonly confirmed: boolean;
  readonly height: number | null;
  readonly blockHash: string | null;
}

const HASH = /^[0-9a-fA-F]{64}$/;

function bad(detail: string): ChainError {
  return new ChainError('NODE_BAD_RESPONSE', detail);
}

function parseJson(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad(`${what}: not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(`${what}: not an object`);
  return value as Record<string, unknown>;
}

function parseStatus(value: unknown, what: string): TxStatus {
  if (typeof value !== 'object' || value === null) throw bad(`${what}: status is not an object`);
  const status = value as Record<string, unknown>;
  if (status.confirmed === false) return { confirmed: false, height: null, blockHash: null };
  if (
    status.confirmed !== true ||
    typeof status.block_height !== 'number' ||
    !Number.isSafeInteger(status.block_height) ||
    status.block_height < 0 ||
    typeof status.block_hash !== 'string' ||
    !HASH.test(status.block_hash)
  ) {
    throw bad(`${what}: malformed status`);
  }
  return {
    confirmed: true,
    height: status.block_height,
    blockHash: status.block_hash.toLowerCase(),
  };
}

function isOutpoint(value: Outpoint): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.txid === 'string' &&
    HASH.test(value.txid) &&
    Number.isSafeInteger(value.vout) &&
    value.vout >= 0 &&
    value.vout <= 0xffffffff
  );
}

/**
 * A {@link Chain} over the Esplora REST API that public block explorers offer, for clients
 * without a node of their own. Every answer is checked (transaction hex against its txid,
 * statuses and heights against their shapes); no index is kept, so it needs no watches.
 */
export class EsploraChain implements Chain {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #maxBytes: number;
  readonly #pollIntervalMs: number;
  readonly #feeRateFloor: number;
  readonly #listeners = new Set<(height: number) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #seen: { height: number; hash: string } | null = null;
  #polling = false;
  #lastPollError: ChainError | null = null;

  constructor(options: EsploraChainOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ChainError('NODE_RPC_ERROR', `unsupported Esplora URL scheme ${url.protocol}`);
    }
    this.#base = url.toString().replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#maxBytes = options.maxResponseBytes ?? 4_000_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.#feeRateFloor = options.feeRateFloor ?? 1;
  }

  /** The error of the last failed background poll, `null` after a successful one. */
  get lastPollError(): ChainError | null {
    return this.#lastPollError;
  }

  /** GET or POST `path`; `null` for 404, the body for 200, `NODE_RPC_ERROR` otherwise. */
  async #request(path: string, body?: string): Promise<{ status: number; text: string }> {
    return withRetry(this.#retry, () =>
      boundedHttp({
        url: `${this.#base}${path}`,
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'Content-Type': 'text/plain' },
        body,
        timeoutMs: this.#timeoutMs,
        maxBytes: this.#maxBytes,
      }),
    );
  }

  async #get(path: string): Promise<string | null> {
    const answer = await this.#request(path);
    if (answer.status === 404) return null;
    if (answer.status !== 200) {
      throw new ChainError(
        'NODE_RPC_ERROR',
        `GET ${path}: HTTP ${answer.status}: ${answer.text.slice(0, 200)}`,
      );
    }
    return answer.text;
  }

  async #tipHeight(): Promise<number> {
    const text = await this.#get('/blocks/tip/height');
    if (text === null || !/^\d{1,10}$/.test(text.trim()))
      throw bad('/blocks/tip/height: not a height');
    return Number(text.trim());
  }

  /** {@inheritDoc Chain.getHeight} */
  async getHeight(): Promise<number> {
    const height = await this.#tipHeight();
    // The first height seen is the baseline `onBlock` counts new blocks from.
    if (this.#seen === null) this.#seen = { height, hash: '' };
    return height;
  }

  async #status(txid: string): Promise<TxStatus | null> {
    const text = await this.#get(`/tx/${txid}/status`);
    return text === null ? null : parseStatus(parseJson(text, 'tx status'), `/tx/${txid}/status`);
  }

  async #raw(txid: string): Promise<Uint8Array | null> {
    const text = await this.#get(`/tx/${txid}/hex`);
    if (text === null) return null;
    const hex = text.trim();
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) throw bad(`/tx/${txid}/hex: not hex`);
    const rawTx = hexToBytes(hex);
    let id: string;
    try {
      id = txidOfDecoded(RawTx.decode(rawTx));
    } catch {
      throw bad(`/tx/${txid}/hex: not a transaction`);
    }
    if (id !== txid) throw bad(`/tx/${txid}/hex: returned ${id}`);
    return rawTx;
  }

  /** {@inheritDoc Chain.getTransaction} */
  async getTransaction(txid: string): Promise<ChainTransaction | null> {
    if (typeof txid !== 'string' || !HASH.test(txid)) return null;
    const id = txid.toLowerCase();
    const rawTx = await this.#raw(id);
    if (rawTx === null) return null;
    const status = await this.#status(id);
    if (status === null) return null;
    return { txid: id, rawTx, blockHeight: status.height, blockHash: status.blockHash };
  }

  /** {@inheritDoc Chain.getSpender} */
  async getSpender(outpoint: Outpoint): Promise<ChainTransaction | null> {
    if (!isOutpoint(outpoint)) return null;
    const txid = outpoint.txid.toLowerCase();
    const text = await this.#get(`/tx/${txid}/outspend/${outpoint.vout}`);
    if (text === null) return null;
    const spend = parseJson(text, 'outspend');
    if (spend.spent === false) return null;
    if (spend.spent !== true || typeof spend.txid !== 'string' || !HASH.test(spend.txid)) {
      throw bad('outspend: malformed');
    }
    const spender = await this.getTransaction(spend.txid);
    if (spender === null) return null;
    // The spender must really spend the outpoint: a lying server is caught here.
    const spends = decodeRawTransaction(spender.rawTx).inputs.some(
      (input) => bytesToHex(input.txid) === txid && input.index === outpoint.vout,
    );
    if (!spends) throw bad(`outspend: ${spender.txid} does not spend ${txid}:${outpoint.vout}`);
    return spender;
  }

  /** {@inheritDoc Chain.getOutput} */
  async getOutput(outpoint: Outpoint): Promise<ChainOutput | null> {
    if (!isOutpoint(outpoint)) return null;
    const txid = outpoint.txid.toLowerCase();
    const tx = await this.getTransaction(txid);
    if (tx === null) return null;
    const output = decodeRawTransaction(tx.rawTx).outputs[outpoint.vout];
    if (output === undefined) return null;
    const spender = await this.getSpender(outpoint);
    if (spender !== null && spender.blockHeight !== null) return null;
    return { value: output.amount, script: output.script.slice(), blockHeight: tx.blockHeight };
  }

  /** {@inheritDoc Chain.broadcast} */
  async broadcast(rawTx: Uint8Array): Promise<string> {
    const tx = decodeRawTransaction(rawTx);
    const txid = txidOfDecoded(tx);
    // Core accepts a resubmitted mempool transaction silently; the Chain contract says "known".
    const existing = await this.#status(txid);
    if (existing !== null) {
      // Worded as Core's testmempoolaccept would word it.
      const reason = existing.confirmed ? 'txn-already-known' : 'txn-already-in-mempool';
      throw new ChainError('TX_ALREADY_KNOWN', `${txid} refused: ${reason}`, {
        rejectReason: reason,
      });
    }
    const answer = await this.#request('/tx', bytesToHex(rawTx));
    if (answer.status === 200) {
      const sent = answer.text.trim().toLowerCase();
      if (sent !== txid) throw bad(`POST /tx returned ${sent.slice(0, 80)}, not ${txid}`);
      return txid;
    }
    throw await this.#refusal(tx, txid, answer);
  }

  /** Turns Esplora's `sendrawtransaction RPC error: {"code":…,"message":…}` into a typed error. */
  async #refusal(
    tx: ReturnType<typeof decodeRawTransaction>,
    txid: string,
    answer: { status: number; text: string },
  ): Promise<ChainError> {
    const match = /\{.*\}/s.exec(answer.text);
    let rpcCode: number | undefined;
    let message = answer.text.trim().slice(0, 500);
    if (match !== null) {
      try {
        const detail = JSON.parse(match[0]) as Record<string, unknown>;
        if (typeof detail.code === 'number') rpcCode = detail.code;
        if (typeof detail.message === 'string') message = detail.message;
      } catch {
        // Not Core's JSON: keep the text as the reason.
      }
    }
    if (answer.status !== 400 && rpcCode === undefined) {
      return new ChainError('NODE_RPC_ERROR', `POST /tx: HTTP ${answer.status}: ${message}`);
    }
    let code: ChainErrorCode;
    if (rpcCode === -22) code = 'TX_MALFORMED';
    else if (rpcCode === -27) code = 'TX_ALREADY_KNOWN';
    else code = codeOfRejectReason(message);
    let detail = message;
    if (code === 'TX_MISSING_INPUTS') {
      const cause = await this.#missingInputsCause(tx);
      code = cause.code;
      detail = `${message}: ${cause.detail}`;
    }
    return new ChainError(code, `${txid} refused: ${detail}`, { rejectReason: message, rpcCode });
  }

  async #missingInputsCause(
    tx: ReturnType<typeof decodeRawTransaction>,
  ): Promise<{ code: ChainErrorCode; detail: string }> {
    for (const input of tx.inputs) {
      const parent = bytesToHex(input.txid);
      const key = `${parent}:${input.index}`;
      const raw = await this.#raw(parent);
      if (raw === null || decodeRawTransaction(raw).outputs[input.index] === undefined) {
        return { code: 'TX_MISSING_INPUTS', detail: `${key} is unknown` };
      }
      const spender = await this.getSpender({ txid: parent, vout: input.index });
      if (spender !== null)
        return { code: 'TX_CONFLICT', detail: `${key} is spent by ${spender.txid}` };
    }
    return { code: 'TX_MISSING_INPUTS', detail: 'an input is unknown or spent' };
  }

  /**
   * Fee rate in sat/vB for confirmation within `confTarget` blocks from `/fee-estimates` (the
   * estimate of the largest target not above it), never below the floor.
   */
  async estimateFeeRate(confTarget = 6): Promise<number> {
    const text = await this.#get('/fee-estimates');
    if (text === null) return this.#feeRateFloor;
    const estimates = parseJson(text, 'fee-estimates');
    let best: number | null = null;
    let bestTarget = 0;
    for (const [target, rate] of Object.entries(estimates)) {
      const blocks = Number(target);
      if (
        !Number.isSafeInteger(blocks) ||
        typeof rate !== 'number' ||
        !Number.isFinite(rate) ||
        rate < 0
      ) {
        throw bad('fee-estimates: malformed entry');
      }
      if (blocks <= confTarget && blocks > bestTarget) {
        best = rate;
        bestTarget = blocks;
      }
    }
    return best === null ? this.#feeRateFloor : Math.max(this.#feeRateFloor, best);
  }

  /** Polls the tip once and tells listeners of every new height (and of a reorganisation). */
  async poll(): Promise<number> {
    const hashText = await this.#get('/blocks/tip/hash');
    const hash = hashText?.trim().toLowerCase() ?? '';
    if (!HASH.test(hash)) throw bad('/blocks/tip/hash: not a hash');
    if (this.#seen?.hash === hash) return this.#seen.height;
    const height = await this.#tipHeight();
    const previous = this.#seen;
    this.#seen = { height, hash };
    if (previous !== null) {
      const heights: number[] = [];
      for (let h = previous.height + 1; h <= height; h++) heights.push(h);
      if (heights.length === 0) heights.push(height);
      for (const h of heights) {
        for (const listener of [...this.#listeners]) {
          try {
            listener(h);
          } catch {
            // A listener's failure is its own.
          }
        }
      }
    }
    return height;
  }

  /** {@inheritDoc Chain.onBlock} */
  onBlock(listener: (height: number) => void): () => void {
    const subscription = (height: number): void => listener(height);
    this.#listeners.add(subscription);
    if (this.#timer === undefined) {
      const tick = () => {
        if (this.#polling) return;
        this.#polling = true;
        this.poll()
          .then(
            () => {
              this.#lastPollError = null;
            },
            (error: unknown) => {
              this.#lastPollError =
                error instanceof ChainError
                  ? error
                  : new ChainError('NODE_RPC_ERROR', String(error));
            },
          )
          .finally(() => {
            this.#polling = false;
          });
      };
      tick();
      this.#timer = setInterval(tick, this.#pollIntervalMs);
      this.#timer.unref?.();
    }
    return () => {
      this.#listeners.delete(subscription);
      if (this.#listeners.size === 0) this.close();
    };
  }

  /** Stops background polling. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
