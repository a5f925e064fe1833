import { type Static, Type } from '@sinclair/typebox';
import { Handle, Messages, Token, amount, described } from './common.js';

/** Longest memo of a payment, characters. */
export const MAX_MEMO_LENGTH = 1000;

/** Parameters of `hub_pay`: the payer's commit to the hub plus the payment to route. */
export const PayParams = Type.Object(
  {
    handle: described(Handle, "The payer's connection."),
    to: described(Handle, "The payee's connection."),
    amount: amount('Satoshis for the payee (the fee of the terms comes on top).'),
    memo: Type.Optional(
      Type.String({ maxLength: MAX_MEMO_LENGTH, description: 'Shown to the payee.' }),
    ),
    messages: Type.Optional(Messages),
  },
  { additionalProperties: false, title: 'PayParams' },
);

/** Result of `hub_pay`: the queued payment's token. */
export const PayResult = Type.Object({ token: Token, messages: Messages }, { title: 'PayResult' });

/** Parameters of `hub_cancel`. */
export const CancelParams = Type.Object(
  { handle: Handle, token: described(Token, 'A queued payment of this connection.') },
  { additionalProperties: false, title: 'CancelParams' },
);

/** Result of `hub_cancel`. */
export const CancelResult = Type.Object({ cancelled: Token }, { title: 'CancelResult' });

/** Static type of {@link PayParams}. */
export type PayParamsJson = Static<typeof PayParams>;
/** Static type of {@link PayResult}. */
export type PayResultJson = Static<typeof PayResult>;
