import { type TSchema, Type } from '@sinclair/typebox';
import { AMOUNT_PATTERN } from '../messages/amount.js';

/** The kind of a setting, which says how a flag or environment string is read. */
export type SettingKind = 'string' | 'integer' | 'boolean' | 'amount' | 'terms';

/** One setting of the hub program: its config file key, flag, environment variable and schema. */
export interface HubSetting {
  readonly key: string;
  readonly kind: SettingKind;
  readonly schema: TSchema;
  readonly description: string;
  /** Settable in the config file only (no flag or environment variable). */
  readonly fileOnly?: boolean;
}

const text = (description: string, maxLength = 4096) =>
  Type.String({ minLength: 1, maxLength, description });
const int = (minimum: number, maximum: number, description: string) =>
  Type.Integer({ minimum, maximum, description });
const sats = (description: string) =>
  Type.String({ pattern: AMOUNT_PATTERN, minLength: 1, maxLength: 16, description });

/** Terms of one asset in the config file: any field left out keeps the default. */
export const TermsOverride = Type.Object(
  {
    depositMin: Type.Optional(sats('Smallest client deposit, satoshis.')),
    depositMax: Type.Optional(sats('Largest client deposit, satoshis.')),
    depositRatioPercent: Type.Optional(int(0, 10_000, "Hub deposit as a % of the client's.")),
    expireMin: Type.Optional(int(1, 65_535, 'Shortest deposit expiry, blocks.')),
    expireMax: Type.Optional(int(1, 65_535, 'Longest deposit expiry, blocks.')),
    delayMin: Type.Optional(int(1, 65_535, 'Shortest revoke delay, blocks.')),
    delayMax: Type.Optional(int(1, 65_535, 'Longest revoke delay, blocks.')),
    paymentFee: Type.Optional(sats('Fee kept on each payment routed, satoshis.')),
    liquidity: Type.Optional(sats('Most the hub locks in hub->client deposits of the asset.')),
  },
  { additionalProperties: false },
);

/** Key of an asset's terms: `BTC`, or a Counterparty asset name (XCP, named or numeric). */
export const ASSET_TERMS_KEY = '^(?:BTC|XCP|[B-Z][A-Z]{3,11}|A[1-9][0-9]{0,19})$';

/** Every setting, in the order of the usage text. */
export const HUB_SETTINGS: readonly HubSetting[] = [
  {
    key: 'chainRpc',
    kind: 'string',
    schema: text('Bitcoin Core (or simnet) RPC URL.'),
    description: 'Bitcoin Core (or simnet) RPC URL.',
  },
  {
    key: 'chainCookie',
    kind: 'string',
    schema: text('Cookie file of the node.'),
    description: 'Cookie file of the node.',
  },
  { key: 'chainUser', kind: 'string', schema: text('RPC user.', 256), description: 'RPC user.' },
  {
    key: 'chainPassword',
    kind: 'string',
    schema: text('RPC password.', 256),
    description: 'RPC password (prefer the cookie, or the environment).',
  },
  {
    key: 'db',
    kind: 'string',
    schema: text('SQLite file, or a postgresql:// URL.'),
    description:
      'SQLite file of the hub, or a postgresql:// URL (hub processes pointed at one database share it).',
  },
  {
    key: 'dbSchema',
    kind: 'string',
    schema: Type.String({
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      description: 'PostgreSQL schema of the hub tables.',
    }),
    description: 'PostgreSQL schema holding the hub tables (default picopayments).',
  },
  {
    key: 'port',
    kind: 'integer',
    schema: int(0, 65_535, 'TCP port (0: any free one).'),
    description: 'TCP port (0: any free one).',
  },
  {
    key: 'host',
    kind: 'string',
    schema: text('Listening address.', 255),
    description: 'Listening address.',
  },
  {
    key: 'network',
    kind: 'string',
    schema: Type.Union([Type.Literal('regtest'), Type.Literal('testnet'), Type.Literal('mainnet')]),
    description: 'regtest, testnet or mainnet.',
  },
  {
    key: 'seedFile',
    kind: 'string',
    schema: text('File of the hub key (64 hex digits).'),
    description: 'File holding the hub key as 64 hex digits (else PICOPAYMENTS_HUB_SEED).',
  },
  {
    key: 'dbPassphraseFile',
    kind: 'string',
    schema: text('File of the database passphrase.'),
    description:
      'File holding the passphrase the database is encrypted under (else PICOPAYMENTS_HUB_DB_PASSPHRASE, else a key derived from the hub key).',
  },
  {
    key: 'faucetSats',
    kind: 'amount',
    schema: sats('Regtest: satoshis from the simnet faucet.'),
    description: 'Regtest only: satoshis asked from the simnet faucet at start.',
  },
  {
    key: 'jsonLogs',
    kind: 'boolean',
    schema: Type.Boolean(),
    description: 'JSON log lines on stderr.',
  },
  {
    key: 'maxBodyBytes',
    kind: 'integer',
    schema: int(1024, 64_000_000, 'Largest request body.'),
    description: 'Largest request body, bytes.',
  },
  {
    key: 'maxBatch',
    kind: 'integer',
    schema: int(1, 1000, 'Most requests per batch.'),
    description: 'Most requests in one batch.',
  },
  {
    key: 'ratePerMinute',
    kind: 'integer',
    schema: int(1, 10_000_000, 'Requests per client per minute.'),
    description: 'Requests per minute per address and connection handle.',
  },
  {
    key: 'heartbeatMs',
    kind: 'integer',
    schema: int(100, 3_600_000, 'Event stream keep-alive.'),
    description: 'Interval of the keep-alive comment on event streams, ms.',
  },
  {
    key: 'shutdownGraceMs',
    kind: 'integer',
    schema: int(0, 3_600_000, 'Time to finish requests at stop.'),
    description: 'Time given to requests in flight at SIGTERM before sockets are cut, ms.',
  },
  {
    key: 'chainJobMs',
    kind: 'integer',
    schema: int(10, 3_600_000, 'Chain job interval.'),
    description: 'Interval of the chain job, ms.',
  },
  {
    key: 'liquidity',
    kind: 'amount',
    schema: sats('Most satoshis locked in hub deposits.'),
    description: 'Most satoshis the hub locks in hub->client deposits.',
  },
  {
    key: 'counterpartyUrl',
    kind: 'string',
    schema: text("Counterparty Core's API URL."),
    description:
      "Counterparty Core's API (e.g. http://127.0.0.1:4000): balances for the assets of terms.",
  },
  {
    key: 'esploraUrl',
    kind: 'string',
    schema: text('Esplora REST URL.'),
    description: 'Esplora REST API: the outputs and spends of asset channel addresses.',
  },
  {
    key: 'terms',
    kind: 'terms',
    fileOnly: true,
    schema: Type.Record(Type.String({ pattern: ASSET_TERMS_KEY }), TermsOverride, {
      additionalProperties: false,
      maxProperties: 64,
    }),
    description:
      'Terms per asset: BTC, and each Counterparty asset served (needs counterpartyUrl and esploraUrl); any field left out keeps the default.',
  },
];

/** `chainRpc` -> `--chain-rpc`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `chainRpc` -> `PICOPAYMENTS_HUB_CHAIN_RPC`. */
export function envOf(key: string): string {
  return `PICOPAYMENTS_HUB_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}
