import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex } from '../bytes.js';
import { PicopaymentsError } from '../errors.js';
import { assetId } from '../counterparty/assets.js';
import { assetTermsOf, payeeCommitValueNeed } from './asset-mode.js';
import { MAX_AMOUNT, formatAmount } from '../messages/amount.js';
import { assertRelativeTime } from '../scripts/script-number.js';
import { type NetworkName, networkParams } from '../scripts/networks.js';
import { generateSecret, secretHash } from '../scripts/secrets.js';
import { assertFeeRate } from '../transactions/fees.js';
import { publicKeyOf } from '../transactions/keys.js';
import {
  type ChannelAsset,
  NO_WATCHES,
  type PayeeContext,
  type PayerContext,
  type TimeRange,
} from './context.js';

/** Codes of {@link ChannelConfigError}. */
export type ChannelConfigErrorCode = 'INVALID_CHANNEL_CONFIG';

/** A channel was configured with values outside their domain. */
export class ChannelConfigError extends PicopaymentsError<ChannelConfigErrorCode> {}

const invalid = (why: string) => new ChannelConfigError('INVALID_CHANNEL_CONFIG', why);

function checkChannelId(channelId: string): void {
  if (typeof channelId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(channelId))
    throw invalid('channelId must be 1..64 chars of [A-Za-z0-9_-]');
}

function checkRange(range: TimeRange, name: string): void {
  try {
    assertRelativeTime(range.min, `${name}.min`);
    assertRelativeTime(range.max, `${name}.max`);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (range.min > range.max) throw invalid(`${name}.min exceeds ${name}.max`);
}

/**
 * Bitcoin Core's default minimum relay fee, sat/vB. A transaction paying less is not relayed by
 * default nodes, so a channel whose commits or recoveries pay less holds nothing it can publish.
 */
export const DEFAULT_RELAY_FEE_FLOOR = 1;

/** Blocks a payer may let pass between two looks at the chain plus two to confirm its revoke. */
export const DEFAULT_MIN_DELAY_TIME = 3;

/** Longest deposit lock (blocks, about 30 days) a payer accepts unless configured otherwise. */
export const DEFAULT_MAX_EXPIRE_TIME = 4320;

/**
 * Confirmations after which a settling transaction (payout, revoke, change, expire) counts as
 * final. A reorganisation shallower than this is followed: the party rebroadcasts or takes
 * another path.
 */
export const DEFAULT_FINALITY_DEPTH = 6;

/** Blocks a payee waits for the deposit to be funded and confirmed before giving up the offer. */
export const DEFAULT_FUNDING_TIMEOUT = 144;

function relayFloorOf(floor: number | undefined): number {
  const value = floor ?? DEFAULT_RELAY_FEE_FLOOR;
  try {
    assertFeeRate(value);
  } catch {
    throw invalid('relayFeeFloor must be a fee rate in 0..1000000 sat/vB');
  }
  return value;
}

function checkFeeRate(rate: number, name: string, floor: number): void {
  try {
    assertFeeRate(rate);
  } catch {
    throw invalid(`${name} must be a fee rate in 0..1000000 sat/vB`);
  }
  // Below the relay floor no default node relays the transaction: refuse rather than hold
  // commits or recoveries that can never be published.
  if (rate < floor)
    throw invalid(`${name} ${rate} is below the relay fee floor of ${floor} sat/vB`);
}

function finalityDepthOf(depth: number | undefined): number {
  return positiveBlocks(depth ?? DEFAULT_FINALITY_DEPTH, 'finalityDepth', 1000);
}

function positiveBlocks(value: number, name: string, max = 65535): number {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw invalid(`${name} must be an integer number of blocks in 1..${max}`);
  return value;
}

function keyPair(privateKey: Uint8Array) {
  // Funds must only ever go to keys the embedder chose: there is no generated default.
  if (!(privateKey instanceof Uint8Array)) throw invalid('privateKey is required (32 bytes)');
  try {
    return { privateKey: bytesToHex(privateKey), publicKey: bytesToHex(publicKeyOf(privateKey)) };
  } catch {
    throw invalid('private key is not a valid secp256k1 scalar');
  }
}

function destinationOf(script: Uint8Array): string {
  if (!(script instanceof Uint8Array) || script.length === 0 || script.length > 10_000)
    throw invalid('destinationScript is required (a non-empty output script)');
  return bytesToHex(script);
}

/** What a payee chooses when opening a channel. */
export interface PayeeChannelConfig {
  readonly channelId: string;
  readonly network: NetworkName;
  /** Accepted deposit expiry (blocks after the deposit confirms). */
  readonly expireTimeRange: TimeRange;
  /** Accepted payout delay (blocks after a commit confirms). */
  readonly delayTimeRange: TimeRange;
  /** Fee-rate floor for commits, sat/vB; at least the relay floor. */
  readonly minFeeRate: number;
  /** Fee rate for the payout, sat/vB; at least the relay floor. */
  readonly feeRate: number;
  /** Close when fewer than this many blocks are left before expiry; at least 3. */
  readonly clearance: number;
  /** The payee's channel key (32 bytes), chosen by the embedder. */
  readonly privateKey: Uint8Array;
  /** Where the payout goes, chosen by the embedder. */
  readonly destinationScript: Uint8Array;
  /** Minimum relay fee rate, sat/vB ({@link DEFAULT_RELAY_FEE_FLOOR} unless the chain says otherwise). */
  readonly relayFeeFloor?: number;
  /** Blocks to wait for the deposit to be funded and confirmed before giving up ({@link DEFAULT_FUNDING_TIMEOUT}). */
  readonly fundingTimeout?: number;
  /** Confirmations after which a settling spend is final ({@link DEFAULT_FINALITY_DEPTH}). */
  readonly finalityDepth?: number;
  /** Current chain height. */
  readonly height: number;
  /** Asset mode: the channel carries this Counterparty asset. */
  readonly asset?: PayeeAssetConfig;
}

/**
 * The payee machine's starting context: validates the configuration and draws the spend secret
 * and the revoke-secret seed from the CSPRNG.
 *
 * @throws {@link ChannelConfigError} `INVALID_CHANNEL_CONFIG` naming the offending value.
 */
export function newPayeeContext(config: PayeeChannelConfig): PayeeContext {
  checkChannelId(config.channelId);
  networkParams(config.network);
  checkRange(config.expireTimeRange, 'expireTimeRange');
  checkRange(config.delayTimeRange, 'delayTimeRange');
  // A delay of 0 lets a revoked commit and its payout enter the same block: the payer could
  // never answer with its revoke.
  if (config.delayTimeRange.min < 1) throw invalid('delayTimeRange.min must be at least 1 block');
  const floor = relayFloorOf(config.relayFeeFloor);
  checkFeeRate(config.minFeeRate, 'minFeeRate', floor);
  checkFeeRate(config.feeRate, 'feeRate', floor);
  const fundingTimeout = positiveBlocks(
    config.fundingTimeout ?? DEFAULT_FUNDING_TIMEOUT,
    'fundingTimeout',
  );
  const finalityDepth = finalityDepthOf(config.finalityDepth);
  if (
    !Number.isInteger(config.clearance) ||
    config.clearance < 3 ||
    config.clearance >= config.expireTimeRange.max
  ) {
    throw invalid(
      'clearance must be an integer of at least 3 and below the longest accepted expire time',
    );
  }
  if (!Number.isInteger(config.height) || config.height < 0)
    throw invalid('height must be a non-negative integer');
  const keys = keyPair(config.privateKey);
  const spendSecret = generateSecret();
  const asset = config.asset
    ? { asset: { asset: assetNameOf(config.asset), quantity: '0', commitValue: '0' } }
    : {};
  const context: PayeeContext = {
    role: 'payee',
    channelId: config.channelId,
    network: config.network,
    payeePrivateKey: keys.privateKey,
    payeePubkey: keys.publicKey,
    ...asset,
    spendSecret: bytesToHex(spendSecret),
    spendSecretHash: bytesToHex(secretHash(spendSecret)),
    revokeSeed: bytesToHex(randomBytes(32)),
    revokeCounter: 0,
    expireTimeRange: { ...config.expireTimeRange },
    delayTimeRange: { ...config.delayTimeRange },
    minFeeRate: config.minFeeRate,
    feeRate: config.feeRate,
    clearance: config.clearance,
    destinationScript: destinationOf(config.destinationScript),
    fundingTimeout,
    offerHeight: config.height,
    payerPubkey: null,
    depositScript: null,
    expireTime: null,
    delayTime: null,
    deposit: null,
    requestedRevokes: [],
    activeCommits: [],
    activeTop: null,
    activeDepth: 0,
    revokedCommits: [],
    revokedDepth: 0,
    unackedRevokeSecrets: [],
    published: null,
    payout: null,
    height: config.height,
    watches: NO_WATCHES,
    finalityDepth,
    finalSpends: {},
    outcome: null,
  };
  return context.asset ? withOfferedCommitValue(context) : context;
}

/** Asset mode of a payee: the Counterparty asset it is paid in. */
export interface PayeeAssetConfig {
  /** Counterparty asset name (XCP, a named or a numeric asset; never BTC). */
  readonly asset: string;
}

/** Asset mode of a payer: the Counterparty asset its deposit locks. */
export interface PayerAssetConfig {
  /** Counterparty asset name (XCP, a named or a numeric asset; never BTC). */
  readonly asset: string;
  /**
   * The most BTC per commit output the payer accepts to put up, satoshis: the payee's offer
   * names what its payout needs, and that BTC goes to the payee with a payout. No bound when
   * absent.
   */
  readonly maxCommitValue?: bigint;
}

/**
 * A payee's asset terms with the BTC its offer asks of every commit output: what its payout
 * needs at its fee rate with the longest delay it accepts (the payer's deposit replaces it with
 * the value it chose, never less).
 */
function withOfferedCommitValue(context: PayeeContext): PayeeContext {
  let need: bigint;
  try {
    need = payeeCommitValueNeed(context, assetTermsOf(context)!, context.delayTimeRange.max);
  } catch (error) {
    throw invalid(`asset: no payout can be built at these terms: ${(error as Error).message}`);
  }
  return { ...context, asset: { ...context.asset!, commitValue: formatAmount(need) } };
}

function assetNameOf(config: { readonly asset: string }): string {
  try {
    if (assetId(config.asset) === 0n) throw invalid('asset must not be BTC');
  } catch (error) {
    if (error instanceof ChannelConfigError) throw error;
    throw invalid(`asset: ${(error as Error).message}`);
  }
  return config.asset;
}

function payerAsset(config: PayerAssetConfig, quantity: bigint): ChannelAsset {
  const cap = config.maxCommitValue;
  if (cap !== undefined && (typeof cap !== 'bigint' || cap < 1n || cap > MAX_AMOUNT))
    throw invalid('asset.maxCommitValue must be a positive bigint of satoshis');
  return {
    asset: assetNameOf(config),
    quantity: formatAmount(quantity),
    commitValue: '0',
    ...(cap === undefined ? {} : { maxCommitValue: formatAmount(cap) }),
  };
}

/** What a payer chooses when joining a channel. */
export interface PayerChannelConfig {
  readonly channelId: string;
  readonly network: NetworkName;
  /** Value to lock in the deposit, satoshis; in asset mode, units of the asset. */
  readonly depositAmount: bigint;
  /** Asset mode: the deposit locks `depositAmount` units of this asset, with BTC for fees alongside. */
  readonly asset?: PayerAssetConfig;
  /** Fee rate of commits and recoveries; also the highest fee floor accepted. At least the relay floor. */
  readonly feeRate: number;
  /** Preferred deposit expiry; moved into the payee's range, never above `maxExpireTime`. */
  readonly expireTime: number;
  /** Preferred payout delay; moved into the payee's range, never below `minDelayTime`. */
  readonly delayTime: number;
  /**
   * Shortest payout delay accepted ({@link DEFAULT_MIN_DELAY_TIME}): it must cover the blocks
   * between two looks at the chain plus the blocks a revoke needs to confirm.
   */
  readonly minDelayTime?: number;
  /** Longest deposit expiry accepted ({@link DEFAULT_MAX_EXPIRE_TIME}): how long funds may be locked if the payee vanishes. */
  readonly maxExpireTime?: number;
  /** The payer's channel key (32 bytes), chosen by the embedder. */
  readonly privateKey: Uint8Array;
  /** Where recovered funds go, chosen by the embedder. */
  readonly destinationScript: Uint8Array;
  /** Minimum relay fee rate, sat/vB ({@link DEFAULT_RELAY_FEE_FLOOR} unless the chain says otherwise). */
  readonly relayFeeFloor?: number;
  /** Confirmations after which a settling spend is final ({@link DEFAULT_FINALITY_DEPTH}). */
  readonly finalityDepth?: number;
  readonly height: number;
}

/**
 * The payer machine's starting context.
 *
 * @throws {@link ChannelConfigError} `INVALID_CHANNEL_CONFIG` naming the offending value.
 */
export function newPayerContext(config: PayerChannelConfig): PayerContext {
  checkChannelId(config.channelId);
  networkParams(config.network);
  checkFeeRate(config.feeRate, 'feeRate', relayFloorOf(config.relayFeeFloor));
  checkRange({ min: config.expireTime, max: config.expireTime }, 'expireTime');
  checkRange({ min: config.delayTime, max: config.delayTime }, 'delayTime');
  const minDelayTime = positiveBlocks(
    config.minDelayTime ?? DEFAULT_MIN_DELAY_TIME,
    'minDelayTime',
  );
  const maxExpireTime = positiveBlocks(
    config.maxExpireTime ?? DEFAULT_MAX_EXPIRE_TIME,
    'maxExpireTime',
  );
  if (config.delayTime < minDelayTime)
    throw invalid(`delayTime ${config.delayTime} is below minDelayTime ${minDelayTime}`);
  if (config.expireTime > maxExpireTime)
    throw invalid(`expireTime ${config.expireTime} exceeds maxExpireTime ${maxExpireTime}`);
  if (minDelayTime >= maxExpireTime) throw invalid('minDelayTime must be below maxExpireTime');
  const finalityDepth = finalityDepthOf(config.finalityDepth);
  if (
    typeof config.depositAmount !== 'bigint' ||
    config.depositAmount <= 0n ||
    config.depositAmount > 2_100_000_000_000_000n
  ) {
    throw invalid('depositAmount must be a positive bigint of satoshis (or asset units)');
  }
  if (!Number.isInteger(config.height) || config.height < 0)
    throw invalid('height must be a non-negative integer');
  const keys = keyPair(config.privateKey);
  const asset = config.asset ? payerAsset(config.asset, config.depositAmount) : null;
  return {
    role: 'payer',
    channelId: config.channelId,
    network: config.network,
    payerPrivateKey: keys.privateKey,
    payerPubkey: keys.publicKey,
    // Asset mode: the BTC of the deposit is fixed from the offer.
    depositAmount: asset ? '0' : formatAmount(config.depositAmount),
    ...(asset ? { asset } : {}),
    feeRate: config.feeRate,
    destinationScript: destinationOf(config.destinationScript),
    preferredExpireTime: config.expireTime,
    preferredDelayTime: config.delayTime,
    minDelayTime,
    maxExpireTime,
    payeePubkey: null,
    spendSecretHash: null,
    expireTime: null,
    delayTime: null,
    depositScript: null,
    deposit: null,
    nextRevokeHash: null,
    commits: [],
    historyCommits: 0,
    topUnrevoked: null,
    transferred: '0',
    published: null,
    spendSecret: null,
    broadcasts: {},
    height: config.height,
    watches: NO_WATCHES,
    finalityDepth,
    finalSpends: {},
    outcome: null,
  };
}
