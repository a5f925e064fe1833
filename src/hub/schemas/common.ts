import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { AMOUNT_PATTERN } from '../../messages/amount.js';

/**
 * Building blocks shared by the hub's JSON-RPC schemas. Bytes are lower-case hex (one spelling
 * per value, so signatures over the canonical JSON are unambiguous), amounts are decimal strings
 * of satoshis, block counts and heights are JSON integers.
 *
 * @module
 */

/** Lower-case hex of `min..max` bytes. */
export function hexBytes(min: number, max: number, description: string) {
  return Type.String({
    pattern: '^(?:[0-9a-f]{2})+$',
    minLength: min * 2,
    maxLength: max * 2,
    description,
  });
}

/** An amount in satoshis as a decimal string without sign or leading zeros. */
export function amount(description: string) {
  return Type.String({ pattern: AMOUNT_PATTERN, minLength: 1, maxLength: 16, description });
}

/**
 * `schema` with its own description. A helper rather than an object spread, so that the
 * declared type stays the schema's type (a spread's type names typebox's internal symbols,
 * which the declaration build cannot name).
 */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** A connection handle: 16 bytes of lower-case hex, given by the hub at connect. */
export const Handle = Type.String({
  pattern: '^[0-9a-f]{32}$',
  description: 'Connection handle given by `hub_connect` (32 lower-case hex digits).',
});

/** A payment token: the end-to-end receipt of a routed payment (32 bytes, hex). */
export const Token = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'Payment token: the end-to-end receipt of one routed payment (64 hex digits).',
});

/** A compressed secp256k1 public key, hex. */
export const PublicKey = Type.String({
  pattern: '^0[23][0-9a-f]{64}$',
  description: 'Compressed secp256k1 public key (33 bytes, lower-case hex).',
});

/** A compact ECDSA signature r||s, hex. */
export const Signature = Type.String({
  pattern: '^[0-9a-f]{128}$',
  description: 'Compact ECDSA signature r||s (64 bytes, lower-case hex).',
});

/** An asset name as the hub's terms list it. */
export const Asset = Type.String({
  pattern: '^[A-Za-z0-9._-]+$',
  minLength: 1,
  maxLength: 64,
  description: 'Asset name as listed in the terms of `hub_status` (e.g. `BTC`).',
});

/** Most channel messages one request or answer may carry. */
export const MAX_MESSAGES = 256;
/** Longest channel message text, characters. */
export const MAX_MESSAGE_LENGTH = 200_000;

/** Channel messages (PROTOCOL.md §5) as their JSON texts, for this connection's two channels. */
export const Messages = Type.Array(Type.String({ minLength: 2, maxLength: MAX_MESSAGE_LENGTH }), {
  maxItems: MAX_MESSAGES,
  description:
    'Channel messages (PROTOCOL.md §5), each the JSON text of one message for one of the two channels of this connection.',
});

/** The authentication block of a signed request (beside `params` in the JSON-RPC object). */
export const RequestAuthSchema = Type.Object(
  {
    nonce: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Per-connection nonce, higher than every nonce this connection used before.',
    }),
    expiry: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Unix time, seconds, after which the hub refuses the request.',
    }),
    signature: described(
      Signature,
      'Signature by the connection key over sha256 of the canonical JSON of ["picopayments-hub-request", hubId, method, params, nonce, expiry].',
    ),
  },
  { additionalProperties: false, title: 'RequestAuth' },
);

/** Static type of {@link RequestAuthSchema}. */
export type RequestAuthJson = Static<typeof RequestAuthSchema>;
