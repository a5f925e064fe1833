import { bytesToHex } from '../bytes.js';
import { assetId } from './assets.js';
import { CounterpartyError } from './errors.js';
import type { CounterpartyLedger, CounterpartyLedgerTransaction } from './ledger.js';
import { type LosslessJson, parseLosslessJson } from './lossless-json.js';
import { MAX_QUANTITY } from './quantity.js';

/** How Counterparty Core unpacked a message (`/v2/transactions/unpack`). */
export interface CounterpartyUnpackedMessage {
  /** Core's name of the message type, e.g. `send` or `enhanced_send`. */
  readonly messageType: string;
  readonly messageTypeId: number;
  /** The send the message names, when it is a classic or enhanced send Core could unpack. */
  readonly send: {
    readonly asset: string;
    readonly quantity: bigint;
    /** The enhanced send's address; `null` for a classic send (its destination is an output). */
    readonly destination: string | null;
    /** The enhanced send's memo as hex, `null` when none. */
    readonly memo: string | null;
  } | null;
  /** Why Core could not unpack the message, `null` when it could. */
  readonly error: string | null;
}

/** Options of {@link CounterpartyCoreLedger}. */
export interface CounterpartyCoreLedgerOptions {
  /** Where Counterparty Core's API listens, e.g. `http://127.0.0.1:4000`. */
  readonly baseUrl: string;
  /** The fetch implementation (default: the platform's). */
  readonly fetch?: typeof fetch;
  /** Milliseconds before a request is abandoned (default 10 000). */
  readonly timeoutMs?: number;
}

type JsonObject = { readonly [key: string]: LosslessJson };

/** More pages than this for one address means a cursor that does not advance. */
const MAX_PAGES = 1_000;
const PAGE_SIZE = 100;

/**
 * A {@link CounterpartyLedger} reading Counterparty Core's v2 REST API: address balances
 * (`/v2/addresses/{address}/balances`), transactions (`/v2/transactions/{tx_hash}`) and their
 * sends. Quantities are read without loss of precision; every answer is checked.
 */
export class CounterpartyCoreLedger implements CounterpartyLedger {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  /** @throws {@link CounterpartyError} `INVALID_ARGUMENT` for a base URL that is not http(s). */
  constructor(options: CounterpartyCoreLedgerOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new CounterpartyError('INVALID_ARGUMENT', 'baseUrl must be an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CounterpartyError('INVALID_ARGUMENT', 'baseUrl must be http or https');
    }
    this.#baseUrl = url.href.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * {@inheritDoc CounterpartyLedger.getBalance}
   *
   * @throws {@link CounterpartyError} `ADDRESS_INVALID`, `ASSET_NAME_INVALID`,
   *   `LEDGER_UNAVAILABLE` or `LEDGER_BAD_RESPONSE`.
   */
  async getBalance(address: string, asset: string): Promise<bigint> {
    assertAddress(address);
    assetId(asset);
    const path = `/v2/addresses/${encodeURIComponent(address)}/balances/${asset}?type=address`;
    const body = await this.#get(path);
    if (body === null) return 0n;
    let total = 0n;
    for (const row of resultRows(body)) {
      if (row.asset !== asset || row.address !== address) {
        throw badResponse('a balance row of another address or asset');
      }
      total += quantityOf(row);
    }
    return total;
  }

  /**
   * {@inheritDoc CounterpartyLedger.getBalances}
   *
   * @throws {@link CounterpartyError} `ADDRESS_INVALID`, `LEDGER_UNAVAILABLE` or
   *   `LEDGER_BAD_RESPONSE`.
   */
  async getBalances(address: string): Promise<ReadonlyMap<string, bigint>> {
    assertAddress(address);
    const balances = new Map<string, bigint>();
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const after = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const query = `type=address&limit=${PAGE_SIZE}${after}`;
      const body = await this.#get(
        `/v2/addresses/${encodeURIComponent(address)}/balances?${query}`,
      );
      if (body === null) return balances;
      for (const row of resultRows(body)) {
        if (typeof row.asset !== 'string' || row.address !== address) {
          throw badResponse('a balance row without asset or of another address');
        }
        balances.set(row.asset, (balances.get(row.asset) ?? 0n) + quantityOf(row));
      }
      const next = body.next_cursor;
      if (next === null || next === undefined) return balances;
      if (typeof next !== 'bigint' && typeof next !== 'string') throw badResponse('next_cursor');
      if (String(next) === cursor) throw badResponse('next_cursor does not advance');
      cursor = String(next);
    }
    throw badResponse(`more than ${MAX_PAGES} pages of balances`);
  }

  /**
   * {@inheritDoc CounterpartyLedger.getTransaction}
   *
   * @throws {@link CounterpartyError} `TXID_INVALID`, `LEDGER_UNAVAILABLE` or
   *   `LEDGER_BAD_RESPONSE`.
   */
  async getTransaction(txid: string): Promise<CounterpartyLedgerTransaction | null> {
    if (typeof txid !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txid)) {
      throw new CounterpartyError('TXID_INVALID', 'txid must be 64 hex characters');
    }
    const hash = txid.toLowerCase();
    const body = await this.#get(`/v2/transactions/${hash}`);
    if (body === null) return null;
    const tx = body.result;
    if (!isObject(tx) || tx.tx_hash !== hash) throw badResponse('transaction of another hash');
    // Unconfirmed transactions have no effect on balances yet.
    if (tx.confirmed === false) return null;
    const blockHeight = tx.block_index;
    if (typeof blockHeight !== 'bigint' || blockHeight < 0n || blockHeight > 2n ** 31n) {
      throw badResponse('block_index');
    }
    if (typeof tx.source !== 'string') throw badResponse('source');
    const type =
      tx.transaction_type === 'send'
        ? 'classic'
        : tx.transaction_type === 'enhanced_send'
          ? 'enhanced'
          : 'unsupported';
    const base = { txid: hash, blockHeight: Number(blockHeight), type, source: tx.source } as const;
    const destination = typeof tx.destination === 'string' ? tx.destination : null;
    if (type === 'unsupported') {
      return { ...base, destination, asset: null, quantity: null, status: 'unsupported' };
    }
    const sends = await this.#get(`/v2/transactions/${hash}/sends?send_type=send`);
    const row = sends === null ? undefined : resultRows(sends)[0];
    if (row === undefined) {
      const status = tx.valid === true ? 'valid' : 'invalid: could not unpack';
      return { ...base, destination, asset: null, quantity: null, status };
    }
    if (typeof row.asset !== 'string' || typeof row.status !== 'string') {
      throw badResponse('send without asset or status');
    }
    return {
      ...base,
      destination: typeof row.destination === 'string' ? row.destination : destination,
      asset: row.asset,
      quantity: row.quantity === null ? null : quantityOf(row),
      status: row.status,
    };
  }

  /**
   * Asks Core how it unpacks a message: the bytes after the prefix (message type id and
   * payload), as `decodeCounterpartyMessage` reads them. A cross-check of this library's reading
   * of a transaction against the node's, e.g. before a payee accepts an asset commit.
   *
   * @throws {@link CounterpartyError} `INVALID_ARGUMENT` for empty or oversized bytes,
   *   `LEDGER_UNAVAILABLE` or `LEDGER_BAD_RESPONSE`.
   */
  async unpack(message: Uint8Array): Promise<CounterpartyUnpackedMessage> {
    if (!(message instanceof Uint8Array) || message.length === 0 || message.length > 80) {
      throw new CounterpartyError('INVALID_ARGUMENT', 'message must be 1..80 bytes');
    }
    const body = await this.#get(`/v2/transactions/unpack?datahex=${bytesToHex(message)}`);
    if (body === null) throw badResponse('unpack is not served');
    const result = body.result;
    if (!isObject(result)) throw badResponse('unpack result is not an object');
    const { message_type: type, message_type_id: id, message_data: data } = result;
    if (typeof type !== 'string') throw badResponse('message_type');
    if (typeof id !== 'bigint' || id < 0n || id > 0xffffffffn) throw badResponse('message_type_id');
    if (!isObject(data)) throw badResponse('message_data is not an object');
    const base = { messageType: type, messageTypeId: Number(id) };
    if (data.error !== undefined && data.error !== null) {
      return { ...base, send: null, error: String(data.error) };
    }
    if (type !== 'send' && type !== 'enhanced_send') return { ...base, send: null, error: null };
    if (typeof data.asset !== 'string') throw badResponse('send without asset');
    const destination = type === 'enhanced_send' ? data.address : null;
    if (destination !== null && typeof destination !== 'string') throw badResponse('address');
    const memo = data.memo ?? null;
    if (memo !== null && (typeof memo !== 'string' || !/^([0-9a-f]{2}){0,34}$/.test(memo))) {
      throw badResponse('memo is not hex of at most 34 bytes');
    }
    // A classic send may name up to 2^64-1 (Core then moves the balance); an enhanced send less.
    const quantity = data.quantity;
    if (typeof quantity !== 'bigint' || quantity < 0n || quantity >= 2n ** 64n) {
      throw badResponse('quantity is not an integer in 0..2^64-1');
    }
    return { ...base, send: { asset: data.asset, quantity, destination, memo }, error: null };
  }

  /**
   * The last block Counterparty Core has parsed (`counterparty_height` of `/v2/`): balances are
   * those after that block.
   *
   * @throws {@link CounterpartyError} `LEDGER_UNAVAILABLE` or `LEDGER_BAD_RESPONSE`.
   */
  async getHeight(): Promise<number> {
    const body = await this.#get('/v2/');
    const info = body?.result;
    if (!isObject(info)) throw badResponse('server info has no result');
    const height = info.counterparty_height;
    if (typeof height !== 'bigint' || height < 0n || height > BigInt(Number.MAX_SAFE_INTEGER))
      throw badResponse('counterparty_height is not a block height');
    return Number(height);
  }

  /** GETs a path: the parsed body, or `null` for 404. */
  async #get(path: string): Promise<JsonObject | null> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new CounterpartyError('LEDGER_UNAVAILABLE', `GET ${path}: ${(cause as Error).message}`);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new CounterpartyError('LEDGER_UNAVAILABLE', `GET ${path}: HTTP ${response.status}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw new CounterpartyError('LEDGER_UNAVAILABLE', `GET ${path}: ${(cause as Error).message}`);
    }
    const body = parseLosslessJson(text);
    if (!isObject(body)) throw badResponse('the answer is not an object');
    return body;
  }
}

function assertAddress(address: string): void {
  if (typeof address !== 'string' || !/^[0-9A-Za-z]{1,100}$/.test(address)) {
    throw new CounterpartyError('ADDRESS_INVALID', 'address must be 1..100 alphanumerics');
  }
}

function isObject(value: LosslessJson | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resultRows(body: JsonObject): JsonObject[] {
  const rows = body.result;
  if (!Array.isArray(rows) || !rows.every(isObject)) throw badResponse('result is not a list');
  return rows as JsonObject[];
}

function quantityOf(row: JsonObject): bigint {
  const quantity = row.quantity;
  if (typeof quantity !== 'bigint' || quantity < 0n || quantity > MAX_QUANTITY) {
    throw badResponse('quantity is not an integer in 0..2^63-1');
  }
  return quantity;
}

function badResponse(reason: string): CounterpartyError {
  return new CounterpartyError('LEDGER_BAD_RESPONSE', reason);
}
