import { readFile } from 'node:fs/promises';
import { ChainError } from '../errors.js';
import { boundedHttp } from '../http/bounded-http.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../http/retry.js';

/** How to authenticate: Core's cookie file, or rpcuser/rpcpassword. */
export type CoreRpcAuth =
  | { readonly cookieFile: string }
  | { readonly user: string; readonly password: string };

/** Options of {@link CoreRpcClient}. */
export interface CoreRpcClientOptions {
  /** E.g. `http://127.0.0.1:18443/`. */
  readonly url: string;
  readonly auth: CoreRpcAuth;
  /** Per attempt (default 10 s). */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Largest answer read (default 64 MB: a full block at verbosity 2 fits). */
  readonly maxResponseBytes?: number;
}

/** Bitcoin Core's code while it is still loading (`-28`): worth waiting for, like a timeout. */
const RPC_IN_WARMUP = -28;

/**
 * A minimal Bitcoin Core JSON-RPC client (JSON-RPC 1.0 envelopes, which every Core version
 * answers). Every failure is a {@link ChainError}: `NODE_UNREACHABLE` (after retries),
 * `NODE_RPC_ERROR` with Core's code and message, or `NODE_BAD_RESPONSE`.
 */
export class CoreRpcClient {
  readonly #url: string;
  readonly #auth: CoreRpcAuth;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #maxBytes: number;
  #authorization: string | undefined;
  #nextId = 1;

  constructor(options: CoreRpcClientOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ChainError('NODE_RPC_ERROR', `unsupported RPC URL scheme ${url.protocol}`);
    }
    this.#url = url.toString();
    this.#auth = options.auth;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#maxBytes = options.maxResponseBytes ?? 64_000_000;
  }

  /** Calls `method` and returns its `result` (unchecked JSON: callers check the shape). */
  call(method: string, params: readonly unknown[] = []): Promise<unknown> {
    return withRetry(this.#retry, () => this.#attempt(method, params));
  }

  async #credentials(reload: boolean): Promise<string> {
    if (this.#authorization !== undefined && !reload) return this.#authorization;
    let pair: string;
    if ('cookieFile' in this.#auth) {
      try {
        pair = (await readFile(this.#auth.cookieFile, 'utf8')).trim();
      } catch (error: unknown) {
        // No cookie yet: the node is not up (it writes the cookie when it starts).
        throw new ChainError(
          'NODE_UNREACHABLE',
          `cannot read cookie file ${this.#auth.cookieFile}: ${(error as Error).message}`,
        );
      }
    } else {
      pair = `${this.#auth.user}:${this.#auth.password}`;
    }
    this.#authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    return this.#authorization;
  }

  async #attempt(method: string, params: readonly unknown[]): Promise<unknown> {
    const id = this.#nextId++;
    const body = JSON.stringify({ jsonrpc: '1.0', id, method, params });
    let answer = await this.#post(body, false);
    // A restarted node writes a new cookie: read it again once.
    if (answer.status === 401 && 'cookieFile' in this.#auth) answer = await this.#post(body, true);
    if (answer.status === 401 || answer.status === 403) {
      throw new ChainError(
        'NODE_RPC_ERROR',
        `${method}: authentication refused (HTTP ${answer.status})`,
      );
    }
    let reply: unknown;
    try {
      reply = JSON.parse(answer.text);
    } catch {
      throw new ChainError(
        'NODE_BAD_RESPONSE',
        `${method}: HTTP ${answer.status} with a body that is not JSON`,
      );
    }
    if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
      throw new ChainError('NODE_BAD_RESPONSE', `${method}: reply is not a JSON-RPC object`);
    }
    const { result, error, id: replyId } = reply as Record<string, unknown>;
    if (replyId !== id) {
      throw new ChainError(
        'NODE_BAD_RESPONSE',
        `${method}: reply id ${String(replyId)} is not ${id}`,
      );
    }
    if (error !== null && error !== undefined) {
      const { code, message } = error as Record<string, unknown>;
      if (typeof code !== 'number' || typeof message !== 'string') {
        throw new ChainError('NODE_BAD_RESPONSE', `${method}: malformed error object`);
      }
      if (code === RPC_IN_WARMUP) {
        throw new ChainError('NODE_UNREACHABLE', `${method}: node is warming up: ${message}`, {
          rpcCode: code,
        });
      }
      throw new ChainError('NODE_RPC_ERROR', `${method}: ${message} (${code})`, {
        rpcCode: code,
        rejectReason: message,
      });
    }
    if (answer.status !== 200) {
      throw new ChainError(
        'NODE_BAD_RESPONSE',
        `${method}: HTTP ${answer.status} without an error`,
      );
    }
    if (!('result' in (reply as object))) {
      throw new ChainError('NODE_BAD_RESPONSE', `${method}: reply has no result`);
    }
    return result;
  }

  async #post(body: string, reload: boolean) {
    return boundedHttp({
      url: this.#url,
      method: 'POST',
      headers: {
        Authorization: await this.#credentials(reload),
        'Content-Type': 'application/json',
      },
      body,
      timeoutMs: this.#timeoutMs,
      maxBytes: this.#maxBytes,
    });
  }
}
