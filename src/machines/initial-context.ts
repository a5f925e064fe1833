import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { PicopaymentsError } from '../errors.js';
import { formatAmount } from '../messages/amount.js';
import { assertRelativeTime } from '../scripts/script-number.js';
import { type NetworkName, networkParams } from '../scripts/networks.js';
import { generateSecret, secretHash } from '../scripts/secrets.js';
import { assertFeeRate } from '../transactions/fees.js';
import { generatePrivateKey, publicKeyOf } from '../transactions/keys.js';
import { NO_WATCHES, type PayeeContext, type PayerContext, type TimeRange } from './context.js';
import { p2wpkhOutputScript } from '../scripts/key-output-scripts.js';

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

function checkFeeRate(rate: number, name: string): void {
  try {
    assertFeeRate(rate);
  } catch {
    throw invalid(`${name} must be a fee rate in 0..1000000 sat/vB`);
  }
}

function keyPair(privateKey?: Uint8Array) {
  const key = privateKey ?? generatePrivateKey();
  try {
    return { privateKey: bytesToHex(key), publicKey: bytesToHex(publicKeyOf(key)) };
  } catch {
    throw invalid('private key is not a valid secp256k1 scalar');
  }
}

/** What a payee chooses when opening a channel. */
export interface PayeeChannelConfig {
  readonly channelId: string;
  readonly network: NetworkName;
  /** Accepted deposit expiry (blocks after the deposit confirms). */
  readonly expireTimeRange: TimeRange;
  /** Accepted payout delay (blocks after a commit confirms). */
  readonly delayTimeRange: TimeRange;
  /** Fee-rate floor for commits, sat/vB. */
  readonly minFeeRate: number;
  /** Fee rate for the payout, sat/vB. */
  readonly feeRate: number;
  /** Close when fewer than this many blocks are left before expiry; at least 3. */
  readonly clearance: number;
  /** Payee key; a fresh one from the CSPRNG when omitted. */
  readonly privateKey?: Uint8Array;
  /** Where the payout goes; P2WPKH of the payee key when omitted. */
  readonly destinationScript?: Uint8Array;
  /** Current chain height. */
  readonly height: number;
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
  checkFeeRate(config.minFeeRate, 'minFeeRate');
  checkFeeRate(config.feeRate, 'feeRate');
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
  return {
    role: 'payee',
    channelId: config.channelId,
    network: config.network,
    payeePrivateKey: keys.privateKey,
    payeePubkey: keys.publicKey,
    spendSecret: bytesToHex(spendSecret),
    spendSecretHash: bytesToHex(secretHash(spendSecret)),
    revokeSeed: bytesToHex(randomBytes(32)),
    revokeCounter: 0,
    expireTimeRange: { ...config.expireTimeRange },
    delayTimeRange: { ...config.delayTimeRange },
    minFeeRate: config.minFeeRate,
    feeRate: config.feeRate,
    clearance: config.clearance,
    destinationScript: bytesToHex(
      config.destinationScript ?? p2wpkhOutputScript(hexToBytes(keys.publicKey)),
    ),
    payerPubkey: null,
    depositScript: null,
    expireTime: null,
    delayTime: null,
    deposit: null,
    requestedRevokes: [],
    activeCommits: [],
    revokedCommits: [],
    published: null,
    payout: null,
    height: config.height,
    watches: NO_WATCHES,
    outcome: null,
  };
}

/** What a payer chooses when joining a channel. */
export interface PayerChannelConfig {
  readonly channelId: string;
  readonly network: NetworkName;
  /** Value to lock in the deposit, satoshis. */
  readonly depositAmount: bigint;
  /** Fee rate of commits and recoveries; also the highest fee floor accepted. */
  readonly feeRate: number;
  /** Preferred deposit expiry; moved into the payee's range. */
  readonly expireTime: number;
  /** Preferred payout delay; moved into the payee's range. Keep it above how often the payer watches the chain. */
  readonly delayTime: number;
  /** Payer key; a fresh one from the CSPRNG when omitted. */
  readonly privateKey?: Uint8Array;
  /** Where recovered funds go; P2WPKH of the payer key when omitted. */
  readonly destinationScript?: Uint8Array;
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
  checkFeeRate(config.feeRate, 'feeRate');
  checkRange({ min: config.expireTime, max: config.expireTime }, 'expireTime');
  checkRange({ min: config.delayTime, max: config.delayTime }, 'delayTime');
  if (
    typeof config.depositAmount !== 'bigint' ||
    config.depositAmount <= 0n ||
    config.depositAmount > 2_100_000_000_000_000n
  ) {
    throw invalid('depositAmount must be a positive bigint of satoshis');
  }
  if (!Number.isInteger(config.height) || config.height < 0)
    throw invalid('height must be a non-negative integer');
  const keys = keyPair(config.privateKey);
  return {
    role: 'payer',
    channelId: config.channelId,
    network: config.network,
    payerPrivateKey: keys.privateKey,
    payerPubkey: keys.publicKey,
    depositAmount: formatAmount(config.depositAmount),
    feeRate: config.feeRate,
    destinationScript: bytesToHex(
      config.destinationScript ?? p2wpkhOutputScript(hexToBytes(keys.publicKey)),
    ),
    preferredExpireTime: config.expireTime,
    preferredDelayTime: config.delayTime,
    payeePubkey: null,
    spendSecretHash: null,
    expireTime: null,
    delayTime: null,
    depositScript: null,
    deposit: null,
    nextRevokeHash: null,
    commits: [],
    published: null,
    spendSecret: null,
    broadcasts: {},
    height: config.height,
    watches: NO_WATCHES,
    outcome: null,
  };
}
