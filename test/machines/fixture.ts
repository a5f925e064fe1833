import { type Actor, type AnyStateMachine, createActor } from 'xstate';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import { p2wpkhOutputScript } from '../../src/scripts/key-output-scripts.js';
import type { Effect } from '../../src/machines/effects.js';
import type { HistoryRecord } from '../../src/machines/history.js';
import { historyKeys } from '../../src/machines/history-lookup.js';
import {
  MESSAGE_EVENT_TYPES,
  type PayeeEvent,
  type PayerEvent,
} from '../../src/machines/events.js';
import { newPayeeContext, newPayerContext } from '../../src/machines/initial-context.js';
import { payeeMachine } from '../../src/machines/payee-machine.js';
import { payerMachine } from '../../src/machines/payer-machine.js';
import type { ChannelMessage } from '../../src/messages/schema.js';
import { secretHash } from '../../src/scripts/secrets.js';
import { buildDepositTransaction } from '../../src/transactions/deposit-transaction.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { testPrivateKey } from '../support/channel-harness.js';

/** Fixed keys and secrets so that every transaction of these tests is reproducible. */
export const PAYER_KEY = testPrivateKey(1);
export const PAYEE_KEY = testPrivateKey(2);
export const SPEND_SECRET = new Uint8Array(32).fill(0x5e);
export const CHANNEL_ID = 'machine-test';
export const START_HEIGHT = 100;
export const DEPOSIT_AMOUNT = 1_000_000n;

/** The payee's starting context with a fixed spend secret and revoke seed. */
export function payeeInput(overrides: Partial<PayeeContext> = {}): PayeeContext {
  const base = newPayeeContext({
    channelId: CHANNEL_ID,
    network: 'regtest',
    expireTimeRange: { min: 10, max: 1000 },
    delayTimeRange: { min: 1, max: 100 },
    minFeeRate: 1,
    feeRate: 2,
    clearance: 6,
    privateKey: PAYEE_KEY,
    destinationScript: p2wpkhOutputScript(publicKeyOf(PAYEE_KEY)),
    // The machine examples take one confirmation as final; finality has its own tests.
    finalityDepth: 1,
    height: START_HEIGHT,
  });
  return {
    ...base,
    spendSecret: bytesToHex(SPEND_SECRET),
    spendSecretHash: bytesToHex(secretHash(SPEND_SECRET)),
    revokeSeed: '7e'.repeat(32),
    ...overrides,
  };
}

/** The payer's starting context. */
export function payerInput(overrides: Partial<PayerContext> = {}): PayerContext {
  return {
    ...newPayerContext({
      channelId: CHANNEL_ID,
      network: 'regtest',
      depositAmount: DEPOSIT_AMOUNT,
      feeRate: 2,
      expireTime: 40,
      delayTime: 5,
      privateKey: PAYER_KEY,
      destinationScript: p2wpkhOutputScript(publicKeyOf(PAYER_KEY)),
      finalityDepth: 1,
      height: START_HEIGHT,
    }),
    ...overrides,
  };
}

/** An actor with every effect it emits recorded in order. */
export interface Recorded<E extends { type: string }> {
  readonly actor: Actor<AnyStateMachine>;
  readonly effects: Effect[];
  /** Sends an event and returns the effects it caused. */
  send(event: E): Effect[];
  /** The persisted snapshot as JSON text. */
  persisted(): string;
  /** The state value. */
  value(): unknown;
  /** The history records written so far (the store's part the snapshot leaves out). */
  readonly history: Map<string, HistoryRecord>;
}

/** `event` with the history records it needs, read from `history` (as the runtime does). */
function withLoadedHistory<E extends { type: string }>(
  actor: Actor<AnyStateMachine>,
  history: ReadonlyMap<string, HistoryRecord>,
  event: E,
): E {
  const context = actor.getSnapshot().context as PayerContext | PayeeContext;
  const loaded: Record<string, HistoryRecord | null> = {};
  let keys = historyKeys(context, event as never, loaded);
  if (keys.length === 0) return event;
  while (keys.length > 0) {
    for (const key of keys) loaded[key] = history.get(key) ?? null;
    keys = historyKeys(context, event as never, loaded).filter((k) => !(k in loaded));
  }
  return { ...event, history: loaded };
}

function recorded<E extends { type: string }>(
  machine: AnyStateMachine,
  start: { input: unknown } | { snapshot: unknown },
  history: Map<string, HistoryRecord> = new Map(),
): Recorded<E> {
  const actor =
    'input' in start
      ? createActor(machine, { input: start.input })
      : createActor(machine, { snapshot: start.snapshot as never });
  const effects: Effect[] = [];
  actor.on('*', (effect) => {
    effects.push(effect as Effect);
    if ((effect as Effect).type === 'history')
      for (const { key, record } of (effect as Effect & { type: 'history' }).writes)
        history.set(key, record);
  });
  actor.start();
  return {
    actor,
    effects,
    history,
    send(event: E) {
      const before = effects.length;
      actor.send(withLoadedHistory(actor, history, event) as never);
      return effects.slice(before);
    },
    persisted: () => JSON.stringify(actor.getPersistedSnapshot()),
    value: () => actor.getSnapshot().value,
  };
}

export function startPayee(input: PayeeContext = payeeInput()): Recorded<PayeeEvent> {
  return recorded<PayeeEvent>(payeeMachine, { input });
}

export function startPayer(input: PayerContext = payerInput()): Recorded<PayerEvent> {
  return recorded<PayerEvent>(payerMachine, { input });
}

/** Restores a recorded actor from a persisted snapshot (JSON text). */
export function restorePayee(
  snapshot: string,
  history?: Map<string, HistoryRecord>,
): Recorded<PayeeEvent> {
  return recorded<PayeeEvent>(payeeMachine, { snapshot: JSON.parse(snapshot) }, history);
}

/** Restores a recorded payer from a persisted snapshot, with the history records it may need. */
export function restorePayer(
  snapshot: string,
  history?: Map<string, HistoryRecord>,
): Recorded<PayerEvent> {
  return recorded<PayerEvent>(payerMachine, { snapshot: JSON.parse(snapshot) }, history);
}

export function payeeContext(r: Recorded<PayeeEvent>): PayeeContext {
  return r.actor.getSnapshot().context as PayeeContext;
}

export function payerContext(r: Recorded<PayerEvent>): PayerContext {
  return r.actor.getSnapshot().context as PayerContext;
}

/** The messages among some effects. */
export function messagesOf(effects: readonly Effect[]): ChannelMessage[] {
  return effects.flatMap((e) => (e.type === 'send' ? [e.message] : []));
}

/** The broadcasts among some effects. */
export function broadcastsOf(effects: readonly Effect[]) {
  return effects.flatMap((e) => (e.type === 'broadcast' ? [e] : []));
}

/** The machine event carrying a message. */
export function messageEvent(message: ChannelMessage): PayeeEvent & PayerEvent {
  return { type: MESSAGE_EVENT_TYPES[message.type], message } as never;
}

/** Effect types in order, for compact assertions. */
export function typesOf(effects: readonly Effect[]): string[] {
  return effects.map((e) => (e.type === 'send' ? `send:${e.message.type}` : e.type));
}

/** A signed deposit transaction paying `amount` to P2SH(depositScript) from a made-up P2WPKH coin. */
export function depositTransaction(depositScript: string, amount = DEPOSIT_AMOUNT) {
  const script = p2wpkhOutputScript(publicKeyOf(PAYER_KEY));
  const deposit = buildDepositTransaction({
    coins: [{ outpoint: { txid: 'ab'.repeat(32), vout: 0 }, value: 5_000_000n, script }],
    depositScript: hexToBytes(depositScript),
    amount,
    changeScript: script,
    feeRate: 2,
    privateKey: PAYER_KEY,
  });
  return {
    txid: deposit.txid,
    vout: deposit.depositOutpoint.vout,
    rawTx: bytesToHex(deposit.rawTx),
  };
}

/** A payer and a payee machine, with messages passed by hand. */
export interface Pair {
  readonly payer: Recorded<PayerEvent>;
  readonly payee: Recorded<PayeeEvent>;
  readonly deposit: { txid: string; vout: number; rawTx: string };
  readonly confirmedHeight: number;
}

/** Hands every message among `effects` to the other machine; returns the effects that caused. */
export function relay(
  pair: Pick<Pair, 'payer' | 'payee'>,
  effects: readonly Effect[],
  to: 'payer' | 'payee',
): Effect[] {
  const target = to === 'payer' ? pair.payer : pair.payee;
  return messagesOf(effects).flatMap((m) => target.send(messageEvent(m)));
}

/** Runs both machines to `open`: offer, deposit, funding, confirmation at `START_HEIGHT + 1`, first revoke hash. */
export function openPair(
  options: { payee?: Partial<PayeeContext>; payer?: Partial<PayerContext> } = {},
): Pair {
  const payee = startPayee(payeeInput(options.payee));
  const payer = startPayer(payerInput(options.payer));
  const afterOffer = relay({ payer, payee }, payee.effects, 'payer');
  relay({ payer, payee }, afterOffer, 'payee');
  const fund = afterOffer.find((e) => e.type === 'fund-deposit');
  if (fund?.type !== 'fund-deposit') throw new Error('no fund-deposit effect');
  const deposit = depositTransaction(fund.depositScript, BigInt(fund.amount));
  const published = payer.send({ type: 'DEPOSIT_PUBLISHED', ...deposit });
  relay({ payer, payee }, published, 'payee');
  const confirmedHeight = START_HEIGHT + 1;
  const confirmed = {
    type: 'TX_CONFIRMED',
    txid: deposit.txid,
    rawTx: deposit.rawTx,
    blockHeight: confirmedHeight,
  } as const;
  payer.send(confirmed);
  const opened = payee.send(confirmed);
  relay({ payer, payee }, opened, 'payer');
  return { payer, payee, deposit, confirmedHeight };
}

/** Pays `amounts` one after the other, each answered by the payee's next revoke hash. */
export function pay(pair: Pair, ...amounts: bigint[]): void {
  for (const amount of amounts) {
    const sent = pair.payer.send({ type: 'PAY', amount: amount.toString() });
    const answer = relay(pair, sent, 'payee');
    relay(pair, answer, 'payer');
  }
}

/** Broadcasts of one label among effects; throws when there is none. */
export function broadcastOf(effects: readonly Effect[], label: string) {
  const found = broadcastsOf(effects).find((b) => b.label === label);
  if (!found) throw new Error(`no ${label} broadcast among ${typesOf(effects).join(',')}`);
  return found;
}

/**
 * Sends an event that must be refused: exactly one `rejected` effect with `code`, and the
 * persisted snapshot unchanged.
 */
export function expectRefused<E extends { type: string }>(
  r: Recorded<E>,
  event: E,
  code: string,
): void {
  const before = r.persisted();
  const effects = r.send(event);
  const summary = JSON.stringify(effects);
  if (effects.length !== 1) throw new Error(`expected one rejected effect, got ${summary}`);
  const [effect] = effects;
  if (effect?.type !== 'rejected' || effect.event !== event.type || effect.code !== code)
    throw new Error(`expected rejected ${event.type} with ${code}, got ${summary}`);
  if (r.persisted() !== before) throw new Error(`${event.type} changed the snapshot`);
}

/** Sends an event that must be ignored: no effect and the snapshot unchanged. */
export function expectIgnored<E extends { type: string }>(r: Recorded<E>, event: E): void {
  const before = r.persisted();
  const effects = r.send(event);
  if (effects.length !== 0) throw new Error(`expected no effect, got ${JSON.stringify(effects)}`);
  if (r.persisted() !== before) throw new Error(`${event.type} changed the snapshot`);
}
