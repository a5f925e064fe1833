/**
 * What the client checks in a hub's signed answers before its engine uses them: the terms
 * (sane, on this network, within the client's own limits), the hub deposit it promised, and
 * the hub's channel messages (its deposit script locks the hub's deposit to this client's key
 * for the expiry and delay the client asked, the funded value is the one promised, its offer
 * covers the client's request). The engine's guards check the cryptography; these check that
 * the hub keeps to what this client asked for. Each failure is a typed {@link HubClientError}.
 *
 * @module
 */
import { hexToBytes } from '../bytes.js';
import { HubClientError, type HubClientErrorCode } from '../hub-client/errors.js';
import { decodeMessage } from '../messages/codec.js';
import type { ChannelMessage } from '../messages/schema.js';
import type { NetworkName } from '../scripts/networks.js';
import { parseDepositScript } from '../scripts/deposit-script.js';
import { bytesToHex } from '../bytes.js';

/** Limits of the client's own, whatever terms a hub publishes. */
export interface ClientLimits {
  /** Longest a deposit may stay locked, blocks (default 4320, about 30 days). */
  readonly maxExpireBlocks: number;
  /** Largest fee per payment the client accepts, base units (default: no limit beyond the terms' sanity). */
  readonly maxPaymentFee?: bigint;
}

/** Default {@link ClientLimits}. */
export const DEFAULT_LIMITS: ClientLimits = { maxExpireBlocks: 4320 };

/** One asset's terms as the hub sends them (decimal strings and integers). */
export interface RawTerms {
  readonly depositMin: string;
  readonly depositMax: string;
  readonly depositRatioPercent: number;
  readonly expireMin: number;
  readonly expireMax: number;
  readonly delayMin: number;
  readonly delayMax: number;
  readonly paymentFee: string;
}

/** What the client asked for on one connection, to hold the hub's messages against. */
export interface ConnectionExpectation {
  readonly handle: string;
  /** The client's key on both channels (hex). */
  readonly clientPublicKey: string;
  readonly expireBlocks: number;
  readonly delayBlocks: number;
  /** The hub deposit promised in the connect answer, base units. */
  readonly hubDeposit: bigint;
}

const refusal = (code: HubClientErrorCode, message: string) => new HubClientError(code, message);
const fail = (code: HubClientErrorCode, message: string): never => {
  throw refusal(code, message);
};

const AMOUNT = /^(0|[1-9]\d{0,18})$/;
const isBlocks = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 65_535;

/** Checks one asset's published terms: well formed, ordered, within the client's limits. */
export function checkTerms(asset: string, value: unknown, limits: ClientLimits): RawTerms {
  const t = value as RawTerms;
  const where = `the hub's terms for ${asset}`;
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.depositMin !== 'string' ||
    !AMOUNT.test(t.depositMin) ||
    typeof t.depositMax !== 'string' ||
    !AMOUNT.test(t.depositMax) ||
    typeof t.paymentFee !== 'string' ||
    !AMOUNT.test(t.paymentFee) ||
    !Number.isSafeInteger(t.depositRatioPercent) ||
    ![t.expireMin, t.expireMax, t.delayMin, t.delayMax].every(isBlocks)
  )
    fail('HUB_BAD_RESPONSE', `${where} are malformed`);
  const min = BigInt(t.depositMin);
  const max = BigInt(t.depositMax);
  if (min < 1n || min > max)
    fail('HUB_TERMS_VIOLATED', `${where}: deposit range ${min}..${max} is empty`);
  if (t.depositRatioPercent < 0 || t.depositRatioPercent > 1000)
    fail(
      'HUB_TERMS_VIOLATED',
      `${where}: deposit ratio ${t.depositRatioPercent}% is out of bounds`,
    );
  if (t.expireMin < 1 || t.expireMin > t.expireMax)
    fail('HUB_TERMS_VIOLATED', `${where}: expiry range ${t.expireMin}..${t.expireMax} is empty`);
  if (t.expireMin > limits.maxExpireBlocks)
    fail(
      'HUB_TERMS_VIOLATED',
      `${where}: deposits locked at least ${t.expireMin} blocks, more than this client's limit of ${limits.maxExpireBlocks}`,
    );
  if (t.delayMin < 1 || t.delayMin > t.delayMax || t.delayMin >= t.expireMax)
    fail(
      'HUB_TERMS_VIOLATED',
      `${where}: delay range ${t.delayMin}..${t.delayMax} is empty or longer than the expiry`,
    );
  if (BigInt(t.paymentFee) >= min)
    fail(
      'HUB_TERMS_VIOLATED',
      `${where}: a payment fee of ${t.paymentFee} leaves nothing of the smallest deposit`,
    );
  return t;
}

/** Checks a status answer: network and every asset's terms. */
export function checkStatus(
  result: Record<string, unknown>,
  network: NetworkName,
  limits: ClientLimits,
): Record<string, RawTerms> {
  if (result.network !== network)
    fail(
      'HUB_TERMS_VIOLATED',
      `the hub runs on ${String(result.network)}, this client on ${network}`,
    );
  const terms = result.terms;
  if (typeof terms !== 'object' || terms === null || Array.isArray(terms))
    fail('HUB_BAD_RESPONSE', 'the hub status has no terms');
  const checked: Record<string, RawTerms> = {};
  for (const [asset, t] of Object.entries(terms as object))
    checked[asset] = checkTerms(asset, t, limits);
  return checked;
}

/** Checks what the client is about to ask for against the terms and its own limits. */
export function checkConnectRequest(
  params: Record<string, unknown>,
  terms: Readonly<Record<string, RawTerms>> | null,
  limits: ClientLimits,
): void {
  const t = terms?.[String(params.asset)];
  if (!t) fail('HUB_TERMS_VIOLATED', `the hub does not serve ${String(params.asset)}`);
  const expire = Number(params.expireBlocks);
  const delay = Number(params.delayBlocks);
  if (expire > limits.maxExpireBlocks)
    fail(
      'HUB_TERMS_VIOLATED',
      `an expiry of ${expire} blocks is above this client's limit of ${limits.maxExpireBlocks}`,
    );
  if (expire < t!.expireMin || expire > t!.expireMax)
    fail(
      'HUB_TERMS_VIOLATED',
      `an expiry of ${expire} blocks is outside the hub's ${t!.expireMin}..${t!.expireMax}`,
    );
  if (delay < t!.delayMin || delay > t!.delayMax || delay >= expire)
    fail(
      'HUB_TERMS_VIOLATED',
      `a delay of ${delay} blocks is outside the hub's ${t!.delayMin}..${t!.delayMax} or not below the expiry`,
    );
}

/** Checks the connect answer: the hub deposit is what the terms promise. */
export function checkConnectAnswer(
  params: Record<string, unknown>,
  result: Record<string, unknown>,
  terms: Readonly<Record<string, RawTerms>> | null,
): ConnectionExpectation {
  const t = terms?.[String(params.asset)];
  const handle = result.handle;
  if (typeof handle !== 'string' || !/^[A-Za-z0-9_]{1,59}$/.test(handle))
    fail('HUB_BAD_RESPONSE', 'the connect answer has no valid handle');
  if (typeof result.hubDeposit !== 'string' || !AMOUNT.test(result.hubDeposit))
    fail('HUB_BAD_RESPONSE', 'the connect answer has no hub deposit');
  const quantity = BigInt(String(params.quantity));
  const promised = t ? (quantity * BigInt(t.depositRatioPercent)) / 100n : 0n;
  const hubDeposit = BigInt(result.hubDeposit as string);
  if (hubDeposit !== promised)
    fail(
      'HUB_TERMS_VIOLATED',
      `the hub deposits ${hubDeposit} where its terms promise ${promised} (${t?.depositRatioPercent}% of ${quantity})`,
    );
  return {
    handle: handle as string,
    clientPublicKey: String(params.clientPublicKey),
    expireBlocks: Number(params.expireBlocks),
    delayBlocks: Number(params.delayBlocks),
    hubDeposit,
  };
}

function looseType(text: string): unknown {
  try {
    return (JSON.parse(text) as { type?: unknown })?.type;
  } catch {
    return undefined;
  }
}

/** The handle and end of a connection's channel id (`HANDLE-c2h` or `HANDLE-h2c`). */
function channelOf(id: string): { handle: string; end: 'c2h' | 'h2c' } | null {
  const m = /^(.+)-(c2h|h2c)$/.exec(id);
  return m ? { handle: m[1]!, end: m[2] as 'c2h' | 'h2c' } : null;
}

/** Checks the hub's deposit script of the hub->client channel. */
export function checkHubDeposit(
  message: Extract<ChannelMessage, { type: 'deposit' }>,
  expected: ConnectionExpectation,
): void {
  let fields: ReturnType<typeof parseDepositScript>;
  try {
    fields = parseDepositScript(hexToBytes(message.depositScript));
  } catch {
    throw refusal(
      'HUB_BAD_DEPOSIT_SCRIPT',
      `the hub's deposit script of ${message.channelId} is not the deposit template`,
    );
  }
  if (bytesToHex(fields.payeePubkey) !== expected.clientPublicKey)
    fail(
      'HUB_BAD_DEPOSIT_SCRIPT',
      `the hub's deposit script of ${message.channelId} pays another key than this client's`,
    );
  if (bytesToHex(fields.payerPubkey) !== message.payerPubkey)
    fail(
      'HUB_BAD_DEPOSIT_SCRIPT',
      `the hub's deposit script of ${message.channelId} names another payer key than it announces`,
    );
  if (fields.expireTime !== expected.expireBlocks)
    fail(
      'HUB_BAD_DEPOSIT_SCRIPT',
      `the hub's deposit script of ${message.channelId} expires after ${fields.expireTime} blocks, the client asked ${expected.expireBlocks}`,
    );
  if (message.delayTime !== expected.delayBlocks)
    fail(
      'HUB_BAD_DEPOSIT_SCRIPT',
      `the hub's commits of ${message.channelId} would carry a delay of ${message.delayTime} blocks, the client asked ${expected.delayBlocks}`,
    );
}

/**
 * Checks every channel message of a hub answer. `expect` gives what the client asked for on
 * a connection, or `undefined` for a handle this client does not hold.
 */
export function checkMessages(
  messages: unknown,
  expect: (handle: string) => ConnectionExpectation | undefined,
  network: NetworkName,
): void {
  if (messages === undefined) return;
  if (!Array.isArray(messages)) fail('HUB_BAD_RESPONSE', 'messages is not a list');
  for (const text of messages as unknown[]) {
    let message: ChannelMessage;
    try {
      message = decodeMessage(text);
    } catch {
      // The codec refuses a deposit whose script does not parse: name that for what it is.
      const loose = typeof text === 'string' ? looseType(text) : undefined;
      throw refusal(
        loose === 'deposit' ? 'HUB_BAD_DEPOSIT_SCRIPT' : 'HUB_BAD_RESPONSE',
        loose === 'deposit'
          ? 'the hub sent a deposit whose script is not the deposit template'
          : 'the hub sent a malformed channel message',
      );
    }
    const channel = channelOf(message.channelId);
    const expected = channel ? expect(channel.handle) : undefined;
    if (!channel || !expected)
      throw refusal(
        'HUB_BAD_RESPONSE',
        `the hub sent a message for a channel not of this client (${message.channelId})`,
      );
    if (message.type === 'deposit') {
      if (channel.end !== 'h2c')
        fail('HUB_BAD_RESPONSE', 'the hub sent a deposit for the client’s own channel');
      checkHubDeposit(message, expected);
    } else if (message.type === 'deposit-funded') {
      if (channel.end === 'h2c' && BigInt(message.value) !== expected.hubDeposit)
        fail(
          'HUB_TERMS_VIOLATED',
          `the hub funded ${message.value} on ${message.channelId}, it promised ${expected.hubDeposit}`,
        );
    } else if (message.type === 'offer') {
      if (channel.end !== 'c2h')
        fail('HUB_BAD_RESPONSE', 'the hub sent an offer for its own channel');
      const { expireTime, delayTime } = message;
      if (message.network !== network)
        fail('HUB_TERMS_VIOLATED', `the hub offers a channel on ${message.network}`);
      if (
        expireTime.min > expected.expireBlocks ||
        expireTime.max < expected.expireBlocks ||
        delayTime.min > expected.delayBlocks ||
        delayTime.max < expected.delayBlocks
      )
        fail(
          'HUB_TERMS_VIOLATED',
          `the hub's offer on ${message.channelId} does not cover the expiry and delay asked`,
        );
    }
  }
}

/** Checks the payments a sync answer delivers. */
export function checkDelivered(delivered: unknown): void {
  if (delivered === undefined) return;
  if (!Array.isArray(delivered)) fail('HUB_BAD_RESPONSE', 'delivered is not a list');
  for (const d of delivered as Record<string, unknown>[])
    if (
      typeof d !== 'object' ||
      d === null ||
      typeof d.token !== 'string' ||
      d.token.length > 128 ||
      typeof d.from !== 'string' ||
      d.from.length > 128 ||
      typeof d.amount !== 'string' ||
      !AMOUNT.test(d.amount) ||
      d.amount === '0' ||
      !(d.memo === undefined || (typeof d.memo === 'string' && d.memo.length <= 256))
    )
      fail('HUB_BAD_RESPONSE', 'the hub delivered a malformed payment');
}
