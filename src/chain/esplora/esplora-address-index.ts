import type {
  AddressHistoryOutput,
  AddressOutput,
} from '../../counterparty/asset-address-guards.js';
import { ChainError } from '../errors.js';
import { boundedHttp } from '../http/bounded-http.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../http/retry.js';

/** Options of {@link EsploraAddressIndex}. */
export interface EsploraAddressIndexOptions {
  /** Base URL of the Esplora REST API, e.g. `https://blockstream.info/testnet/api`. */
  readonly baseUrl: string;
  /** Per-request timeout, ms (default 10 000). */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Largest answer read, bytes (default 4 MB). */
  readonly maxResponseBytes?: number;
}

/** Most pages of one address's confirmed history read: a cursor that never ends is refused. */
const MAX_PAGES = 400;

/** Confirmed transactions per page of an address's history; a shorter page is the last. */
const CHAIN_PAGE = 25;

const HASH = /^[0-9a-fA-F]{64}$/;

function bad(detail: string): ChainError {
  return new ChainError('NODE_BAD_RESPONSE', detail);
}

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function heightOf(status: unknown, what: string): number | null {
  if (!isObject(status)) throw bad(`${what}: status is not an object`);
  if (status.confirmed === false) return null;
  const height = status.block_height;
  if (status.confirmed !== true || typeof height !== 'number' || !Number.isSafeInteger(height))
    throw bad(`${what}: malformed status`);
  if (height < 0) throw bad(`${what}: negative height`);
  return height;
}

function txidOf(value: unknown, what: string): string {
  if (typeof value !== 'string' || !HASH.test(value)) throw bad(`${what}: not a txid`);
  return value.toLowerCase();
}

function voutOf(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 0xffffffff)
    throw bad(`${what}: not an output index`);
  return value;
}

/**
 * What an address holds and held, read from Esplora's address endpoints: its unspent outputs
 * (`/address/:address/utxo`) and every output it received with the transaction that spent it
 * (`/address/:address/txs`, paged through `/txs/chain/:last_seen_txid`, and
 * `/tx/:txid/outspend/:vout`). Asset channels need both: Counterparty balances follow addresses,
 * so what else sits or sat at a channel address matters (see `asset-address-guards.ts`). Every
 * answer is checked against its documented shape.
 */
export class EsploraAddressIndex {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #maxBytes: number;

  /** @throws {@link ChainError} `NODE_RPC_ERROR` for a URL that is not http(s). */
  constructor(options: EsploraAddressIndexOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ChainError('NODE_RPC_ERROR', 'the Esplora URL is not an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ChainError('NODE_RPC_ERROR', `unsupported Esplora URL scheme ${url.protocol}`);
    this.#base = url.toString().replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#maxBytes = options.maxResponseBytes ?? 4_000_000;
  }

  async #json(path: string): Promise<unknown> {
    const answer = await withRetry(this.#retry, () =>
      boundedHttp({
        url: `${this.#base}${path}`,
        method: 'GET',
        headers: {},
        timeoutMs: this.#timeoutMs,
        maxBytes: this.#maxBytes,
      }),
    );
    if (answer.status !== 200)
      throw new ChainError(
        'NODE_RPC_ERROR',
        `GET ${path}: HTTP ${answer.status}: ${answer.text.slice(0, 200)}`,
      );
    try {
      return JSON.parse(answer.text);
    } catch {
      throw bad(`GET ${path}: not JSON`);
    }
  }

  /**
   * The unspent outputs at `address`, mempool ones with a null height.
   *
   * @throws {@link ChainError} `NODE_RPC_ERROR` or `NODE_BAD_RESPONSE`.
   */
  async unspent(address: string): Promise<AddressOutput[]> {
    const what = `utxo of ${address}`;
    const list = await this.#json(`/address/${encodeURIComponent(address)}/utxo`);
    if (!Array.isArray(list)) throw bad(`${what}: not an array`);
    return list.map((entry) => {
      if (!isObject(entry)) throw bad(`${what}: an entry is not an object`);
      return {
        txid: txidOf(entry.txid, what),
        vout: voutOf(entry.vout, what),
        blockHeight: heightOf(entry.status, what),
      };
    });
  }

  /**
   * Every output `address` received, confirmed or in the mempool, with its spender.
   *
   * @throws {@link ChainError} `NODE_RPC_ERROR` or `NODE_BAD_RESPONSE` (also for a history whose
   *   pages never end).
   */
  async history(address: string): Promise<AddressHistoryOutput[]> {
    const what = `transactions of ${address}`;
    const base = `/address/${encodeURIComponent(address)}/txs`;
    const seen = new Set<string>();
    const received: { txid: string; vout: number; blockHeight: number | null }[] = [];
    let page = await this.#json(base);
    for (let pages = 0; ; pages++) {
      if (pages >= MAX_PAGES) throw bad(`${what}: more than ${MAX_PAGES} pages`);
      if (!Array.isArray(page)) throw bad(`${what}: not an array`);
      let lastConfirmed: string | null = null;
      let confirmed = 0;
      let added = 0;
      for (const tx of page) {
        if (!isObject(tx) || !Array.isArray(tx.vout)) throw bad(`${what}: malformed transaction`);
        const txid = txidOf(tx.txid, what);
        const blockHeight = heightOf(tx.status, what);
        if (blockHeight !== null) {
          lastConfirmed = txid;
          confirmed++;
        }
        if (seen.has(txid)) continue;
        seen.add(txid);
        added++;
        tx.vout.forEach((output: unknown, vout: number) => {
          if (!isObject(output)) throw bad(`${what}: malformed output`);
          if (output.scriptpubkey_address === address) received.push({ txid, vout, blockHeight });
        });
      }
      if (lastConfirmed === null || added === 0 || confirmed < CHAIN_PAGE) break;
      page = await this.#json(`${base}/chain/${lastConfirmed}`);
    }
    const history: AddressHistoryOutput[] = [];
    for (const output of received) {
      const where = `outspend of ${output.txid}:${output.vout}`;
      const answer = await this.#json(`/tx/${output.txid}/outspend/${output.vout}`);
      if (!isObject(answer) || typeof answer.spent !== 'boolean') throw bad(`${where}: malformed`);
      history.push({
        ...output,
        spentBy: answer.spent
          ? { txid: txidOf(answer.txid, where), blockHeight: heightOf(answer.status, where) }
          : null,
      });
    }
    return history;
  }
}
