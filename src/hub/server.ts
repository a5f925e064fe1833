import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PicopaymentsError } from '../errors.js';
import { HUB_ERROR_NUMBERS, HubError, type HubErrorCode } from './errors.js';
import type { Hub, RequestAuth } from './hub.js';

/** Limits of {@link startHubServer}. */
export interface HubServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Largest request body, bytes (default 1 MB). */
  readonly maxBodyBytes?: number;
  /** Most requests in one batch (default 20). */
  readonly maxBatch?: number;
  /** Requests per connection handle (or address) per minute (default 6000). */
  readonly ratePerMinute?: number;
}

/** A running hub server. */
export interface HubServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface RpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  auth?: unknown;
}

function errorObject(id: unknown, error: unknown): Record<string, unknown> {
  const code: HubErrorCode =
    error instanceof HubError
      ? error.code
      : error instanceof PicopaymentsError
        ? 'INVALID_PARAMS'
        : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const data: Record<string, unknown> = { code };
  if (error instanceof PicopaymentsError && !(error instanceof HubError)) data.cause = error.code;
  return {
    jsonrpc: '2.0',
    id: id ?? null,
    error: { code: HUB_ERROR_NUMBERS[code], message, data },
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Serves a {@link Hub} as JSON-RPC 2.0 over HTTP at `/rpc`, plus `/health`. */
export async function startHubServer(hub: Hub, options: HubServerOptions = {}): Promise<HubServer> {
  const maxBody = options.maxBodyBytes ?? 1_000_000;
  const maxBatch = options.maxBatch ?? 20;
  const rate = options.ratePerMinute ?? 6000;
  const windows = new Map<string, { start: number; count: number }>();

  function limited(key: string): boolean {
    const now = Date.now();
    const w = windows.get(key);
    if (!w || now - w.start > 60_000) {
      windows.set(key, { start: now, count: 1 });
      return false;
    }
    w.count++;
    return w.count > rate;
  }

  async function one(request: unknown, address: string): Promise<Record<string, unknown>> {
    if (request === null || typeof request !== 'object' || Array.isArray(request))
      return errorObject(null, new HubError('INVALID_REQUEST', 'a request is an object'));
    const r = request as RpcRequest;
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string')
      return errorObject(
        r.id,
        new HubError('INVALID_REQUEST', 'jsonrpc must be "2.0" and method a string'),
      );
    const handle =
      r.params &&
      typeof r.params === 'object' &&
      typeof (r.params as { handle?: unknown }).handle === 'string'
        ? (r.params as { handle: string }).handle
        : address;
    if (limited(handle))
      return errorObject(r.id, new HubError('RATE_LIMITED', 'too many requests'));
    try {
      const { result, signature } = await hub.call(
        r.method,
        r.params,
        r.auth as RequestAuth | undefined,
      );
      return { jsonrpc: '2.0', id: r.id ?? null, result, signature };
    } catch (error) {
      return errorObject(r.id, error);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/health' && request.method === 'GET') return reply(200, { ok: true });
    if (request.url !== '/rpc' || request.method !== 'POST')
      return reply(404, { error: 'not found' });
    const body = await readBody(request, maxBody);
    if (body === null)
      return reply(413, errorObject(null, new HubError('TOO_LARGE', 'body too large')));
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return reply(200, errorObject(null, new HubError('PARSE_ERROR', 'the body is not JSON')));
    }
    const address = request.socket.remoteAddress ?? 'unknown';
    if (Array.isArray(parsed)) {
      if (parsed.length === 0 || parsed.length > maxBatch)
        return reply(
          200,
          errorObject(
            null,
            new HubError('INVALID_REQUEST', `a batch holds 1..${maxBatch} requests`),
          ),
        );
      const out: Record<string, unknown>[] = [];
      for (const r of parsed) out.push(await one(r, address));
      return reply(200, out);
    }
    return reply(200, await one(parsed, address));
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify(errorObject(null, error)));
      }
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/rpc`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Requests in flight finish; idle keep-alive sockets go now.
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
