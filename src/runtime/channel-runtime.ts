import { type Actor, type AnyStateMachine, createActor } from 'xstate';
import { hexToBytes, bytesToHex } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import { PicopaymentsError } from '../errors.js';
import type { PayeeContext, PayerContext } from '../machines/context.js';
import type { Effect } from '../machines/effects.js';
import { MESSAGE_EVENT_TYPES } from '../machines/events.js';
import { parseAmount } from '../messages/amount.js';
import { decodeMessage, encodeMessage } from '../messages/codec.js';
import { decodeChannelSnapshot, encodeChannelSnapshot } from '../snapshots/codec.js';
import { decodeHistoryRecord, encodeHistoryRecord } from '../snapshots/history-codec.js';
import type { HistoryRecord } from '../machines/history.js';
import { withHistory } from '../machines/history-lookup.js';
import type { AddressHistoryOutput } from '../counterparty/asset-address-guards.js';
import { type AssetDepositReading, assetReadingsNeeded } from '../machines/asset-readings.js';
import type { AssetView } from './asset-view.js';
import type { SnapshotRole } from '../snapshots/schema.js';
import { ChannelFaultError, ChannelIoError, describeError } from './runtime-errors.js';
import type { Store, StoreWrite } from './store.js';
import type { Transport } from './transport.js';
import type { Wallet } from './wallet.js';

/** What a runtime drives its machine with. */
export interface RuntimeEnvironment {
  readonly chain: Chain;
  readonly transport: Transport;
  readonly store: Store;
  /** Key of this channel's snapshot in the store. */
  readonly storeKey: string;
  /** Payer only: funds the deposit. */
  readonly wallet?: Wallet;
  /** Asset mode: the Counterparty ledger and channel addresses as the machine needs them. */
  readonly assets?: AssetView;
  /** Observes every effect after it was carried out (logging, UIs, tests). */
  readonly onEffect?: (effect: Effect) => void;
}

/** A refusal recorded by the runtime: a machine `rejected` effect, or a message that failed to decode. */
export interface Rejection {
  readonly event: string;
  readonly code: string;
  readonly reason: string;
}

/** A broadcast the chain refused (other than "already known"). */
export interface BroadcastFailure {
  readonly label: string;
  readonly txid: string;
  readonly code: string;
  /** The chain's own words (e.g. Bitcoin Core's reject reason). */
  readonly reason: string;
}

type ChannelContext = PayerContext | PayeeContext;

/** Blocks before the deposit's confirmation (or the current height) a watch rescan starts at. */
const WATCH_LOOKBACK = 6;
type MachineEvent = { type: string } & Record<string, unknown>;

/**
 * Drives one channel machine: turns incoming message texts and chain observations into events,
 * and carries out the effects the machine emits (persist, send, broadcast, fund) in order. All
 * I/O of the engine happens here and in the adapters behind {@link RuntimeEnvironment}.
 */
export class ChannelRuntime {
  /** Refusals so far, oldest first. */
  readonly rejections: Rejection[] = [];
  /** Broadcasts the chain refused, oldest first. */
  readonly broadcastFailures: BroadcastFailure[] = [];
  private actor!: Actor<AnyStateMachine>;
  private readonly pending: Effect[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly reported = new Map<string, string>();
  private lastHeight = -1;
  /** The persisted snapshot of the last successful save: where a failed step falls back to. */
  private durable: unknown = null;
  /** Set by the actor's error observer: XState would otherwise rethrow it from a timer. */
  private fault: { error: unknown } | null = null;
  /** Whether the step being carried out has saved its new state. */
  private stepRecorded = false;
  /** Set by a step whose event waits for the ledger to catch up. */
  private deferred = false;
  /** The persisted snapshot just before the step being carried out. */
  private beforeStep: unknown = null;

  private constructor(
    private readonly machine: AnyStateMachine,
    private readonly env: RuntimeEnvironment,
    start: { input: ChannelContext } | { snapshot: unknown },
  ) {
    if ('snapshot' in start) this.durable = start.snapshot;
    this.spawn(start);
  }

  /** Creates the actor, with an error observer so that no machine error escapes asynchronously. */
  private spawn(start: { input: ChannelContext } | { snapshot: unknown }): void {
    this.actor =
      'input' in start
        ? createActor(this.machine, { input: start.input })
        : createActor(this.machine, { snapshot: start.snapshot as never });
    this.actor.on('*', (effect) => this.pending.push(effect as Effect));
    this.actor.subscribe({
      error: (error) => {
        this.fault = { error };
      },
    });
  }

  /** Starts a new channel machine from its initial context and carries out its entry effects. */
  static async start(
    machine: AnyStateMachine,
    input: ChannelContext,
    env: RuntimeEnvironment,
  ): Promise<ChannelRuntime> {
    const runtime = new ChannelRuntime(machine, env, { input });
    await runtime.enqueue(async () => {
      runtime.actor.start();
      runtime.throwIfFaulted();
      await runtime.carryOut();
    });
    return runtime;
  }

  /**
   * Restores a machine from a persisted snapshot (JSON text) and carries on from there.
   *
   * @throws {@link SnapshotError} when the text is not a valid snapshot of this machine's role
   * (format, version, schema, state, keys, scripts, secrets, commits, amounts); nothing runs.
   */
  static async restore(
    machine: AnyStateMachine,
    snapshotText: string,
    env: RuntimeEnvironment,
  ): Promise<ChannelRuntime> {
    const snapshot = decodeChannelSnapshot(snapshotText, machine.id as SnapshotRole, machine);
    const runtime = new ChannelRuntime(machine, env, { snapshot });
    runtime.actor.start();
    runtime.throwIfFaulted();
    runtime.beforeStep = runtime.durable;
    // An indexing adapter starts empty after a restart: tell it everything the channel follows.
    const { outpoints, txids } = runtime.context.watches;
    if (outpoints.length + txids.length > 0)
      await runtime.handWatches({
        outpoints: outpoints.map((w) => w.outpoint),
        txids: txids.map((w) => w.txid),
      });
    return runtime;
  }

  /** The machine's context (JSON). */
  get context(): ChannelContext {
    return this.actor.getSnapshot().context as ChannelContext;
  }

  /** The machine's state value, e.g. `"open"` or `{ settling: { ... } }`. */
  get state(): unknown {
    return this.actor.getSnapshot().value;
  }

  /** True once the machine reached a final state. */
  get done(): boolean {
    return this.actor.getSnapshot().status === 'done';
  }

  /** The persisted snapshot as JSON text, exactly what the store receives. */
  snapshotText(): string {
    return encodeChannelSnapshot(this.actor.getPersistedSnapshot(), this.context.role);
  }

  /** Sends an event to the machine and carries out the effects; resolves with the refusals it caused. */
  dispatch(event: MachineEvent): Promise<Rejection[]> {
    return this.enqueue(() => this.step(event));
  }

  /** Decodes a message text from the counterparty and dispatches it; malformed texts are refused. */
  receive(text: string): Promise<Rejection[]> {
    return this.enqueue(async () => {
      let message: ReturnType<typeof decodeMessage>;
      try {
        message = decodeMessage(text);
      } catch (error) {
        if (!(error instanceof PicopaymentsError)) throw error;
        const rejection = { event: 'MESSAGE', code: error.code, reason: error.message };
        this.rejections.push(rejection);
        return [rejection];
      }
      return this.step({ type: MESSAGE_EVENT_TYPES[message.type], message });
    });
  }

  /**
   * Reports what the chain says about the watched transactions and outputs (only what changed
   * since the last report), then the current height. Repeats while new watches appear.
   */
  sync(): Promise<void> {
    return this.enqueue(async () => {
      for (let round = 0; round < 8 && !this.done; round++) {
        const before = this.reported.size + this.lastHeight;
        await this.reportChain();
        if (this.reported.size + this.lastHeight === before) break;
      }
    });
  }

  private async reportChain(): Promise<void> {
    const { chain } = this.env;
    for (const watch of this.context.watches.txids) {
      const tx = await io('CHAIN_FAILED', 'reading a transaction', () =>
        chain.getTransaction(watch.txid),
      );
      if (!tx || tx.blockHeight === null) continue;
      if (this.changed(`tx:${watch.txid}`, String(tx.blockHeight))) {
        this.deferred = false;
        await this.step({
          type: 'TX_CONFIRMED',
          txid: tx.txid,
          rawTx: bytesToHex(tx.rawTx),
          blockHeight: tx.blockHeight,
        });
        // The ledger had not reached the block: said again at the next sync.
        if (this.deferred) this.reported.delete(`tx:${watch.txid}`);
      }
    }
    for (const watch of this.context.watches.outpoints) {
      const spender = await io('CHAIN_FAILED', 'reading a spend', () =>
        chain.getSpender(watch.outpoint),
      );
      const key = `out:${watch.outpoint.txid}:${watch.outpoint.vout}`;
      if (!spender) {
        const before = this.reported.get(key);
        if (before === 'unspent' || before === 'unseen') continue;
        // At the first sync after a restart the snapshot may hold a spend that a reorganisation
        // took out while the process was down, so "unspent" is said then too, but only for an
        // output in the UTXO set: an indexing adapter may not know of a spend older than what
        // it scanned, and a false "unspent" would send a settled machine back.
        if (
          before === undefined &&
          (await io('CHAIN_FAILED', 'reading an output', () => chain.getOutput(watch.outpoint))) ===
            null
        ) {
          this.reported.set(key, 'unseen');
          continue;
        }
        this.reported.set(key, 'unspent');
        await this.step({ type: 'OUTPOINT_UNSPENT', outpoint: watch.outpoint });
        continue;
      }
      if (
        this.changed(
          `out:${watch.outpoint.txid}:${watch.outpoint.vout}`,
          `${spender.txid}@${spender.blockHeight}`,
        )
      ) {
        await this.step({
          type: 'OUTPOINT_SPENT',
          outpoint: watch.outpoint,
          txid: spender.txid,
          rawTx: bytesToHex(spender.rawTx),
          blockHeight: spender.blockHeight,
        });
      }
    }
    const height = await io('CHAIN_FAILED', 'reading the height', () => chain.getHeight());
    if (height !== this.lastHeight) {
      this.lastHeight = height;
      await this.step({ type: 'BLOCK', height });
    }
  }

  private changed(key: string, status: string): boolean {
    if (this.reported.get(key) === status) return false;
    this.reported.set(key, status);
    return true;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async step(event: MachineEvent): Promise<Rejection[]> {
    if (this.done) return [];
    // The history an event needs is read before the machine sees it, so the step stays pure.
    const withRecords = await withHistory(this.context, event, (key) => this.loadHistory(key));
    const complete = await this.withAssetReadings(withRecords);
    if (complete === null) {
      this.deferred = true;
      return [];
    }
    this.stepRecorded = false;
    this.beforeStep = this.actor.getPersistedSnapshot();
    this.actor.send(complete as never);
    this.throwIfFaulted();
    return this.carryOut();
  }

  /**
   * `event` with the asset readings it needs attached (asset mode), or null when the ledger has
   * not caught up with the event's block yet: the event is then reported again later.
   */
  private async withAssetReadings(event: MachineEvent): Promise<MachineEvent | null> {
    const requests = assetReadingsNeeded(this.context, event);
    if (requests.length === 0) return event;
    const { assets } = this.env;
    if (!assets)
      throw new ChannelIoError(
        'LEDGER_FAILED',
        'an asset channel needs an asset view of the Counterparty ledger (RuntimeEnvironment.assets)',
        false,
        null,
      );
    const commitAddresses: { [script: string]: AddressHistoryOutput[] } = {};
    let assetDeposit: AssetDepositReading | undefined;
    for (const request of requests) {
      const script = hexToBytes(request.outputScript);
      if (request.kind === 'deposit-address') {
        const reading = await io('LEDGER_FAILED', 'reading the deposit address', () =>
          assets.depositAddress(script, request.asset, request.height),
        );
        if (reading === null) return null;
        assetDeposit = reading;
      } else {
        commitAddresses[request.outputScript] = await io(
          'LEDGER_FAILED',
          'reading a commit address',
          () => assets.addressHistory(script),
        );
      }
    }
    return {
      ...event,
      ...(assetDeposit ? { assetDeposit } : {}),
      ...(Object.keys(commitAddresses).length > 0 ? { commitAddresses } : {}),
    };
  }

  /** Reads one history record of this channel; a record that fails its checks is refused. */
  private async loadHistory(key: string): Promise<HistoryRecord | null> {
    const { store, storeKey } = this.env;
    const text = await io('STORE_FAILED', 'reading channel history', () =>
      store.load(historyStoreKey(storeKey, key)),
    );
    return text === null ? null : decodeHistoryRecord(key, text, this.context);
  }

  /**
   * Undoes a step that failed: back to the state before it when nothing of it was saved, else
   * to what was saved. Pending effects are dropped and chain observations are reported again.
   */
  private fallBack(): void {
    const target = this.stepRecorded ? this.durable : (this.beforeStep ?? this.durable);
    this.pending.length = 0;
    this.reported.clear();
    this.lastHeight = -1;
    this.fault = null;
    this.actor.stop();
    if (target === null) return; // Nothing was ever saved: the channel does not exist.
    this.spawn({ snapshot: target });
    this.actor.start();
  }

  /** Turns a machine error into a typed one, after undoing the event that caused it. */
  private throwIfFaulted(): void {
    if (!this.fault && this.actor.getSnapshot().status !== 'error') return;
    const error = this.fault?.error ?? this.actor.getSnapshot().error;
    this.fallBack();
    throw new ChannelFaultError(`the machine failed: ${describeError(error)}`, error);
  }

  /** Carries out the buffered effects in emission order; an adapter failure stops the step. */
  private async carryOut(): Promise<Rejection[]> {
    const rejections: Rejection[] = [];
    while (this.pending.length > 0) {
      // A run of store effects is one atomic write where the store offers it (saveAll).
      const batch = this.env.store.saveAll ? this.takeStoreRun() : [];
      const effect = batch.length > 0 ? null : this.pending.shift()!;
      try {
        if (effect) await this.perform(effect, rejections);
        else await this.persistAll(batch);
      } catch (error) {
        if (!(error instanceof ChannelIoError)) throw error;
        // Nothing queued behind the failed effect goes out: it may depend on it.
        const recorded = this.stepRecorded;
        this.fallBack();
        throw new ChannelIoError(error.code, error.message, recorded, error.cause);
      }
      this.throwIfFaulted();
      for (const done of effect ? [effect] : batch) this.env.onEffect?.(done);
    }
    return rejections;
  }

  /** Takes the store effects (snapshot and history writes) at the head of the queue. */
  private takeStoreRun(): Effect[] {
    let n = 0;
    while (n < this.pending.length && isStoreEffect(this.pending[n]!)) n++;
    return this.pending.splice(0, n);
  }

  /**
   * Writes a run of store effects as one atomic group, in emission order: the channel's step
   * (its snapshot and the history records it pushed or dropped) costs one transaction.
   */
  private async persistAll(effects: readonly Effect[]): Promise<void> {
    const { store, storeKey } = this.env;
    const writes: StoreWrite[] = [];
    let text: string | null = null;
    let persisted: unknown = null;
    for (const effect of effects) {
      if (effect.type === 'history')
        for (const { key, record } of effect.writes)
          writes.push({
            key: historyStoreKey(storeKey, key),
            snapshot: encodeHistoryRecord(record, this.context),
          });
      else if (effect.type === 'persist') {
        persisted ??= this.actor.getPersistedSnapshot();
        text ??= encodeChannelSnapshot(persisted, this.context.role);
        writes.push({ key: storeKey, snapshot: text });
      }
    }
    await io('STORE_FAILED', 'saving the channel', () => store.saveAll!(writes));
    if (text === null) return;
    // The text holds commits in compact form; what a fall-back restarts from is the machine's own.
    this.durable = structuredClone(persisted);
    this.stepRecorded = true;
  }

  private async perform(effect: Effect, rejections: Rejection[]): Promise<void> {
    const { chain, transport, store, storeKey } = this.env;
    switch (effect.type) {
      case 'persist': {
        const persisted = this.actor.getPersistedSnapshot();
        const text = encodeChannelSnapshot(persisted, this.context.role);
        await io('STORE_FAILED', 'saving the channel', () => store.save(storeKey, text));
        this.durable = structuredClone(persisted);
        this.stepRecorded = true;
        return;
      }
      case 'history':
        for (const { key, record } of effect.writes)
          await io('STORE_FAILED', 'saving channel history', () =>
            store.save(historyStoreKey(storeKey, key), encodeHistoryRecord(record, this.context)),
          );
        return;
      case 'send':
        await io('TRANSPORT_FAILED', 'sending a message', () =>
          transport.send(encodeMessage(effect.message)),
        );
        return;
      case 'broadcast':
        try {
          await chain.broadcast(hexToBytes(effect.rawTx));
        } catch (error) {
          // The chain refusing a transaction is an answer, not a failure: it is recorded and
          // the machine decides (rebroadcast, another path). Anything else is an I/O failure.
          if (!isTransactionRefusal(error))
            throw new ChannelIoError(
              'CHAIN_FAILED',
              `broadcasting the ${effect.label}: ${describeError(error)}`,
              false,
              error,
            );
          if (error.code !== 'TX_ALREADY_KNOWN')
            this.broadcastFailures.push({
              label: effect.label,
              txid: effect.txid,
              code: error.code,
              reason: (error as { rejectReason?: string }).rejectReason ?? error.message,
            });
        }
        return;
      case 'fund-deposit': {
        // The wallet's answer is one more event; its effects join the queue being carried out.
        const answer = await this.fundDeposit(effect);
        if (answer.type === 'FUNDING_FAILED') {
          const rejection = {
            event: 'FUNDING_FAILED',
            code: String(answer.code),
            reason: String(answer.reason),
          };
          this.rejections.push(rejection);
          rejections.push(rejection);
        }
        this.actor.send(answer as never);
        return;
      }
      case 'watch-outpoint':
        await this.handWatches({ outpoints: [effect.outpoint] });
        return;
      case 'watch-transaction':
        await this.handWatches({ txids: [effect.txid] });
        return;
      case 'rejected': {
        const rejection = { event: effect.event, code: effect.code, reason: effect.reason };
        this.rejections.push(rejection);
        rejections.push(rejection);
        return;
      }
      default:
        return;
    }
  }

  /**
   * Hands watches to a chain adapter that indexes only what it is asked to follow. The rescan
   * reaches back to the deposit's confirmation (or a few blocks), where a watched spend or
   * confirmation can be at the earliest.
   */
  private async handWatches(request: {
    outpoints?: readonly { txid: string; vout: number }[];
    txids?: readonly string[];
  }): Promise<void> {
    const { chain } = this.env;
    if (!chain.watch) return;
    const context = this.context;
    const fromHeight = Math.max(
      0,
      Math.min(context.deposit?.confirmedHeight ?? context.height, context.height) - WATCH_LOOKBACK,
    );
    await io('CHAIN_FAILED', 'handing watches to the chain', () =>
      chain.watch!({ ...request, fromHeight }),
    );
  }

  /** Asks the wallet to fund the deposit; the outcome is the event to hand back to the machine. */
  private async fundDeposit(effect: Effect & { type: 'fund-deposit' }): Promise<MachineEvent> {
    const { wallet } = this.env;
    if (!wallet)
      return {
        type: 'FUNDING_FAILED',
        code: 'NO_WALLET',
        reason: 'the payer runtime has no wallet',
      };
    try {
      const feeRate = (this.context as PayerContext).feeRate;
      const asset = effect.asset
        ? { asset: effect.asset.asset, quantity: parseAmount(effect.asset.quantity) }
        : undefined;
      const funded = await wallet.fundDeposit(
        hexToBytes(effect.depositScript),
        parseAmount(effect.amount),
        feeRate,
        asset,
      );
      return {
        type: 'DEPOSIT_PUBLISHED',
        txid: funded.txid,
        vout: funded.vout,
        rawTx: bytesToHex(funded.rawTx),
      };
    } catch (error) {
      if (!(error instanceof PicopaymentsError))
        throw new ChannelIoError(
          'WALLET_FAILED',
          `funding the deposit: ${describeError(error)}`,
          false,
          error,
        );
      return { type: 'FUNDING_FAILED', code: error.code, reason: error.message };
    }
  }
}

/** Runs an adapter call; any failure becomes a {@link ChannelIoError} with `code`. */
async function io<T>(
  code: ChannelIoError['code'],
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ChannelIoError(code, `${what}: ${describeError(error)}`, false, error);
  }
}

/** True when the chain refused a transaction (a typed `TX_*` answer), as opposed to failing. */
function isTransactionRefusal(error: unknown): error is PicopaymentsError {
  return error instanceof PicopaymentsError && error.code.startsWith('TX_');
}

/**
 * Store key of history record `key` of the channel stored under `storeKey`: beside the snapshot,
 * under a key no snapshot uses.
 */
export function historyStoreKey(storeKey: string, key: string): string {
  return `${storeKey}#${key}`;
}

/** True for the effects that only write the store. */
function isStoreEffect(effect: Effect): boolean {
  return effect.type === 'persist' || effect.type === 'history';
}
