import { hexToBytes } from '../bytes.js';
import { ChainError } from '../chain/errors.js';
import { boundedHttp } from '../chain/http/bounded-http.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../chain/http/retry.js';
import { decodeRawTransaction, txidOfDecoded } from '../chain/raw-transaction.js';
import { bytesToHex } from '../bytes.js';
import type { CoinScanner, FoundCoin, ScannedBlock } from './coin-scanner.js';

/** Options of {@link EsploraCoinScanner}. */
export interface EsploraCoinScannerOptions {
  /** API base, e.g. a simnet's `esploraUrl`. */
  readonly baseUrl: string;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Transactions fetched at once (default 8). */
  readonly concurrency?: number;
}

const HASH = /^[0-9a-f]{64}$/;
/** Largest answer read: a block's txid list of a full block is ~300 kB. */
const MAX_BYTES = 4_000_000;

function bad(detail: string): ChainError {
  return new ChainError('NODE_BAD_RESPONSE', detail);
}

/**
 * A {@link CoinScanner} over the Esplora REST dialect: `/block-height/H`, `/block/HASH`,
 * `/block/HASH/txids` and `/tx/TXID/hex`. Every answer is checked (hashes are 64 hex digits, a
 * transaction's hex decodes canonically), so a hostile server can make the scan fail but not
 * invent coins with a malformed answer.
 */
export class EsploraCoinScanner implements CoinScanner {
  private readonly base: string;

  constructor(private readonly o: EsploraCoinScannerOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** The answer text of `GET path`, `null` on 404. */
  private async get(path: string): Promise<string | null> {
    const answer = await withRetry(this.o.retry ?? DEFAULT_RETRY, () =>
      boundedHttp({
        url: `${this.base}${path}`,
        method: 'GET',
        timeoutMs: this.o.timeoutMs ?? 10_000,
        maxBytes: MAX_BYTES,
      }),
    );
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw bad(`GET ${path}: status ${answer.status}`);
    return answer.text;
  }

  private async json(path: string): Promise<unknown> {
    const text = await this.get(path);
    if (text === null) throw bad(`GET ${path}: not found`);
    try {
      return JSON.parse(text);
    } catch {
      throw bad(`GET ${path}: not JSON`);
    }
  }

  async height(): Promise<number> {
    const text = (await this.get('/blocks/tip/height')) ?? '';
    if (!/^\d{1,10}$/.test(text.trim())) throw bad('tip height is not a number');
    return Number(text.trim());
  }

  async blockHash(height: number): Promise<string | null> {
    const text = await this.get(`/block-height/${height}`);
    if (text === null) return null;
    const hash = text.trim().toLowerCase();
    if (!HASH.test(hash)) throw bad(`block-height ${height} did not answer a hash`);
    return hash;
  }

  async block(height: number, scripts: ReadonlySet<string>): Promise<ScannedBlock | null> {
    const hash = await this.blockHash(height);
    if (hash === null) return null;
    const header = (await this.json(`/block/${hash}`)) as {
      id?: unknown;
      previousblockhash?: unknown;
    };
    const previous = header?.previousblockhash;
    if (
      header?.id !== hash ||
      !(previous === null || (typeof previous === 'string' && HASH.test(previous)))
    )
      throw bad(`block ${hash}: another block or a bad parent hash`);
    const txids = await this.json(`/block/${hash}/txids`);
    if (!Array.isArray(txids) || !txids.every((t) => typeof t === 'string' && HASH.test(t)))
      throw bad(`block ${hash}: txids is not a list of hashes`);
    const coins: FoundCoin[] = [];
    const limit = this.o.concurrency ?? 8;
    for (let i = 0; i < txids.length; i += limit) {
      const batch = txids.slice(i, i + limit) as string[];
      const raws = await Promise.all(batch.map((txid) => this.get(`/tx/${txid}/hex`)));
      for (const [j, raw] of raws.entries()) {
        if (raw === null) throw bad(`block ${hash}: transaction ${batch[j]} not served`);
        let tx: ReturnType<typeof decodeRawTransaction>;
        try {
          tx = decodeRawTransaction(hexToBytes(raw.trim()));
        } catch {
          throw bad(`transaction ${batch[j]} does not decode`);
        }
        if (txidOfDecoded(tx) !== batch[j]) throw bad(`transaction ${batch[j]} has another txid`);
        for (const [vout, out] of tx.outputs.entries()) {
          const scriptHex = bytesToHex(out.script);
          if (scripts.has(scriptHex))
            coins.push({ txid: batch[j]!, vout, value: out.amount, scriptHex, height });
        }
      }
    }
    return { height, hash, previousHash: previous ?? null, coins };
  }
}
