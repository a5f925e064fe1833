import { type Static, type TString, Type } from '@sinclair/typebox';
import { AMOUNT_PATTERN } from './amount.js';

/**
 * The typebox schemas of the wire messages (PROTOCOL.md §5): the single source of their
 * TypeScript types, their runtime validators and their JSON Schema.
 *
 * Encoding rules shared by every message:
 * - bytes are **lower-case** hex (upper-case is refused so that every value has exactly one
 *   spelling, which keeps encoding canonical and comparisons textual);
 * - amounts are decimal strings of non-negative integers (no sign, exponent, fraction or
 *   leading zero) up to 2_100_000_000_000_000;
 * - heights and block counts are JSON integers;
 * - no property beyond those listed is allowed.
 *
 * Constraints a JSON Schema cannot express (key on the curve, script parses, `min <= max`,
 * distinct secrets, amount range) are checked by the codec and documented on each field.
 *
 * @module
 */

/** The value of every message's `protocol` field. */
export const MESSAGE_PROTOCOL = 'picopayments/1';

/** Longest script hex accepted: 520 bytes, the consensus limit of a P2SH redeem script. */
export const MAX_SCRIPT_HEX_LENGTH = 1040;

/** Longest `commitTx` hex accepted. */
export const MAX_COMMIT_TX_HEX_LENGTH = 100_000;

/** Most secrets one `revoke-secrets` message may carry. */
export const MAX_REVOKE_SECRETS = 1000;

/** Longest `close` reason, in UTF-16 code units. */
export const MAX_CLOSE_REASON_LENGTH = 200;

/** Largest `minFeeRate` an offer may state, in sat/vB. */
export const MAX_FEE_RATE = 1_000_000;

// Fixed-length lower-case hex of `bytes` bytes.
function hexBytes(bytes: number, description: string): TString {
  return Type.String({
    pattern: `^[0-9a-f]{${bytes * 2}}$`,
    minLength: bytes * 2,
    maxLength: bytes * 2,
    description,
  });
}

// Non-empty lower-case hex of whole bytes, at most `maxLength` characters.
function hexData(maxLength: number, description: string): TString {
  return Type.String({ pattern: '^(?:[0-9a-f]{2})+$', minLength: 2, maxLength, description });
}

const protocol = Type.Literal(MESSAGE_PROTOCOL, {
  description: 'Protocol identifier and version; always `picopayments/1`.',
});

const channelId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  minLength: 1,
  maxLength: 64,
  description: 'Identifier of the channel the message belongs to: 1..64 of `[A-Za-z0-9_-]`.',
});

const relativeTime = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, description });

const timeRange = (description: string) =>
  Type.Object(
    {
      min: relativeTime('Smallest accepted value, in blocks (0..65535).'),
      max: relativeTime('Largest accepted value, in blocks (0..65535); `min <= max`.'),
    },
    { additionalProperties: false, description },
  );

const amount = (description: string) =>
  Type.String({ pattern: AMOUNT_PATTERN, minLength: 1, maxLength: 16, description });

/** Counterparty asset name: named (4..12 letters) or numeric (`A` and digits); never BTC. */
const assetName = Type.String({
  pattern: '^(?:[B-Z][A-Z]{3,11}|XCP|A[1-9][0-9]{0,19})$',
  minLength: 3,
  maxLength: 21,
  description:
    'Counterparty asset name: XCP, a named asset (4..12 letters, not starting with A) or a numeric asset (A and its id).',
});

/** The asset terms of an asset-mode offer. */
const offerAsset = Type.Object(
  {
    /** The asset the payee is paid in. */
    asset: assetName,
    /** Least BTC every commit output must carry for the payee's payout, satoshis. */
    commitValue: amount(
      "Least BTC every commit output must carry for the payee's payout, satoshis.",
    ),
  },
  {
    additionalProperties: false,
    description: 'Asset mode: the Counterparty asset the channel carries, and the BTC it needs.',
  },
);

/** The asset terms of an asset-mode deposit. */
const depositAsset = Type.Object(
  {
    /** The asset of the offer. */
    asset: assetName,
    /** Asset units the deposit locks: the channel's capacity. */
    quantity: amount('Asset units the deposit locks: the capacity of the channel.'),
    /** BTC of every commit output, at least the offer's `commitValue`, satoshis. */
    commitValue: amount("BTC of every commit output, at least the offer's, satoshis."),
  },
  {
    additionalProperties: false,
    description: 'Asset mode: the asset, its quantity and the BTC of every commit output.',
  },
);

/**
 * `offer` (payee → payer): the payee's key, the spend secret hash and the channel terms it
 * accepts.
 */
export const OfferMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `offer`. */
    type: Type.Literal('offer', { description: 'Message type: `offer`.' }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** Payee's compressed public key (33 bytes, hex); must be a point on secp256k1. */
    payeePubkey: hexBytes(
      33,
      "Payee's compressed secp256k1 public key, 33 bytes as hex; must be on the curve.",
    ),
    /** `HASH160(spend secret)` (20 bytes, hex). */
    spendSecretHash: hexBytes(20, 'HASH160 of the spend secret chosen by the payee, 20 bytes.'),
    /** Accepted range of the deposit's `expire_time`, blocks; `min <= max`. */
    expireTime: timeRange("Accepted range of the deposit's expire time, in blocks."),
    /** Accepted range of the commits' `delay_time`, blocks; `min <= max`. */
    delayTime: timeRange("Accepted range of the commits' delay time, in blocks."),
    /** Lowest fee rate the payee accepts on a commit, sat/vB, finite, 0..1_000_000. */
    minFeeRate: Type.Number({
      minimum: 0,
      maximum: MAX_FEE_RATE,
      description: 'Lowest fee rate the payee accepts on a commit transaction, in sat/vB.',
    }),
    /** Bitcoin network of the channel. */
    network: Type.Union(
      [Type.Literal('mainnet'), Type.Literal('testnet'), Type.Literal('regtest')],
      {
        description: 'Bitcoin network the channel lives on.',
      },
    ),
    /** Asset mode only: the Counterparty asset, absent for a BTC channel. */
    asset: Type.Optional(offerAsset),
  },
  { additionalProperties: false, title: 'offer', description: 'Payee to payer: channel offer.' },
);

/** `deposit` (payer → payee): the deposit script and the delay of the payer's commits. */
export const DepositMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `deposit`. */
    type: Type.Literal('deposit', { description: 'Message type: `deposit`.' }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** Payer's compressed public key (33 bytes, hex); must be a point on secp256k1. */
    payerPubkey: hexBytes(
      33,
      "Payer's compressed secp256k1 public key, 33 bytes as hex; must be on the curve.",
    ),
    /**
     * Deposit redeem script (hex); must parse as the deposit template, carry `payerPubkey` as
     * its payer key and a payee key different from it.
     */
    depositScript: hexData(
      MAX_SCRIPT_HEX_LENGTH,
      'Deposit redeem script as hex; must parse as the deposit template with payerPubkey as payer key.',
    ),
    /** The delay (blocks, 0..65535) the payer's commit scripts will carry. */
    delayTime: relativeTime("Delay the payer's commit scripts will carry, in blocks (0..65535)."),
    /** Asset mode only: the asset terms, absent for a BTC channel. */
    asset: Type.Optional(depositAsset),
  },
  { additionalProperties: false, title: 'deposit', description: 'Payer to payee: deposit script.' },
);

/** `deposit-funded` (payer → payee): where the deposit was paid, and how much. */
export const DepositFundedMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `deposit-funded`. */
    type: Type.Literal('deposit-funded', { description: 'Message type: `deposit-funded`.' }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** The deposit output. */
    outpoint: Type.Object(
      {
        /** Transaction id (32 bytes, hex, display order as block explorers show it). */
        txid: hexBytes(32, 'Deposit transaction id, 32 bytes as hex in display (reversed) order.'),
        /** Output index, 0..2^32-1. */
        vout: Type.Integer({
          minimum: 0,
          maximum: 0xffffffff,
          description: 'Index of the deposit output (0..4294967295).',
        }),
      },
      { additionalProperties: false, description: 'The deposit output.' },
    ),
    /** Value of the deposit output (amount string, satoshis). */
    value: amount('Value of the deposit output, satoshis as a decimal string (<= 2.1e15).'),
  },
  {
    additionalProperties: false,
    title: 'deposit-funded',
    description: 'Payer to payee: the deposit transaction was broadcast.',
  },
);

/** `revoke-hash` (payee → payer): the next revoke secret hash the payer may commit to. */
export const RevokeHashMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `revoke-hash`. */
    type: Type.Literal('revoke-hash', { description: 'Message type: `revoke-hash`.' }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** `HASH160(revoke secret)` for the next commit (20 bytes, hex). */
    revokeSecretHash: hexBytes(20, 'HASH160 of the revoke secret for the next commit, 20 bytes.'),
  },
  {
    additionalProperties: false,
    title: 'revoke-hash',
    description: 'Payee to payer: next revoke secret hash.',
  },
);

/** `commit` (payer → payee): a payer-signed commit for a cumulative amount. */
export const CommitMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `commit`. */
    type: Type.Literal('commit', { description: 'Message type: `commit`.' }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** Cumulative amount transferred by this commit (amount string, satoshis). */
    amount: amount('Cumulative amount of this commit, satoshis as a decimal string (<= 2.1e15).'),
    /** Commit redeem script (hex); must parse as the commit template. */
    commitScript: hexData(
      MAX_SCRIPT_HEX_LENGTH,
      'Commit redeem script as hex; must parse as the commit template.',
    ),
    /** The commit transaction signed by the payer (hex, at most 100_000 characters). */
    commitTx: hexData(
      MAX_COMMIT_TX_HEX_LENGTH,
      'Commit transaction signed by the payer, as hex (at most 100000 characters).',
    ),
  },
  { additionalProperties: false, title: 'commit', description: 'Payer to payee: signed commit.' },
);

/** `revoke-secrets` (payee → payer): secrets revoking commits the payee gives back. */
export const RevokeSecretsMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `revoke-secrets`. */
    type: Type.Literal('revoke-secrets', { description: 'Message type: `revoke-secrets`.' }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** 1..1000 distinct revoke secrets (32 bytes each, hex). */
    secrets: Type.Array(hexBytes(32, 'A revoke secret, 32 bytes as hex.'), {
      minItems: 1,
      maxItems: MAX_REVOKE_SECRETS,
      description: 'Revoke secrets of the commits given back: 1..1000, pairwise distinct.',
    }),
  },
  {
    additionalProperties: false,
    title: 'revoke-secrets',
    description: 'Payee to payer: revoke secrets of commits given back.',
  },
);

/** `revoke-secrets-ack` (payer → payee): the revoke secrets the payer now holds, by their hashes. */
export const RevokeSecretsAckMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `revoke-secrets-ack`. */
    type: Type.Literal('revoke-secrets-ack', {
      description: 'Message type: `revoke-secrets-ack`.',
    }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** 1..1000 distinct HASH160s of revoke secrets received (20 bytes each, hex). */
    revokeSecretHashes: Type.Array(hexBytes(20, 'HASH160 of a revoke secret received, 20 bytes.'), {
      minItems: 1,
      maxItems: MAX_REVOKE_SECRETS,
      description: 'Hashes of the revoke secrets received: 1..1000, pairwise distinct.',
    }),
  },
  {
    additionalProperties: false,
    title: 'revoke-secrets-ack',
    description:
      'Payer to payee: acknowledges revoke secrets, so that the payee stops sending them again.',
  },
);

/** `close` (either direction): informative notice that the sender is closing the channel. */
export const CloseMessageSchema = Type.Object(
  {
    /** Always `picopayments/1`. */
    protocol,
    /** Discriminant: `close`. */
    type: Type.Literal('close', { description: 'Message type: `close`.' }),
    /** Channel identifier, 1..64 of `[A-Za-z0-9_-]`. */
    channelId,
    /** Human-readable reason, at most 200 characters; never interpreted. */
    reason: Type.String({
      maxLength: MAX_CLOSE_REASON_LENGTH,
      description: 'Human-readable reason for closing (at most 200 characters); informative only.',
    }),
  },
  {
    additionalProperties: false,
    title: 'close',
    description: 'Either direction: the sender is closing the channel (informative).',
  },
);

/** Any wire message, discriminated by `type`. */
export const ChannelMessageSchema = Type.Union(
  [
    OfferMessageSchema,
    DepositMessageSchema,
    DepositFundedMessageSchema,
    RevokeHashMessageSchema,
    CommitMessageSchema,
    RevokeSecretsMessageSchema,
    RevokeSecretsAckMessageSchema,
    CloseMessageSchema,
  ],
  { title: 'channel-message', description: 'Any picopayments/1 wire message.' },
);

/** The schema of each message, keyed by its `type`. */
export const MESSAGE_SCHEMAS = {
  offer: OfferMessageSchema,
  deposit: DepositMessageSchema,
  'deposit-funded': DepositFundedMessageSchema,
  'revoke-hash': RevokeHashMessageSchema,
  commit: CommitMessageSchema,
  'revoke-secrets': RevokeSecretsMessageSchema,
  'revoke-secrets-ack': RevokeSecretsAckMessageSchema,
  close: CloseMessageSchema,
} as const;

/** The `type` of every message, in protocol order. */
export const MESSAGE_TYPES = Object.keys(MESSAGE_SCHEMAS) as readonly MessageType[];

/** `offer` message (payee → payer). */
export type OfferMessage = Static<typeof OfferMessageSchema>;
/** `deposit` message (payer → payee). */
export type DepositMessage = Static<typeof DepositMessageSchema>;
/** `deposit-funded` message (payer → payee). */
export type DepositFundedMessage = Static<typeof DepositFundedMessageSchema>;
/** `revoke-hash` message (payee → payer). */
export type RevokeHashMessage = Static<typeof RevokeHashMessageSchema>;
/** `commit` message (payer → payee). */
export type CommitMessage = Static<typeof CommitMessageSchema>;
/** `revoke-secrets` message (payee → payer). */
export type RevokeSecretsMessage = Static<typeof RevokeSecretsMessageSchema>;
/** `revoke-secrets-ack` message (payer → payee). */
export type RevokeSecretsAckMessage = Static<typeof RevokeSecretsAckMessageSchema>;
/** `close` message (either direction). */
export type CloseMessage = Static<typeof CloseMessageSchema>;
/** Any wire message. */
export type ChannelMessage = Static<typeof ChannelMessageSchema>;
/** The `type` of a wire message. */
export type MessageType = ChannelMessage['type'];
