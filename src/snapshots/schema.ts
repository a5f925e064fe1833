import { type Static, type TSchema, type TString, Type } from '@sinclair/typebox';
import { AMOUNT_PATTERN } from '../messages/amount.js';
import { HISTORY_WINDOW } from '../machines/history.js';
import { MAX_SCRIPT_HEX_LENGTH } from '../messages/schema.js';

/**
 * The typebox schemas of persisted channel snapshots: the single source of their runtime
 * validators, their JSON Schema and (checked at compile time in `context-types.ts`) of the
 * machine context types they must agree with.
 *
 * Encoding rules, as for the wire messages: bytes are lower-case hex, amounts are decimal
 * strings without sign or leading zero, heights and block counts are JSON integers, and no
 * property beyond those listed is allowed. What a schema cannot express (keys on the curve,
 * scripts rebuilt from the keys, secrets hashing to their hashes, signatures, amount
 * consistency) is checked by `semantics.ts`.
 *
 * @module
 */

/** The value of the envelope's `format` field. */
export const SNAPSHOT_FORMAT = 'picopayments-channel-snapshot';

/**
 * The envelope version this library writes: 4, commit records in compact form (see
 * `compact-commits.ts`), the payee's `activeDepth` as an offset from its revoke counter, and hex
 * strings packed (see
 * `packed-hex.ts`). Version 3 (compact records, hex as it is) and version 2 (every commit record
 * whole) are still read.
 */
export const SNAPSHOT_VERSION = 4;

/** The envelope version that stored compact records with hex unpacked. */
export const SNAPSHOT_VERSION_UNPACKED = 3;

/** The envelope versions this library reads. */
export const READABLE_SNAPSHOT_VERSIONS: readonly number[] = [2, 3, 4];

/** Largest snapshot text accepted by default: 16 MiB of UTF-8. */
export const MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;

/** Longest raw transaction hex accepted in a snapshot: 1 MB, the legacy block size. */
export const MAX_RAW_TX_HEX_LENGTH = 2_000_000;

/** Longest output script hex accepted (10,000 bytes, the consensus script size limit). */
export const MAX_OUTPUT_SCRIPT_HEX_LENGTH = 20_000;

/** Labels of the payer's broadcast records. */
export const PAYER_BROADCAST_LABELS = ['deposit', 'expire', 'revoke', 'change'] as const;

/** Labels of watched outpoints. */
export const OUTPOINT_WATCH_LABELS = ['deposit', 'commit-output', 'remainder'] as const;

/** Labels of watched transactions. */
export const TXID_WATCH_LABELS = ['deposit'] as const;

/** The channel outcomes, as `ChannelOutcome` lists them. */
export const CHANNEL_OUTCOMES = [
  'aborted',
  'timed-out',
  'expired',
  'settled',
  'paid-out',
  'nothing-to-claim',
  'revoked-by-payer',
  'expired-by-payer',
] as const;

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

function literals<const T extends readonly string[]>(values: T, description: string) {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  ) as unknown as TSchema & { static: T[number] };
}

// A string restricted to known labels by pattern: the context types keep labels as `string`.
const labelPattern = (labels: readonly string[], description: string) =>
  Type.String({ pattern: `^(?:${labels.join('|')})$`, description });

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const object = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string) =>
  Type.Object(properties, { additionalProperties: false, description });

const amount = (description: string) =>
  Type.String({ pattern: AMOUNT_PATTERN, minLength: 1, maxLength: 16, description });

const txid = (description: string) => hexBytes(32, `${description}, 32 bytes in display order`);

const vout = Type.Integer({ minimum: 0, maximum: 0xffffffff, description: 'Output index.' });

const height = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 0x7fffffff, description });

const confirmedHeight = nullable(
  height('Height of the block that confirmed it; null while unconfirmed.'),
);

const relativeTime = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, description });

const pubkey = (description: string) =>
  hexBytes(33, `${description}: compressed secp256k1 key, on the curve`);

const privateKey = (description: string) =>
  hexBytes(32, `${description}: secp256k1 scalar whose key is the stored public key`);

const secret = (description: string) => hexBytes(32, description);

const hash = (description: string) => hexBytes(20, `${description} (HASH160, 20 bytes)`);

const redeemScript = (description: string) => hexData(MAX_SCRIPT_HEX_LENGTH, description);

const rawTx = (description: string) => hexData(MAX_RAW_TX_HEX_LENGTH, description);

const counter = (description: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });

const feeRate = (description: string) =>
  Type.Number({ minimum: 0, maximum: 1_000_000, description });

const network = literals(['mainnet', 'testnet', 'regtest'] as const, 'Bitcoin network.');

const outcome = nullable(
  literals(CHANNEL_OUTCOMES, 'How the channel ended; null until the machine is done.'),
);

/** An inclusive range of relative times (blocks); `min <= max` is semantic. */
export const TimeRangeSchema = object(
  {
    min: relativeTime('Smallest accepted value, blocks.'),
    max: relativeTime('Largest accepted value, blocks.'),
  },
  'Inclusive range of relative times, blocks.',
);

/** The channel's deposit output. */
export const DepositRecordSchema = object(
  {
    txid: txid('Deposit transaction id'),
    vout,
    value: amount('Value of the deposit output, satoshis.'),
    confirmedHeight,
  },
  'The deposit output as the party tracks it.',
);

/** A transaction the party broadcast, kept to broadcast again until it confirms. */
export const BroadcastRecordSchema = object(
  {
    txid: txid('Transaction id; must be the id of rawTx'),
    rawTx: rawTx('The transaction, hex.'),
    confirmedHeight,
  },
  'A broadcast transaction.',
);

/** Settling spends seen confirmed, by the watched output they spend, awaiting finality depth. */
export const FinalSpendsSchema = Type.Record(
  labelPattern(OUTPOINT_WATCH_LABELS, 'The watched output spent.'),
  object(
    { confirmedHeight: height('Height of the block that confirmed it.') },
    'A settling spend seen confirmed.',
  ),
  { additionalProperties: false, description: 'Settling spends awaiting finality depth.' },
);

const finalityDepth = Type.Integer({
  minimum: 1,
  maximum: 1000,
  description: 'Confirmations after which a settling spend is final.',
});

/** Outputs and transactions the embedder reports on. */
export const WatchesSchema = object(
  {
    outpoints: Type.Array(
      object(
        {
          label: labelPattern(OUTPOINT_WATCH_LABELS, 'What the output is.'),
          outpoint: object({ txid: txid('Transaction id'), vout }, 'The watched output.'),
        },
        'A watched output.',
      ),
    ),
    txids: Type.Array(
      object(
        {
          label: labelPattern(TXID_WATCH_LABELS, 'What the transaction is.'),
          txid: txid('Transaction id'),
        },
        'A watched transaction.',
      ),
    ),
  },
  'What the party asked the embedder to watch.',
);

/** A commit the payer signed. */
export const PayerCommitRecordSchema = object(
  {
    amount: amount('Cumulative amount of the commit, satoshis.'),
    commitScript: redeemScript('Commit redeem script; rebuilt from the keys, hash and delay.'),
    revokeSecretHash: hash('Revoke secret hash of the commit'),
    rawTx: rawTx('Payer-signed commit transaction (payee slot holds the placeholder).'),
    revokeSecret: nullable(secret('Revoke secret once the payee gave the commit back.')),
    below: nullable(hash('Revoke hash of the highest commit unrevoked when this one was signed')),
  },
  'A commit the payer signed.',
);

/** The asset of an asset-mode channel (the `ChannelAsset` type). */
export const ChannelAssetSchema = object(
  {
    asset: Type.String({
      pattern: '^(?:[B-Z][A-Z]{3,11}|XCP|A[1-9][0-9]{0,19})$',
      minLength: 3,
      maxLength: 21,
      description: 'Counterparty asset name.',
    }),
    quantity: amount('Asset units the deposit locks (0 before the deposit is announced).'),
    commitValue: amount('BTC of every commit output, satoshis.'),
    maxCommitValue: Type.Optional(
      amount('Payer only: the most BTC per commit output it accepts, satoshis.'),
    ),
  },
  'Asset mode: the Counterparty asset the channel carries.',
);

/** A commit of the payer's seen on chain. */
export const PublishedCommitSchema = object(
  {
    txid: txid('Transaction id of the published commit'),
    commitScript: redeemScript('Commit redeem script; one of the payer commits.'),
    amount: amount('Amount it transfers: its output value, or asset units in asset mode.'),
    value: Type.Optional(amount('Asset mode: BTC of its commit output, satoshis.')),
    confirmedHeight,
    remainder: nullable(
      object(
        { vout, value: amount('Value of the remainder, satoshis.') },
        'Remainder output back to P2SH(deposit script).',
      ),
    ),
    revokeSecretHash: hash('Revoke secret hash of the published commit'),
    revokeSecret: nullable(secret('Its revoke secret, once the payee gave it back.')),
  },
  'A payer commit seen on chain.',
);

/** Everything the payer machine knows (the `PayerContext` type). */
export const PayerContextSchema = object(
  {
    role: Type.Literal('payer'),
    channelId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', minLength: 1, maxLength: 64 }),
    network,
    payerPrivateKey: privateKey('Payer private key'),
    payerPubkey: pubkey('Payer public key'),
    depositAmount: amount('Value of the deposit output, satoshis.'),
    asset: Type.Optional(ChannelAssetSchema),
    feeRate: feeRate("Fee rate of the payer's transactions, sat/vB."),
    destinationScript: hexData(
      MAX_OUTPUT_SCRIPT_HEX_LENGTH,
      'Where recovered funds go (output script).',
    ),
    preferredExpireTime: relativeTime('Preferred expire time, blocks.'),
    preferredDelayTime: relativeTime('Preferred delay time, blocks.'),
    minDelayTime: Type.Integer({
      minimum: 1,
      maximum: 65535,
      description: 'Smallest delay the payer accepts, blocks.',
    }),
    maxExpireTime: Type.Integer({
      minimum: 1,
      maximum: 65535,
      description: 'Largest expire time the payer accepts, blocks.',
    }),
    payeePubkey: nullable(pubkey('Payee public key from the offer')),
    spendSecretHash: nullable(hash('Spend secret hash from the offer')),
    expireTime: nullable(relativeTime('Agreed expire time, blocks.')),
    delayTime: nullable(relativeTime('Agreed delay time, blocks.')),
    depositScript: nullable(redeemScript('Deposit redeem script; rebuilt from the terms.')),
    deposit: nullable(DepositRecordSchema),
    nextRevokeHash: nullable(hash('Outstanding revoke secret hash for the next commit')),
    commits: Type.Array(PayerCommitRecordSchema, {
      maxItems: HISTORY_WINDOW,
      description: 'The newest commits signed; older ones are history records.',
    }),
    historyCommits: counter('Commits that live only in the history records.'),
    topUnrevoked: nullable(hash('Revoke hash of the highest unrevoked commit')),
    transferred: amount('Amount of the highest unrevoked commit, satoshis (0 when none).'),
    published: nullable(PublishedCommitSchema),
    spendSecret: nullable(secret('Spend secret read from the payout.')),
    broadcasts: Type.Record(
      labelPattern(PAYER_BROADCAST_LABELS, 'What the transaction is.'),
      BroadcastRecordSchema,
      { additionalProperties: false, description: 'Broadcast transactions by label.' },
    ),
    height: height('Height of the best block the payer heard of.'),
    watches: WatchesSchema,
    finalityDepth,
    finalSpends: FinalSpendsSchema,
    outcome,
  },
  'Everything the payer machine knows.',
);

/** A commit the payee accepted. */
export const PayeeCommitRecordSchema = object(
  {
    amount: amount('Cumulative amount of the commit, satoshis.'),
    commitScript: redeemScript('Commit redeem script; rebuilt from the keys, hash and delay.'),
    revokeSecretHash: hash('Revoke secret hash of the commit'),
    revokeSecret: secret('Revoke secret; derived from the revoke seed.'),
    rawTx: rawTx('Payer-signed commit transaction.'),
  },
  'A commit the payee accepted.',
);

/** A commit the payee gave back. */
export const PayeeRevokedRecordSchema = object(
  {
    amount: amount('Cumulative amount of the commit, satoshis.'),
    commitScript: redeemScript('Commit redeem script; rebuilt from the keys, secret and delay.'),
    revokeSecret: secret('Revoke secret given to the payer; derived from the revoke seed.'),
  },
  'A commit the payee gave back.',
);

/** Everything the payee machine knows (the `PayeeContext` type). */
export const PayeeContextSchema = object(
  {
    role: Type.Literal('payee'),
    channelId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', minLength: 1, maxLength: 64 }),
    network,
    payeePrivateKey: privateKey('Payee private key'),
    payeePubkey: pubkey('Payee public key'),
    asset: Type.Optional(ChannelAssetSchema),
    spendSecret: secret('Spend secret; hashes to spendSecretHash.'),
    spendSecretHash: hash('Spend secret hash'),
    revokeSeed: secret('Seed of the revoke secrets.'),
    revokeCounter: Type.Integer({
      minimum: 0,
      maximum: 0xffffffff,
      description: 'Revoke secrets derived so far.',
    }),
    expireTimeRange: TimeRangeSchema,
    delayTimeRange: TimeRangeSchema,
    minFeeRate: feeRate('Fee-rate floor for commits, sat/vB.'),
    feeRate: feeRate('Fee rate of the payout, sat/vB.'),
    clearance: Type.Integer({
      minimum: 3,
      maximum: 65535,
      description: 'Blocks before expiry at which the payee closes.',
    }),
    fundingTimeout: Type.Integer({
      minimum: 1,
      maximum: 65535,
      description: 'Blocks the payee waits for funding or confirmation.',
    }),
    offerHeight: height('Height at which the offer was made.'),
    destinationScript: hexData(
      MAX_OUTPUT_SCRIPT_HEX_LENGTH,
      'Where the payout goes (output script).',
    ),
    payerPubkey: nullable(pubkey('Payer public key from the deposit')),
    depositScript: nullable(redeemScript('Deposit redeem script; rebuilt from the terms.')),
    expireTime: nullable(relativeTime('Agreed expire time, blocks.')),
    delayTime: nullable(relativeTime('Agreed delay time, blocks.')),
    deposit: nullable(DepositRecordSchema),
    requestedRevokes: Type.Array(
      object(
        { hash: hash('Issued revoke secret hash'), secret: secret('Its revoke secret.') },
        'A revoke secret issued and not yet used.',
      ),
    ),
    activeCommits: Type.Array(PayeeCommitRecordSchema, {
      maxItems: HISTORY_WINDOW,
      description: 'The highest accepted commits; lower ones are history records.',
    }),
    activeTop: nullable(hash('Revoke hash of the highest active commit in history')),
    activeDepth: counter('Active commits that live only in the history records.'),
    revokedCommits: Type.Array(PayeeRevokedRecordSchema, {
      maxItems: HISTORY_WINDOW,
      description: 'The commits given back most recently; all are also history records.',
    }),
    revokedDepth: counter('Commits given back that live only in the history records.'),
    unackedRevokeSecrets: Type.Array(secret('A revoke secret sent and not yet acknowledged.'), {
      maxItems: 100_000,
      description: 'Revoke secrets sent again at every block until the payer acknowledges them.',
    }),
    published: nullable(
      object(
        {
          txid: txid('Transaction id; must be the id of rawTx'),
          rawTx: rawTx('The completed commit transaction.'),
          confirmedHeight,
          commitScript: redeemScript('Commit redeem script; one of the active commits.'),
          amount: amount('Amount of the published commit, satoshis.'),
        },
        'The commit the payee published.',
      ),
    ),
    payout: nullable(BroadcastRecordSchema),
    height: height('Height of the best block the payee heard of.'),
    watches: WatchesSchema,
    finalityDepth,
    finalSpends: FinalSpendsSchema,
    outcome,
  },
  'Everything the payee machine knows.',
);

/** An XState state value: a state name, or an object from region or parent to its value. */
export const StateValueSchema = Type.Recursive(
  (This) =>
    Type.Union([
      Type.String({ minLength: 1, maxLength: 64 }),
      Type.Record(Type.String({ minLength: 1, maxLength: 64 }), This),
    ]),
  { $id: 'StateValue', description: 'XState state value.' },
);

const emptyObject = (description: string) =>
  Type.Object({}, { additionalProperties: false, description });

// The shape XState v5's `getPersistedSnapshot` gives for these machines: no history states
// and no spawned or invoked children, hence both empty; `output` and `error` never set.
function persistedSnapshot<T extends TSchema>(context: T, description: string) {
  return object(
    {
      status: Type.Union([Type.Literal('active'), Type.Literal('done')], {
        description: "'active', or 'done' once a top-level final state is reached.",
      }),
      value: StateValueSchema,
      historyValue: emptyObject('History of history states: the machines have none.'),
      context,
      children: emptyObject('Child actors: the machines have none.'),
    },
    description,
  );
}

/** The persisted XState snapshot of a payer machine. */
export const PayerPersistedSnapshotSchema = persistedSnapshot(
  PayerContextSchema,
  'Persisted snapshot of the payer machine.',
);

/** The persisted XState snapshot of a payee machine. */
export const PayeePersistedSnapshotSchema = persistedSnapshot(
  PayeeContextSchema,
  'Persisted snapshot of the payee machine.',
);

const revokeIndex = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 0xffffffff, description });

// A revoke secret index as an offset from the revoke counter: -1 is the newest secret.
const counterOffset = (description: string) =>
  Type.Integer({
    minimum: -0xffffffff,
    maximum: -1,
    description: `${description}, less the revoke counter.`,
  });

/** A payer commit in compact form: the commit script and transaction are rebuilt. */
export const CompactPayerCommitSchema = object(
  {
    a: amount('Cumulative amount of the commit, satoshis.'),
    h: hash('Revoke secret hash of the commit'),
    s: Type.Optional(secret('Revoke secret once the payee gave the commit back.')),
    b: nullable(hash('Revoke hash of the highest commit unrevoked when this one was signed')),
  },
  'A commit the payer signed, compact: script and transaction rebuilt (signed again, RFC 6979).',
);

/** A payee commit in compact form: script, secret and transaction are rebuilt. */
export const CompactPayeeCommitSchema = object(
  {
    a: amount('Cumulative amount of the commit, satoshis.'),
    i: revokeIndex('Index of its revoke secret, derived from the revoke seed.'),
    f: amount('Fee of the commit transaction: deposit value less its outputs, satoshis.'),
    g: Type.String({
      pattern: '^[A-Za-z0-9_-]{86}$',
      minLength: 86,
      maxLength: 86,
      description: "The payer's SIGHASH_ALL signature: r and s, 32 bytes each, base64url.",
    }),
  },
  'A commit the payee accepted, compact: the transaction is rebuilt around the signature.',
);

/** A payee commit given back, in compact form. */
export const CompactPayeeRevokedSchema = object(
  {
    a: amount('Cumulative amount of the commit, satoshis.'),
    i: revokeIndex('Index of its revoke secret, derived from the revoke seed.'),
  },
  'A commit the payee gave back, compact.',
);

/** The payer context as version 3 stores it: commits compact where they rebuild. */
export const CompactPayerContextSchema = object(
  {
    ...PayerContextSchema.properties,
    commits: Type.Array(Type.Union([CompactPayerCommitSchema, PayerCommitRecordSchema]), {
      maxItems: HISTORY_WINDOW,
      description: 'The newest commits signed, compact where they rebuild.',
    }),
    transferred: Type.Union([
      PayerContextSchema.properties.transferred,
      Type.Literal(true, { description: 'The amount of the commit `topUnrevoked` points at.' }),
    ]),
    topUnrevoked: Type.Union([
      PayerContextSchema.properties.topUnrevoked,
      Type.Integer({
        minimum: 0,
        maximum: HISTORY_WINDOW - 1,
        description: 'Position in `commits` of the highest unrevoked commit.',
      }),
    ]),
  },
  'Everything the payer machine knows, commits compact.',
);

/** The payee context as version 3 stores it: commits and issued secrets compact where they rebuild. */
export const CompactPayeeContextSchema = object(
  {
    ...PayeeContextSchema.properties,
    requestedRevokes: Type.Array(
      Type.Union([
        counterOffset('Index of a revoke secret issued and not yet used'),
        PayeeContextSchema.properties.requestedRevokes.items,
      ]),
    ),
    activeTop: Type.Union([
      PayeeContextSchema.properties.activeTop,
      counterOffset('Revoke secret index of the highest active commit in history'),
    ]),
    activeDepth: Type.Union([
      PayeeContextSchema.properties.activeDepth,
      Type.Integer({
        minimum: -0x100000000,
        maximum: -1,
        description: 'Active commits in history, less the revoke counter and one (version 4).',
      }),
    ]),
    activeCommits: Type.Array(Type.Union([CompactPayeeCommitSchema, PayeeCommitRecordSchema]), {
      maxItems: HISTORY_WINDOW,
      description: 'The highest accepted commits, compact where they rebuild.',
    }),
    revokedCommits: Type.Array(Type.Union([CompactPayeeRevokedSchema, PayeeRevokedRecordSchema]), {
      maxItems: HISTORY_WINDOW,
      description: 'The commits given back most recently, compact where they rebuild.',
    }),
  },
  'Everything the payee machine knows, commits compact.',
);

/** The persisted XState snapshot of a payer machine as version 3 stores it. */
export const CompactPayerPersistedSnapshotSchema = persistedSnapshot(
  CompactPayerContextSchema,
  'Persisted snapshot of the payer machine, commits compact.',
);

/** The persisted XState snapshot of a payee machine as version 3 stores it. */
export const CompactPayeePersistedSnapshotSchema = persistedSnapshot(
  CompactPayeeContextSchema,
  'Persisted snapshot of the payee machine, commits compact.',
);

/** The envelope a snapshot text holds: format, version, role and the machine snapshot. */
export const ChannelSnapshotEnvelopeSchema = object(
  {
    format: Type.Literal(SNAPSHOT_FORMAT),
    version: Type.Literal(SNAPSHOT_VERSION),
    role: Type.Union([Type.Literal('payer'), Type.Literal('payee')]),
    machine: Type.Union([CompactPayerPersistedSnapshotSchema, CompactPayeePersistedSnapshotSchema]),
  },
  'A persisted picopayments channel snapshot, version 4 (its hex strings unpacked: see `packed-hex.ts`).',
);

/** The role a snapshot belongs to. */
export type SnapshotRole = 'payer' | 'payee';
/** The payer context as the schema validates it (the machine's `PayerContext`). */
export type PayerSnapshotContext = Static<typeof PayerContextSchema>;
/** The payee context as the schema validates it (the machine's `PayeeContext`). */
export type PayeeSnapshotContext = Static<typeof PayeeContextSchema>;
/** A state value as persisted. */
export type PersistedStateValue = Static<typeof StateValueSchema>;
/** The persisted snapshot of a payer machine, as validated. */
export type PayerPersistedSnapshot = Static<typeof PayerPersistedSnapshotSchema>;
/** The persisted snapshot of a payee machine, as validated. */
export type PayeePersistedSnapshot = Static<typeof PayeePersistedSnapshotSchema>;
/** The persisted snapshot of either machine. */
export type ChannelPersistedSnapshot = PayerPersistedSnapshot | PayeePersistedSnapshot;

/** A payer commit kept as a history record (see `machines/history.ts`). */
export const PayerHistoryCommitSchema = object(
  {
    kind: Type.Literal('payer-commit'),
    amount: amount('Cumulative amount, satoshis.'),
    commitScript: redeemScript('Commit redeem script.'),
    revokeSecretHash: hash('Revoke secret hash of the commit'),
    revokeSecret: nullable(secret('Revoke secret once the payee gave the commit back.')),
    below: nullable(hash('Revoke hash of the highest commit unrevoked when this one was signed')),
  },
  'A payer commit that left the snapshot for a history record.',
);

/** A payee commit still active, kept as a history record. */
export const PayeeHistoryActiveSchema = object(
  {
    kind: Type.Literal('payee-active'),
    amount: amount('Cumulative amount, satoshis.'),
    commitScript: redeemScript('Commit redeem script.'),
    revokeSecretHash: hash('Revoke secret hash of the commit'),
    revokeSecret: secret('Its revoke secret.'),
    rawTx: rawTx('Payer-signed commit transaction.'),
    below: nullable(hash('Revoke hash of the active commit below this one')),
  },
  'An active payee commit below the snapshot.',
);

/** A payee commit given back, kept as a history record without its transaction. */
export const PayeeHistoryRevokedSchema = object(
  {
    kind: Type.Literal('payee-revoked'),
    amount: amount('Cumulative amount, satoshis.'),
    commitScript: redeemScript('Commit redeem script.'),
    revokeSecretHash: hash('Revoke secret hash of the commit'),
    revokeSecret: secret('Its revoke secret.'),
  },
  'A payee commit given back from history: its transaction is forgotten.',
);

/** Which commit pays a P2SH output script. */
export const ScriptIndexEntrySchema = object(
  {
    kind: Type.Literal('script-index'),
    revokeSecretHash: hash('Revoke secret hash of the commit paying the script'),
  },
  'An index entry from a P2SH output script to a commit.',
);

/** A payer commit history record in compact form. */
export const CompactPayerHistoryCommitSchema = object(
  {
    k: Type.Literal('c'),
    a: amount('Cumulative amount, satoshis.'),
    h: Type.Optional(hash('Revoke secret hash of the commit (in the key of a `c/` record)')),
    s: Type.Optional(secret('Revoke secret once the payee gave the commit back.')),
    b: nullable(hash('Revoke hash of the highest commit unrevoked when this one was signed')),
  },
  'A payer commit in history, compact: the commit script is rebuilt.',
);

/** A payee active commit history record in compact form (its secret index gives its revoke hash). */
export const CompactPayeeHistoryActiveSchema = object(
  {
    ...CompactPayeeCommitSchema.properties,
    k: Type.Literal('a'),
    b: Type.Union([
      nullable(hash('Revoke hash of the active commit below this one')),
      Type.Integer({
        minimum: -0xffffffff,
        maximum: -1,
        description: 'Revoke secret index of the commit below, less this one’s.',
      }),
    ]),
  },
  'An active payee commit in history, compact: script, secret and transaction are rebuilt.',
);

/** A payee commit given back, as a compact history record. */
export const CompactPayeeHistoryRevokedSchema = object(
  { ...CompactPayeeRevokedSchema.properties, k: Type.Literal('r') },
  'A payee commit given back in history, compact.',
);

/** A script index entry in compact form. */
export const CompactScriptIndexEntrySchema = object(
  { k: Type.Literal('s'), h: hash('Revoke secret hash of the commit paying the script') },
  'An index entry from a P2SH output script to a commit, compact.',
);

/** Any channel history record, whole (as first written) or compact. */
export const HistoryRecordSchema = Type.Union(
  [
    PayerHistoryCommitSchema,
    PayeeHistoryActiveSchema,
    PayeeHistoryRevokedSchema,
    ScriptIndexEntrySchema,
    CompactPayerHistoryCommitSchema,
    CompactPayeeHistoryActiveSchema,
    CompactPayeeHistoryRevokedSchema,
    CompactScriptIndexEntrySchema,
  ],
  { description: 'A channel history record, stored under its own key.' },
);
