import { PicopaymentsError } from '../errors.js';

/** Codes of {@link HubClientError}. */
export type HubClientErrorCode =
  | 'HUB_UNREACHABLE'
  | 'HUB_BAD_SIGNATURE'
  | 'HUB_RPC_ERROR'
  | 'HUB_TERMS_VIOLATED'
  | 'HUB_BAD_DEPOSIT_SCRIPT'
  | 'HUB_BAD_RESPONSE'
  | 'UNKNOWN_HANDLE'
  | 'BAD_BACKUP';

/** A failure talking to the hub, or a hub answer the client refuses. */
export class HubClientError extends PicopaymentsError<HubClientErrorCode> {
  constructor(
    code: HubClientErrorCode,
    message: string,
    /** The hub's typed error code (`data.code` of its JSON-RPC error), for `HUB_RPC_ERROR`. */
    readonly hubCode?: string,
  ) {
    super(code, message);
  }
}
