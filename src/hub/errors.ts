import { PicopaymentsError } from '../errors.js';

/** Codes of {@link HubError}; each maps to one JSON-RPC error code. */
export type HubErrorCode =
  | 'PARSE_ERROR'
  | 'INVALID_REQUEST'
  | 'METHOD_NOT_FOUND'
  | 'INVALID_PARAMS'
  | 'UNKNOWN_CONNECTION'
  | 'BAD_SIGNATURE'
  | 'REPLAYED'
  | 'EXPIRED'
  | 'TERMS_VIOLATED'
  | 'NO_LIQUIDITY'
  | 'INSUFFICIENT_FUNDS'
  | 'UNKNOWN_PAYMENT'
  | 'TOO_LARGE'
  | 'RATE_LIMITED'
  | 'INTERNAL';

/** JSON-RPC error numbers of the hub's codes (-32700..-32600 are the standard ones). */
export const HUB_ERROR_NUMBERS: Record<HubErrorCode, number> = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  UNKNOWN_CONNECTION: -32001,
  BAD_SIGNATURE: -32002,
  REPLAYED: -32003,
  EXPIRED: -32004,
  TERMS_VIOLATED: -32005,
  NO_LIQUIDITY: -32006,
  INSUFFICIENT_FUNDS: -32007,
  UNKNOWN_PAYMENT: -32008,
  TOO_LARGE: -32009,
  RATE_LIMITED: -32010,
};

/** A request the hub refuses; it changes nothing. */
export class HubError extends PicopaymentsError<HubErrorCode> {}
