import type { TSchema } from '@sinclair/typebox';
import { HUB_ERROR_NUMBERS, type HubErrorCode } from '../errors.js';
import { RequestAuthSchema } from './common.js';
import { EventsQuery, PaymentEvent } from './events.js';
import { HUB_METHODS } from './methods.js';

/** Version of the OpenRPC specification the document follows. */
export const OPENRPC_VERSION = '1.2.6';

/** Version of the hub's API, bumped on any change to a schema. */
export const HUB_API_VERSION = '1.0.0';

const ERROR_TEXT: Partial<Record<HubErrorCode, string>> = {
  PARSE_ERROR: 'The body is not JSON.',
  INVALID_REQUEST: 'Not a JSON-RPC 2.0 request object, or a batch outside 1..maxBatch.',
  METHOD_NOT_FOUND: 'No such method.',
  INVALID_PARAMS:
    'Params or auth do not match the schema; `data.path` is the JSON Pointer of the first fault.',
  INTERNAL: 'The hub failed; nothing was changed.',
  UNKNOWN_CONNECTION: 'No such connection (or payee).',
  BAD_SIGNATURE: 'The request is unsigned or its signature does not verify for this method.',
  REPLAYED: 'The nonce was used by another request of this connection.',
  EXPIRED: 'The request expiry has passed.',
  TERMS_VIOLATED: "Outside the hub's terms.",
  NO_LIQUIDITY: 'The hub cannot fund this connection.',
  INSUFFICIENT_FUNDS:
    'The payer has not paid the hub enough, or the payee cannot receive that much.',
  UNKNOWN_PAYMENT: 'No queued payment of this connection with that token.',
  TOO_LARGE: 'The body is larger than the limit (HTTP 413).',
  RATE_LIMITED: 'Too many requests from this connection or address in the last minute.',
};

// Drops typebox's symbol-keyed metadata, leaving plain JSON Schema.
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

function errors(): object[] {
  return (Object.entries(HUB_ERROR_NUMBERS) as [HubErrorCode, number][])
    .sort(([, a], [, b]) => b - a)
    .map(([code, number]) => ({
      code: number,
      message: ERROR_TEXT[code] ?? code,
      data: { code },
    }));
}

/**
 * The hub's OpenRPC document, generated from the same typebox schemas the server validates
 * requests with and the client library validates answers with. Params are by name; the
 * authentication block travels beside them as the request object's `auth` member
 * (`x-auth` says which key signs).
 */
export function hubOpenRpcDocument(): Record<string, unknown> {
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: 'picopayments hub',
      version: HUB_API_VERSION,
      description:
        'JSON-RPC 2.0 over HTTP POST at `/rpc`. Every request but `hub_status` carries `auth` (see `x-auth` and components.schemas.RequestAuth), signed by the connection key over (hub id, method, params, nonce, expiry); every answer carries `signature`, by the hub key over (hub id, method, request signature, result). Payments can also be pushed as server-sent events from `GET /events` (see `x-events`). The reference names (picopayments-hub, 2017) are given per method in `x-reference`.',
      license: { name: 'MIT' },
    },
    servers: [
      {
        name: 'local hub',
        url: 'http://127.0.0.1:{port}/rpc',
        variables: { port: { default: '8080', description: 'Port given by --port.' } },
      },
    ],
    methods: HUB_METHODS.map((m) => {
      const params = plain(m.params) as {
        properties?: Record<string, Record<string, unknown>>;
        required?: string[];
      };
      const required = new Set(params.required ?? []);
      return {
        name: m.name,
        summary: m.summary,
        description: `${m.description}${m.reference ? ` Reference equivalent: \`${m.reference}\`.` : ''}`,
        'x-reference': m.reference,
        'x-auth': m.auth,
        paramStructure: 'by-name',
        params: Object.entries(params.properties ?? {}).map(([name, schema]) => ({
          name,
          ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
          required: required.has(name),
          schema,
        })),
        result: { name: `${m.name}_result`, schema: plain(m.result) },
        errors: errors().filter(
          (e) =>
            m.auth !== 'none' || ![-32002, -32003, -32004].includes((e as { code: number }).code),
        ),
      };
    }),
    components: {
      schemas: {
        RequestAuth: plain(RequestAuthSchema),
        EventsQuery: plain(EventsQuery),
        PaymentEvent: plain(PaymentEvent),
      },
    },
    'x-events': {
      path: '/events',
      method: 'GET',
      contentType: 'text/event-stream',
      query: '#/components/schemas/EventsQuery',
      events: { payment: '#/components/schemas/PaymentEvent', ready: 'the subscription is live' },
      description:
        'Optional push, besides pull on sync: each payment queued for the connection is sent as `event: payment`. It is a hint to sync now; the payment itself is handed over by `hub_sync`.',
    },
  };
}
