import { type Static, Type } from '@sinclair/typebox';
import { Handle, Messages, Token, amount, described } from './common.js';
import { MAX_MEMO_LENGTH } from './payments.js';

/** Parameters of `hub_sync`: the client's channel messages. */
export const SyncParams = Type.Object(
  { handle: Handle, messages: Type.Optional(Messages) },
  { additionalProperties: false, title: 'SyncParams' },
);

/** A payment handed to the payee in a sync (or announced by push). */
export const DeliveredPayment = Type.Object(
  {
    token: Token,
    from: described(Handle, "The payer's connection."),
    amount: amount('Satoshis for this connection.'),
    memo: Type.Optional(Type.String({ maxLength: MAX_MEMO_LENGTH })),
  },
  { title: 'DeliveredPayment' },
);

/** Result of `hub_sync`: the hub's channel messages and the payments delivered now. */
export const SyncResult = Type.Object(
  {
    messages: Messages,
    delivered: Type.Array(DeliveredPayment, {
      maxItems: 100_000,
      description: 'Payments paid to this connection by the commit in `messages`.',
    }),
    spent: amount('Satoshis of the client->hub channel spent on payments and fees.'),
    received: amount('Satoshis delivered to this connection so far.'),
  },
  { title: 'SyncResult' },
);

/** Parameters of `hub_close`. */
export const CloseParams = Type.Object(
  { handle: Handle, messages: Type.Optional(Messages) },
  { additionalProperties: false, title: 'CloseParams' },
);

/** Result of `hub_close`. */
export const CloseResult = Type.Object(
  { closed: Type.Literal(true), messages: Messages },
  { title: 'CloseResult' },
);

/** Static type of {@link SyncResult}. */
export type SyncResultJson = Static<typeof SyncResult>;
/** Static type of {@link DeliveredPayment}. */
export type DeliveredPaymentJson = Static<typeof DeliveredPayment>;
