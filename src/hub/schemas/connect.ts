import { type Static, Type } from '@sinclair/typebox';
import { Asset, Handle, Messages, PublicKey, amount, described, hexBytes } from './common.js';

/** Parameters of `hub_connect`, signed by the new connection's own key. */
export const ConnectParams = Type.Object(
  {
    asset: Asset,
    quantity: amount("The client's deposit on its client->hub channel, satoshis."),
    clientPublicKey: described(
      PublicKey,
      "The new connection's client key: it signs every later request.",
    ),
    payoutScript: hexBytes(1, 10_000, "Output script of the client's recovered funds."),
    expireBlocks: Type.Integer({
      minimum: 1,
      maximum: 65_535,
      description: 'Deposit expiry of both channels, blocks.',
    }),
    delayBlocks: Type.Integer({
      minimum: 1,
      maximum: 65_535,
      description: 'Revoke delay of both channels, blocks.',
    }),
  },
  { additionalProperties: false, title: 'ConnectParams' },
);

/** Result of `hub_connect`. */
export const ConnectResult = Type.Object(
  {
    handle: Handle,
    clientToHubChannel: Type.String({
      pattern: '^[0-9a-f]{32}-c2h$',
      description: 'Channel id of the client->hub channel: `<handle>-c2h`.',
    }),
    hubToClientChannel: Type.String({
      pattern: '^[0-9a-f]{32}-h2c$',
      description: 'Channel id of the hub->client channel: `<handle>-h2c`.',
    }),
    hubDeposit: amount("The hub's deposit on the hub->client channel, satoshis (0: none)."),
    messages: Messages,
  },
  { title: 'ConnectResult' },
);

/** Static types of the connect schemas. */
export type ConnectParamsJson = Static<typeof ConnectParams>;
/** Static type of {@link ConnectResult}. */
export type ConnectResultJson = Static<typeof ConnectResult>;
