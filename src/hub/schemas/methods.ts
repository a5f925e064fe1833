import type { TSchema } from '@sinclair/typebox';
import { ConnectParams, ConnectResult } from './connect.js';
import { CancelParams, CancelResult, PayParams, PayResult } from './payments.js';
import { StatusParams, StatusResult } from './status.js';
import { CloseParams, CloseResult, SyncParams, SyncResult } from './sync.js';

/** One JSON-RPC method of the hub: its schemas and documentation. */
export interface HubMethodSpec {
  readonly name: string;
  /** Name of the equivalent method of the reference hub (picopayments-hub, 2017), if any. */
  readonly reference: string | null;
  readonly summary: string;
  readonly description: string;
  /** `none`: unsigned; `new-key`: signed by the key it registers; `connection`: signed by the connection key. */
  readonly auth: 'none' | 'new-key' | 'connection';
  readonly params: TSchema;
  readonly result: TSchema;
}

/** Every method the hub serves, in the order of the documentation. */
export const HUB_METHODS = [
  {
    name: 'hub_status',
    reference: 'mph_status',
    summary: "The hub's identity, network, chain height and terms per asset.",
    description:
      'Public and unsigned; lists no connection, handle or balance (the reference listed every connection with its balance to anyone). The answer is signed by the hub key, which the client pins.',
    auth: 'none',
    params: StatusParams,
    result: StatusResult,
  },
  {
    name: 'hub_connect',
    reference: 'mph_request + mph_deposit',
    summary:
      'Opens a connection: a client->hub channel and a hub->client channel funded by the hub.',
    description:
      "One round instead of the reference's request then deposit: the hub checks the terms and its liquidity, opens its payee side of the client->hub channel and funds the hub->client deposit, and answers with the handle and its first channel messages. Signed by the new connection key, which authenticates every later request.",
    auth: 'new-key',
    params: ConnectParams,
    result: ConnectResult,
  },
  {
    name: 'hub_pay',
    reference: 'mph_sync (payments field)',
    summary: 'Queues a payment to another connection, paid for by the commit in `messages`.',
    description:
      "The client first pays the hub amount + fee on its client->hub channel (the commit travels in `messages`). Capacity is checked against everything queued and delivered to the payee. The token is the payment's end-to-end receipt; the payee gets it on its next sync.",
    auth: 'connection',
    params: PayParams,
    result: PayResult,
  },
  {
    name: 'hub_cancel',
    reference: null,
    summary: 'Cancels a payment still queued; its amount and fee become spendable again.',
    description: 'Only the payer can cancel, and only before the payee synced.',
    auth: 'connection',
    params: CancelParams,
    result: CancelResult,
  },
  {
    name: 'hub_sync',
    reference: 'mph_sync',
    summary: 'Exchanges channel messages and hands over the payments queued for this connection.',
    description:
      'Atomic and idempotent: one transaction per sync, and a retry with the same nonce gets the stored answer, so a lost answer never desynchronises the client (the reference marked payments delivered over several transactions before answering).',
    auth: 'connection',
    params: SyncParams,
    result: SyncResult,
  },
  {
    name: 'hub_close',
    reference: 'mph_close',
    summary: 'Closes the connection: the hub publishes its best commit of the client->hub channel.',
    description:
      'The client publishes the best commit of the hub->client channel itself; both deposits are then recovered after their delay or expiry by the background jobs.',
    auth: 'connection',
    params: CloseParams,
    result: CloseResult,
  },
] as const satisfies readonly HubMethodSpec[];

/** Names of the hub's methods. */
export type HubMethodName = (typeof HUB_METHODS)[number]['name'];

/** The spec of a method by name, or undefined. */
export function hubMethod(name: string): HubMethodSpec | undefined {
  return HUB_METHODS.find((m) => m.name === name);
}
