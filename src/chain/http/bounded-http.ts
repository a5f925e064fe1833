import { concatBytes } from '../../bytes.js';
import { ChainError } from '../errors.js';

/** One HTTP exchange with a node. */
export interface HttpExchange {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Whole exchange, connection to last byte, in milliseconds. */
  readonly timeoutMs: number;
  /** Larger answers are refused (`NODE_BAD_RESPONSE`) without being read to the end. */
  readonly maxBytes: number;
}

/** A node's HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * Sends one request and reads the answer within a time and size bound. A connection failure
 * or timeout is `NODE_UNREACHABLE`; an oversized or undecodable body is `NODE_BAD_RESPONSE`.
 */
export async function boundedHttp(exchange: HttpExchange): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(exchange.timeoutMs);
  let response: Response;
  try {
    response = await fetch(exchange.url, {
      method: exchange.method,
      headers: exchange.headers,
      body: exchange.body,
      signal,
    });
  } catch (error: unknown) {
    throw unreachable(exchange, error);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > exchange.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(exchange);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = response.body?.getReader();
    while (reader !== undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > exchange.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(exchange);
      }
      chunks.push(value);
    }
  } catch (error: unknown) {
    if (error instanceof ChainError) throw error;
    throw unreachable(exchange, error);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(concatBytes(...chunks));
  } catch {
    throw new ChainError('NODE_BAD_RESPONSE', `${describe(exchange)}: answer is not UTF-8`);
  }
  return { status: response.status, text };
}

function describe(exchange: HttpExchange): string {
  // Never echo credentials that a URL may carry.
  const url = new URL(exchange.url);
  return `${exchange.method} ${url.protocol}//${url.host}${url.pathname}`;
}

function tooLarge(exchange: HttpExchange): ChainError {
  return new ChainError(
    'NODE_BAD_RESPONSE',
    `${describe(exchange)}: answer larger than ${exchange.maxBytes} bytes`,
  );
}

function unreachable(exchange: HttpExchange, error: unknown): ChainError {
  const timedOut =
    error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const cause =
    error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return new ChainError(
    'NODE_UNREACHABLE',
    timedOut
      ? `${describe(exchange)}: no answer within ${exchange.timeoutMs} ms`
      : `${describe(exchange)}: ${cause}`,
  );
}
