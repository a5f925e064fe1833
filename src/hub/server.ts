import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PicopaymentsError } from '../errors.js';
import { HUB_ERROR_NUMBERS, HubError, type HubErrorCode } from './errors.js';
import { type EventStream, serveEvents } from './events-http.js';
import { PaymentEvents } from './events.js';
import type { Hub, RequestAuth } from './hub.js';
import { hubOpenRpcDocument } from './schemas/openrpc.js';
import { InvalidParamsError, validateRequest } from './schemas/validate.js';

/** Limits of {@link startHubServer}. */
export interface HubServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Largest request body, bytes (default 1 MB). */
  readonly maxBodyBytes?: number;
  /** Most requests in one batch (default 20). */
  readonly maxBatch?: number;
  /** Requests per minute per address and connection handle (default 6000). */
  readonly ratePerMinute?: number;
  /** Fan-out of queued payments to `GET /events` subscribers (default: a new one). */
  readonly events?: PaymentEvents;
  /** Interval of the keep-alive comment on event streams, ms (default 15 000). */
  readonly heartbeatMs?: number;
  /** Time a request may take to arrive, ms (default 30 000): a slow sender cannot hold a socket. */
  readonly requestTimeoutMs?: number;
}

/** A running hub server. */
export interface HubServer {
  readonly url: string;
  readonly port: number;
  /** Where queued payments are announced to `GET /events`. */
  readonly events: PaymentEvents;
  /** Requests being handled now. */
  readonly inFlight: number;
  /**
   * Graceful stop: refuses new connections, ends event streams, lets every request in flight
   * (a sync included) finish and answer, then resolves. After `graceMs` (default 10 000) the
   * remaining sockets are cut.
   */
  close(graceMs?: number): Promise<void>;
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
  // An internal failure says nothing of the hub's insides to the caller.
  const message =
    code === 'INTERNAL' && !(error instanceof HubError)
      ? 'internal error'
      : error instanceof Error
        ? error.message
        : String(error);
  const data: Record<string, unknown> = { code };
  if (error instanceof PicopaymentsError && !(error instanceof HubError)) data.cause = error.code;
  if (error instanceof InvalidParamsError) data.path = error.path;
  return {
    jsonrpc: '2.0',
    id: validId(id) ? id : null,
    error: { code: HUB_ERROR_NUMBERS[code], message, data },
  };
}

// JSON-RPC ids are strings, numbers or null; anything else is answered with null.
function validId(id: unknown): boolean {
  return (
    (typeof id === 'string' && id.length <= 128) ||
    (typeof id === 'number' && Number.isFinite(id)) ||
    id === null
  );
}

function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      // Far past the limit the rest is not even read.
      else if (size > limit * 4) request.destroy();
    });
    request.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
    request.on('close', () => resolve(null));
  });
}

/**
 * Serves a {@link Hub} as JSON-RPC 2.0 over HTTP at `/rpc` (params checked against the
 * schemas of `./schemas` before the hub sees them), `rpc.discover` answering the OpenRPC
 * document, server-sent events of incoming payments at `/events`, `/health` and Prometheus
 * `/metrics`.
 */
export async function startHubServer(hub: Hub, options: HubServerOptions = {}): Promise<HubServer> {
  const maxBody = options.maxBodyBytes ?? 1_000_000;
  const maxBatch = options.maxBatch ?? 20;
  const rate = options.ratePerMinute ?? 6000;
  const events = options.events ?? new PaymentEvents();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const windows = new Map<string, { start: number; count: number }>();
  const streams = new Set<EventStream>();
  let inFlight = 0;
  let closing = false;

  function limited(key: string): boolean {
    const now = Date.now();
    const w = windows.get(key);
    if (!w || now - w.start > 60_000) {
      // Old windows go, so the map stays as small as the set of recent callers.
      if (windows.size > 100_000) windows.clear();
      windows.set(key, { start: now, count: 1 });
      return false;
    }
    w.count++;
    return w.count > rate;
  }

  function announce(params: unknown, result: unknown): void {
    const p = params as { handle: string; to: string; amount: string; memo?: string };
    const token = (result as { token?: unknown }).token;
    if (typeof token !== 'string') return;
    events.publish({
      token,
      from: p.handle,
      to: p.to,
      amount: p.amount,
      ...(p.memo !== undefined ? { memo: p.memo } : {}),
    });
  }

  async function one(request: unknown, address: string): Promise<Record<string, unknown>> {
    if (request === null || typeof request !== 'object' || Array.isArray(request))
      return errorObject(null, new HubError('INVALID_REQUEST', 'a request is an object'));
    const r = request as RpcRequest;
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string' || !validId(r.id ?? null))
      return errorObject(
        r.id,
        new HubError(
          'INVALID_REQUEST',
          'jsonrpc must be "2.0", method a string and id a string, number or null',
        ),
      );
    // Keyed by address and handle: a caller elsewhere cannot use up another client's budget
    // by naming its handle, which is not authenticated yet at this point.
    const handle =
      r.params &&
      typeof r.params === 'object' &&
      typeof (r.params as { handle?: unknown }).handle === 'string'
        ? (r.params as { handle: string }).handle.slice(0, 64)
        : '';
    if (limited(`${address}|${handle}`))
      return errorObject(r.id, new HubError('RATE_LIMITED', 'too many requests'));
    if (r.method === 'rpc.discover')
      return { jsonrpc: '2.0', id: r.id ?? null, result: hubOpenRpcDocument() };
    try {
      validateRequest(r.method, r.params, r.auth);
      const { result, signature } = await hub.call(
        r.method,
        r.params,
        r.auth as RequestAuth | undefined,
      );
      if (r.method === 'hub_pay') announce(r.params, result);
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
    const path = (request.url ?? '').split('?')[0];
    if (path === '/health' && request.method === 'GET') {
      const health = hub.health();
      return reply(health.healthy ? 200 : 503, health);
    }
    if (path === '/metrics' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(hub.metrics());
      return;
    }
    if (path === '/events' && request.method === 'GET') {
      if (closing)
        return reply(503, { error: { code: 'STOPPING', message: 'the hub is stopping' } });
      const stream = serveEvents(hub, events, request, response, heartbeatMs);
      if (stream) {
        streams.add(stream);
        response.on('close', () => streams.delete(stream));
      }
      return;
    }
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

  let drained: () => void = () => undefined;
  const server: Server = createServer((request, response) => {
    inFlight++;
    // While stopping, every answer closes its socket, so keep-alive cannot hold the server open.
    if (closing) response.setHeader('connection', 'close');
    handle(request, response)
      .catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify(errorObject(null, error)));
        }
      })
      .finally(() => {
        inFlight--;
        if (closing) {
          server.closeIdleConnections();
          if (inFlight === 0) drained();
        }
      });
  });
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/rpc`,
    port,
    events,
    get inFlight() {
      return inFlight;
    },
    close: (graceMs = 10_000) => {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        for (const s of streams) s.end();
        streams.clear();
        // Requests in flight finish and answer; idle keep-alive sockets go now.
        server.closeIdleConnections();
        drained = () => server.closeIdleConnections();
      });
      return closed;
    },
  };
}
