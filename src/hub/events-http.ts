import type { IncomingMessage, ServerResponse } from 'node:http';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { hexToBytes } from '../bytes.js';
import { EVENTS_TOKEN_MAX_AHEAD, eventsDigest } from './events-token.js';
import type { PaymentEvents } from './events.js';
import { EventsQuery } from './schemas/events.js';
import { verifyHex } from './signing.js';

const queryCheck = TypeCompiler.Compile(EventsQuery);

/** What `GET /events` needs from the hub. */
export interface EventsSource {
  readonly id: string;
  clientKeyOf(handle: string): string | undefined;
}

/** An open event stream, ended by {@link serveEvents}'s caller at shutdown. */
export interface EventStream {
  end(): void;
}

function refuse(response: ServerResponse, status: number, code: string, message: string): null {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { code, message } }));
  return null;
}

/**
 * Serves `GET /events?handle=H&expiry=E&signature=S` as server-sent events: `event: ready`
 * once, then `event: payment` for each payment queued for the connection, and a comment line
 * every `heartbeatMs` so that proxies and clients see the stream alive. The token is checked
 * against the connection's client key; a bad one gets 400 (malformed) or 401 (not signed by
 * the connection, expired, or expiring more than an hour ahead), and too many subscriptions 429.
 */
export function serveEvents(
  hub: EventsSource,
  events: PaymentEvents,
  request: IncomingMessage,
  response: ServerResponse,
  heartbeatMs: number,
): EventStream | null {
  const url = new URL(request.url ?? '/', 'http://hub');
  const raw: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) {
    if (Object.hasOwn(raw, k)) return refuse(response, 400, 'INVALID_PARAMS', `${k} given twice`);
    raw[k] = k === 'expiry' && /^[0-9]{1,16}$/.test(v) ? Number(v) : v;
  }
  if (!queryCheck.Check(raw)) {
    const first = queryCheck.Errors(raw).First();
    return refuse(response, 400, 'INVALID_PARAMS', `${first?.path ?? ''}: ${first?.message ?? ''}`);
  }
  const { handle, expiry, signature } = raw as {
    handle: string;
    expiry: number;
    signature: string;
  };
  const now = Math.floor(Date.now() / 1000);
  if (expiry < now) return refuse(response, 401, 'EXPIRED', 'the token expired');
  if (expiry > now + EVENTS_TOKEN_MAX_AHEAD)
    return refuse(response, 401, 'EXPIRED', 'the token expires more than an hour ahead');
  const key = hub.clientKeyOf(handle);
  if (!key || !verifyHex(eventsDigest(hub.id, handle, expiry), signature, hexToBytes(key)))
    return refuse(response, 401, 'BAD_SIGNATURE', 'the token is not signed by this connection');
  const send = (text: string) => {
    response.write(text);
  };
  const unsubscribe = events.subscribe(handle, (event) =>
    send(`event: payment\ndata: ${JSON.stringify(event)}\n\n`),
  );
  if (!unsubscribe) return refuse(response, 429, 'RATE_LIMITED', 'too many subscriptions');
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  send(`event: ready\ndata: ${JSON.stringify({ handle })}\n\n`);
  const timer = setInterval(() => send(': keep-alive\n\n'), heartbeatMs);
  timer.unref();
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    unsubscribe();
  };
  response.on('close', finish);
  return {
    end: () => {
      finish();
      response.end();
    },
  };
}
