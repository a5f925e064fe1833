import { type Static, Type } from '@sinclair/typebox';
import { Asset, PublicKey, amount, described } from './common.js';

/** Parameters of `hub_status`: none. */
export const StatusParams = Type.Object({}, { additionalProperties: false, title: 'StatusParams' });

/** The hub's terms for one asset. */
export const AssetTerms = Type.Object(
  {
    depositMin: amount('Smallest client deposit, satoshis (units of the asset for an asset).'),
    depositMax: amount('Largest client deposit, satoshis (units of the asset for an asset).'),
    depositRatioPercent: Type.Integer({
      minimum: 0,
      maximum: 10_000,
      description: "The hub's deposit as a percentage of the client's.",
    }),
    expireMin: Type.Integer({ minimum: 0, description: 'Shortest deposit expiry, blocks.' }),
    expireMax: Type.Integer({ minimum: 0, description: 'Longest deposit expiry, blocks.' }),
    delayMin: Type.Integer({ minimum: 0, description: 'Shortest revoke delay, blocks.' }),
    delayMax: Type.Integer({ minimum: 0, description: 'Longest revoke delay, blocks.' }),
    paymentFee: amount(
      'Fee the hub keeps on each payment routed, satoshis (units of the asset for an asset).',
    ),
  },
  { title: 'AssetTerms' },
);

/** Result of `hub_status`: the hub's identity, chain height and terms; never any connection. */
export const StatusResult = Type.Object(
  {
    hubId: described(PublicKey, 'The hub id: its public key.'),
    hubPublicKey: described(PublicKey, 'Key that signs every answer of the hub.'),
    network: Type.Union(
      [Type.Literal('regtest'), Type.Literal('testnet'), Type.Literal('mainnet')],
      { description: 'Bitcoin network.' },
    ),
    height: Type.Integer({ minimum: 0, description: "Height of the hub's chain tip." }),
    terms: Type.Record(Asset, AssetTerms, { description: 'Terms per asset served.' }),
    methods: Type.Array(Type.String({ maxLength: 64 }), {
      maxItems: 64,
      description: 'Methods the hub serves.',
    }),
  },
  { title: 'StatusResult' },
);

/** Static type of {@link StatusResult}. */
export type StatusResultJson = Static<typeof StatusResult>;
