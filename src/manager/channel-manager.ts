import type { Chain } from '../chain/chain.js';
import { PicopaymentsError } from '../errors.js';
import type { Effect } from '../machines/effects.js';
import {
  type PayeeChannelConfig,
  type PayerChannelConfig,
  newPayeeContext,
  newPayerContext,
} from '../machines/initial-context.js';
import { decodeMessage } from '../messages/codec.js';
import { rawTransactionId } from '../transactions/raw-transaction.js';
import type { Rejection, RuntimeEnvironment } from '../runtime/channel-runtime.js';
import { PayeeChannel, PayerChannel } from '../runtime/channels.js';
import { ChannelIoError } from '../runtime/runtime-errors.js';
import type { Store } from '../runtime/store.js';
import type { Transport } from '../runtime/transport.js';
import type { AssetView } from '../runtime/asset-view.js';
import type { Wallet } from '../runtime/wallet.js';
import { BlockFollower, forEachBounded } from './block-follower.js';
import { ChannelIndex, type IndexEntry } from './channel-index.js';
import { type AnyChannel, ChannelObserver } from './channel-observer.js';
import { ManagerError } from './errors.js';
import type {
  ChannelErrorPhase,
  ChannelRole,
  ManagerEvent,
  ManagerEventOf,
  ManagerEventType,
} from './events.js';
import { type FeeBumpOptions, feeBumpPolicy } from './fee-bump-policy.js';
import { FeeBumper, pendingSpends } from './fee-bumper.js';
import { RoundChain } from './round-chain.js';
import { mergeWatches, pendingWatches } from './watch-handoff.js';

/** Creates the transport a channel sends its messages with. */
export type TransportFactory = (channelId: string, role: ChannelRole) => Transport;

/** Options of {@link ChannelManager.start}. */
export interface ChannelManagerOptions {
  readonly chain: Chain;
  /** Holds every channel's snapshot and the channel index. */
  readonly store: Store;
  readonly transport: TransportFactory;
  /** Funds the deposits of payer channels (unless a channel is created with its own). */
  readonly wallet?: Wallet;
  /** Asset mode: the Counterparty ledger and channel addresses, for channels that carry an asset. */
  readonly assets?: AssetView;
  /** Channels synced at once after a block (default 16). */
  readonly concurrency?: number;
  /** Prefix of the manager's store keys (default `picopayments`), to share a store. */
  readonly namespace?: string;
  /** Blocks below a channel's height that a watch hand-off rescans, for reorgs (default 6). */
  readonly watchMargin?: number;
  /**
   * How long the follower waits for one channel's sync (default 60 s). A sync that takes longer
   * (a hung adapter) is reported and left running; the channel is skipped until it ends, and
   * the round goes on, so one stuck channel holds up no other.
   */
  readonly syncTimeoutMs?: number;
  /** Syncs every channel once at start, to catch up after a restart (default true). */
  readonly syncOnStart?: boolean;
  /** Receives exceptions thrown by event listeners (default: `console.error`). */
  readonly onListenerError?: (error: unknown) => void;
  /**
   * Re-signs payouts, revokes, changes and expires that have not confirmed in time at higher
   * fee rates, a revoke faster as its deadline nears (see `nextFeeRate`); `false` turns
   * it off. The chain must replace mempool transactions by fee (Bitcoin Core 28 and later do
   * by default) for a bump to be accepted.
   */
  readonly feeBumping?: FeeBumpOptions | false;
}

/** One managed channel and what the manager tracks about it. */
interface ManagedChannel {
  readonly entry: IndexEntry;
  readonly channel: AnyChannel;
  readonly observer: ChannelObserver;
  /** Keys of the watches already handed to the chain. */
  readonly handed: Set<string>;
  /** Operations on this channel, one at a time (manager bookkeeping included). */
  queue: Promise<void>;
  /** A follower sync of this channel has not ended yet. */
  syncing: boolean;
}

const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/;

function invalidOption(why: string): ManagerError {
  return new ManagerError('INVALID_OPTIONS', why);
}

function asError(error: unknown): Error {
  if (error instanceof PicopaymentsError) return error;
  return new ManagerError(
    'CHANNEL_FAILED',
    error instanceof Error ? error.message : String(error),
    error,
  );
}

/**
 * Many channels over one chain, one store and one transport factory. One follower subscribes
 * to the chain's blocks and syncs every channel (one operation at a time per channel, a
 * bounded number of channels at once), hands each channel's watches to the chain when it
 * offers `watch`, routes incoming message texts by their `channelId`, and emits typed events
 * with amounts. A failing channel is reported and retried at the next block; it never stops
 * the follower or the other channels.
 *
 * Commands (`pay`, `revokeUntil`, `close`) go through the manager so that their events are
 * emitted; the channel objects it hands out are for reading status.
 */
export class ChannelManager {
  private readonly channels = new Map<string, ManagedChannel>();
  /** Ids being opened: taken, but not yet usable. */
  private readonly opening = new Set<string>();
  private readonly listeners = new Set<(event: ManagerEvent) => void>();
  private readonly index: ChannelIndex;
  private readonly follower: BlockFollower;
  /** What the channels read the chain through (one tip read per round). */
  private readonly view: RoundChain;
  private readonly concurrency: number;
  private readonly margin: number;
  private readonly syncTimeoutMs: number;
  private readonly prefix: string;
  private readonly bumper: FeeBumper | null;
  /** The chain's minimum relay fee rate, read at most once per block. */
  private relayFloor: Promise<number> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  /** Ids listed in the index whose snapshot could not be restored (kept in the index). */
  readonly unrestored: string[] = [];

  private constructor(private readonly options: ChannelManagerOptions) {
    const concurrency = options.concurrency ?? 16;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 10_000)
      throw invalidOption('concurrency must be an integer in 1..10000');
    const margin = options.watchMargin ?? 6;
    if (!Number.isSafeInteger(margin) || margin < 0 || margin > 1_000_000)
      throw invalidOption('watchMargin must be a non-negative integer');
    const syncTimeoutMs = options.syncTimeoutMs ?? 60_000;
    if (!Number.isSafeInteger(syncTimeoutMs) || syncTimeoutMs < 1)
      throw invalidOption('syncTimeoutMs must be a positive integer');
    this.syncTimeoutMs = syncTimeoutMs;
    const namespace = options.namespace ?? 'picopayments';
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace))
      throw invalidOption('namespace must be 1..64 chars of [A-Za-z0-9_.-]');
    this.concurrency = concurrency;
    this.margin = margin;
    this.prefix = namespace;
    let bumper: FeeBumper | null = null;
    if (options.feeBumping !== false) {
      try {
        bumper = new FeeBumper(options.chain, feeBumpPolicy(options.feeBumping ?? {}));
      } catch (error) {
        throw invalidOption(error instanceof Error ? error.message : String(error));
      }
    }
    this.bumper = bumper;
    this.index = new ChannelIndex(options.store, `${namespace}:index`);
    this.view = new RoundChain(options.chain, (rawTx) => {
      if (!bumper?.bumping) return null;
      try {
        return bumper.newestVersionOf(rawTransactionId(rawTx));
      } catch {
        return null; // Not a transaction: the chain refuses it as it is.
      }
    });
    this.follower = new BlockFollower(() => this.syncRound());
  }

  /**
   * Starts a manager: restores every channel listed in the store's index, hands their watches
   * to the chain, subscribes to blocks, and (unless `syncOnStart` is false) syncs them once.
   * A channel whose snapshot cannot be restored is reported (`channel-error`, phase
   * `restore`), listed in {@link ChannelManager.unrestored} and kept in the index.
   *
   * @throws {@link ManagerError} `INVALID_OPTIONS`, `INDEX_CORRUPT`, `INDEX_STORE_FAILED`.
   */
  static async start(
    options: ChannelManagerOptions,
    listener?: (event: ManagerEvent) => void,
  ): Promise<ChannelManager> {
    const manager = new ChannelManager(options);
    if (listener) manager.onEvent(listener);
    await manager.restoreAll();
    manager.unsubscribe = options.chain.onBlock(() => manager.follower.trigger());
    if (options.syncOnStart ?? true) await manager.syncAll();
    return manager;
  }

  /** Store key of a channel's snapshot. */
  storeKeyOf(channelId: string): string {
    return `${this.prefix}:channel:${channelId}`;
  }

  /** Store key of the channel index. */
  get indexKey(): string {
    return this.index.key;
  }

  /** Subscribes to every event; returns a function that unsubscribes. */
  onEvent(listener: (event: ManagerEvent) => void): () => void {
    const subscription = (event: ManagerEvent): void => listener(event);
    this.listeners.add(subscription);
    return () => {
      this.listeners.delete(subscription);
    };
  }

  /** Subscribes to the events of one type; returns a function that unsubscribes. */
  on<T extends ManagerEventType>(
    type: T,
    listener: (event: ManagerEventOf<T>) => void,
  ): () => void {
    return this.onEvent((event) => {
      if (event.type === type) listener(event as ManagerEventOf<T>);
    });
  }

  /** Number of channels managed (finished ones included until forgotten). */
  get size(): number {
    return this.channels.size;
  }

  /** Ids of the managed channels. */
  channelIds(): string[] {
    return [...this.channels.keys()];
  }

  /** The channel with this id, for reading its status; `undefined` when unknown. */
  channel(channelId: string): AnyChannel | undefined {
    return this.channels.get(channelId)?.channel;
  }

  /** The payer channel with this id. @throws {@link ManagerError} `UNKNOWN_CHANNEL`, `WRONG_ROLE`. */
  payer(channelId: string): PayerChannel {
    return this.withRole(channelId, 'payer').channel as PayerChannel;
  }

  /** The payee channel with this id. @throws {@link ManagerError} `UNKNOWN_CHANNEL`, `WRONG_ROLE`. */
  payee(channelId: string): PayeeChannel {
    return this.withRole(channelId, 'payee').channel as PayeeChannel;
  }

  /**
   * Opens a channel as payee: records it in the index, then persists and sends the offer.
   *
   * When the offer was saved but could not be sent, the channel is kept (it is durable) and
   * the failure is emitted as `channel-error` (phase `open`); the machine does not repeat an
   * offer, so the embedder closes such a channel (giving the offer up) and may open another.
   *
   * @throws {@link ChannelConfigError} for a bad configuration; {@link ManagerError}
   *   `CHANNEL_EXISTS`, `INDEX_STORE_FAILED`, `MANAGER_STOPPED`; {@link ChannelIoError} when
   *   the offer could not be saved (nothing remains of the channel).
   */
  openPayee(config: PayeeChannelConfig): Promise<PayeeChannel> {
    return this.open(
      config,
      'payee',
      (checked) => newPayeeContext(checked),
      (checked, env) => PayeeChannel.open(checked, env),
    ) as Promise<PayeeChannel>;
  }

  /**
   * Creates a channel as payer; it funds the deposit (with `wallet` or the manager's) when the
   * payee's offer arrives. A channel's own wallet is not persisted: after a restart, restored
   * payer channels fund with the manager's wallet.
   *
   * @throws as {@link ChannelManager.openPayee}.
   */
  createPayer(config: PayerChannelConfig, wallet?: Wallet): Promise<PayerChannel> {
    return this.open(
      config,
      'payer',
      (checked) => newPayerContext(checked),
      (checked, env) => PayerChannel.create(checked, { ...env, ...this.walletOf(wallet) }),
    ) as Promise<PayerChannel>;
  }

  /**
   * Hands a message text from a counterparty to the channel its `channelId` names.
   *
   * @returns the channel's refusals (also emitted as `rejection` events).
   * @throws {@link ManagerError} `MESSAGE_MALFORMED` (not a valid message) or `UNKNOWN_CHANNEL`;
   *   in both cases nothing changes. An I/O failure of the channel is thrown as
   *   {@link ChannelIoError} after the channel fell back to its last durable state.
   */
  async receive(text: string): Promise<Rejection[]> {
    this.throwIfStopped();
    let channelId: string;
    try {
      channelId = decodeMessage(text).channelId;
    } catch (error) {
      throw new ManagerError(
        'MESSAGE_MALFORMED',
        `refused an incoming message: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
    const managed = this.channels.get(channelId);
    if (!managed)
      throw new ManagerError('UNKNOWN_CHANNEL', `no channel ${channelId} in this manager`);
    return this.run(managed, 'receive', () => managed.channel.receive(text));
  }

  /**
   * Payer: pays `amount` more satoshis on the channel.
   *
   * @throws {@link ManagerError} `UNKNOWN_CHANNEL`, `WRONG_ROLE`; {@link ChannelCommandError}.
   */
  pay(channelId: string, amount: bigint): Promise<void> {
    const managed = this.withRole(channelId, 'payer');
    return this.run(managed, 'command', () => (managed.channel as PayerChannel).pay(amount));
  }

  /**
   * Payee: gives value back down to `amount` (see {@link PayeeChannel.revokeUntil}).
   *
   * @throws {@link ManagerError} `UNKNOWN_CHANNEL`, `WRONG_ROLE`; {@link ChannelCommandError}.
   */
  revokeUntil(
    channelId: string,
    amount: bigint,
    options: { surpass?: boolean } = {},
  ): Promise<void> {
    const managed = this.withRole(channelId, 'payee');
    return this.run(managed, 'command', () =>
      (managed.channel as PayeeChannel).revokeUntil(amount, options),
    );
  }

  /**
   * Closes a channel: the payee publishes its best commit (before the channel opened: gives
   * the offer up); the payer asks the payee to close.
   *
   * @throws {@link ManagerError} `UNKNOWN_CHANNEL`; {@link ChannelCommandError}.
   */
  close(channelId: string): Promise<void> {
    const managed = this.managed(channelId);
    return this.run(managed, 'command', () => managed.channel.close());
  }

  /**
   * Drops a finished channel from the manager and the index (its snapshot stays in the store).
   *
   * @throws {@link ManagerError} `UNKNOWN_CHANNEL`, `CHANNEL_NOT_DONE`, `INDEX_STORE_FAILED`.
   */
  async forget(channelId: string): Promise<void> {
    const managed = this.managed(channelId);
    if (!managed.channel.done)
      throw new ManagerError('CHANNEL_NOT_DONE', `channel ${channelId} has not finished`);
    await this.index.remove(channelId);
    this.channels.delete(channelId);
    this.bumper?.forget(channelId);
  }

  /** Syncs every unfinished channel once now (the follower does this at every block). */
  async syncAll(): Promise<void> {
    this.follower.trigger();
    await this.follower.idle();
  }

  /** Resolves when the follower has caught up with every block it heard of. */
  idle(): Promise<void> {
    return this.follower.idle();
  }

  /** Unsubscribes from blocks and waits for the round under way; later calls are refused. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.follower.idle();
    await Promise.all([...this.channels.values()].map((m) => m.queue));
  }

  private async open<C extends PayerChannelConfig | PayeeChannelConfig>(
    config: C,
    role: ChannelRole,
    validate: (config: C) => unknown,
    create: (config: C, env: RuntimeEnvironment) => Promise<AnyChannel>,
    wallet?: Wallet,
  ): Promise<AnyChannel> {
    this.throwIfStopped();
    config = await this.withRelayFloor(config);
    // Checked before anything is recorded, so a refused configuration leaves no trace.
    validate(config);
    const { channelId } = config;
    if (this.channels.has(channelId) || this.opening.has(channelId))
      throw new ManagerError('CHANNEL_EXISTS', `channel ${channelId} already exists`);
    this.opening.add(channelId);
    const entry: IndexEntry = { channelId, role, since: config.height };
    try {
      // Listed before the offer goes out: a channel whose messages left is never unlisted.
      try {
        await this.index.add(entry);
      } catch (error) {
        this.index.discard(channelId);
        throw error;
      }
      const env = this.environment(channelId, role);
      let channel: AnyChannel;
      try {
        channel = await create(config, env);
      } catch (error) {
        if (error instanceof ChannelIoError && error.recorded) {
          // The offer was saved before the failure: the channel exists and re-sends it.
          channel = await this.restoreChannel(entry, wallet);
          const managed = this.register(entry, channel);
          this.emit({ channelId, role, type: 'channel-error', phase: 'open', error });
          await this.run(managed, 'watch', async () => undefined).catch(() => undefined);
          return channel;
        }
        await this.index.remove(channelId).catch(() => undefined);
        throw error;
      }
      const managed = this.register(entry, channel);
      await this.run(managed, 'watch', async () => undefined);
      return channel;
    } finally {
      this.opening.delete(channelId);
    }
  }

  /**
   * The configuration with the chain's minimum relay fee rate as its `relayFeeFloor` when it
   * names none and the chain reports its policy, so that fee rates the node would not relay
   * are refused up front.
   *
   * @throws {@link ManagerError} `RELAY_POLICY_FAILED` when the chain cannot say.
   */
  private async withRelayFloor<C extends PayerChannelConfig | PayeeChannelConfig>(
    config: C,
  ): Promise<C> {
    const { chain } = this.options;
    if (config.relayFeeFloor !== undefined || !chain.relayPolicy) return config;
    // One read per block, shared by the opens that wait for it (a node has one policy).
    this.relayFloor ??= chain.relayPolicy().then((policy) => policy.minRelayFeeRate);
    const reading = this.relayFloor;
    try {
      return { ...config, relayFeeFloor: await reading };
    } catch (error) {
      if (this.relayFloor === reading) this.relayFloor = null;
      throw new ManagerError(
        'RELAY_POLICY_FAILED',
        'reading the relay policy from the chain failed',
        error,
      );
    }
  }

  private environment(channelId: string, role: ChannelRole): RuntimeEnvironment {
    const { store, transport } = this.options;
    return {
      chain: this.view,
      store,
      storeKey: this.storeKeyOf(channelId),
      transport: transport(channelId, role),
      onEffect: (effect) => this.observeEffect(channelId, effect),
      ...(this.options.assets ? { assets: this.options.assets } : {}),
    };
  }

  /** Effects carry what state alone does not: why a channel ended on an error. */
  private observeEffect(channelId: string, effect: Effect): void {
    if (effect.type !== 'finished') return;
    const managed = this.channels.get(channelId);
    if (managed) managed.observer.failure = effect.failure;
  }

  private walletOf(wallet: Wallet | undefined): { wallet?: Wallet } {
    const chosen = wallet ?? this.options.wallet;
    return chosen ? { wallet: chosen } : {};
  }

  private register(entry: IndexEntry, channel: AnyChannel): ManagedChannel {
    const managed: ManagedChannel = {
      entry,
      channel,
      observer: new ChannelObserver(channel),
      handed: new Set(),
      queue: Promise.resolve(),
      syncing: false,
    };
    this.channels.set(entry.channelId, managed);
    return managed;
  }

  /**
   * Restores one channel from its snapshot.
   *
   * @throws {@link ManagerError} `RESTORE_FAILED` when the store holds none; `SnapshotError`.
   */
  private async restoreChannel(entry: IndexEntry, wallet?: Wallet): Promise<AnyChannel> {
    const snapshot = await this.options.store.load(this.storeKeyOf(entry.channelId));
    if (snapshot === null)
      throw new ManagerError('RESTORE_FAILED', `no snapshot of channel ${entry.channelId}`);
    const env = this.environment(entry.channelId, entry.role);
    const channel =
      entry.role === 'payee'
        ? await PayeeChannel.restore(snapshot, env)
        : await PayerChannel.restore(snapshot, { ...env, ...this.walletOf(wallet) });
    return channel;
  }

  private async restoreAll(): Promise<void> {
    const entries = await this.index.load();
    const missing: string[] = [];
    for (const entry of entries) {
      let snapshot: string | null;
      try {
        snapshot = await this.options.store.load(this.storeKeyOf(entry.channelId));
      } catch (error) {
        this.failRestore(
          entry,
          new ManagerError('RESTORE_FAILED', 'loading the snapshot failed', error),
        );
        continue;
      }
      // Listed but never saved: the channel's first step did not complete, nothing was sent.
      if (snapshot === null) {
        missing.push(entry.channelId);
        continue;
      }
      try {
        this.register(entry, await this.restoreChannel(entry));
      } catch (error) {
        this.failRestore(entry, asError(error));
      }
    }
    if (missing.length > 0) await this.index.remove(...missing);
    await this.handAllWatches();
  }

  private failRestore(entry: IndexEntry, error: Error): void {
    this.unrestored.push(entry.channelId);
    this.emit({
      channelId: entry.channelId,
      role: entry.role,
      type: 'channel-error',
      phase: 'restore',
      error,
    });
  }

  /** At start: every restored channel's watches in one request, so the chain rescans once. */
  private async handAllWatches(): Promise<void> {
    const { chain } = this.options;
    if (!chain.watch) return;
    const all = [...this.channels.values()];
    const pending = all.map((m) => this.pendingOf(m));
    const merged = mergeWatches(pending.filter((p) => p !== null));
    if (!merged) return;
    try {
      await chain.watch(merged.request);
      for (const [i, m] of all.entries())
        for (const key of pending[i]?.keys ?? []) m.handed.add(key);
    } catch (error) {
      // Each channel retries on its own after its next step.
      for (const m of all) {
        this.emit({
          channelId: m.entry.channelId,
          role: m.entry.role,
          type: 'channel-error',
          phase: 'watch',
          error: new ManagerError('WATCH_FAILED', 'handing the watches to the chain failed', error),
        });
      }
    }
  }

  private pendingOf(managed: ManagedChannel) {
    const context = managed.channel.context;
    return pendingWatches(context.watches, managed.handed, {
      since: managed.entry.since,
      height: context.height,
      depositConfirmed: context.deposit?.confirmedHeight != null,
      margin: this.margin,
    });
  }

  /**
   * Runs one operation on a channel after the ones before it, then emits what changed and
   * hands new watches to the chain. Failures are emitted as `channel-error` and rethrown.
   */
  private run<T>(
    managed: ManagedChannel,
    phase: ChannelErrorPhase,
    operation: () => Promise<T>,
  ): Promise<T> {
    const result = managed.queue.then(async () => {
      let failure: unknown = null;
      let value: T | undefined;
      try {
        value = await operation();
      } catch (error) {
        failure = error;
      }
      this.report(managed);
      await this.handWatches(managed);
      if (failure !== null) {
        // Refused commands are answers to the caller, not channel failures.
        if (!(failure instanceof PicopaymentsError && phase === 'command' && !isIoOrFault(failure)))
          this.emit({
            channelId: managed.entry.channelId,
            role: managed.entry.role,
            type: 'channel-error',
            phase,
            error: asError(failure),
          });
        throw failure;
      }
      return value as T;
    });
    managed.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private report(managed: ManagedChannel): void {
    for (const event of managed.observer.changes()) this.emit(event);
  }

  private async handWatches(managed: ManagedChannel): Promise<void> {
    const { chain } = this.options;
    if (!chain.watch) return;
    const pending = this.pendingOf(managed);
    if (!pending) return;
    try {
      await chain.watch(pending.request);
      for (const key of pending.keys) managed.handed.add(key);
    } catch (error) {
      this.emit({
        channelId: managed.entry.channelId,
        role: managed.entry.role,
        type: 'channel-error',
        phase: 'watch',
        error: new ManagerError('WATCH_FAILED', 'handing the watches to the chain failed', error),
      });
    }
  }

  /** One follower round: every unfinished channel syncs once; failures are only reported. */
  private async syncRound(): Promise<void> {
    this.relayFloor = null;
    const live = [...this.channels.values()].filter((m) => !m.channel.done);
    // A failed tip read is no reason to skip the round: each channel then reads it itself.
    await this.view.beginRound().catch(() => undefined);
    try {
      await forEachBounded(live, this.concurrency, (managed) => this.syncOne(managed));
      if (this.bumper) {
        const height = await this.view.getHeight();
        // Only channels with a spend awaiting confirmation: cheap to tell from the context.
        const bumpable = live.filter(
          (m) => !m.channel.done && !m.syncing && pendingSpends(m.channel.context).length > 0,
        );
        await forEachBounded(bumpable, this.concurrency, (managed) =>
          this.bumpFees(managed, height),
        );
      }
    } finally {
      this.view.endRound();
    }
  }

  /** Bumps the fees of one channel's late spends; never rejects (failures are emitted). */
  private async bumpFees(managed: ManagedChannel, height: number): Promise<void> {
    const bumper = this.bumper!;
    const { channelId, role } = managed.entry;
    await this.run(managed, 'fee-bump', async () => {
      for (const report of await bumper.bump(channelId, managed.channel.context, height)) {
        if (report.refusal)
          this.emit({
            channelId,
            role,
            type: 'broadcast-refused',
            label: report.label,
            txid: report.txid,
            code: report.refusal.code,
          });
        else
          this.emit({
            channelId,
            role,
            type: 'fee-bumped',
            label: report.label,
            replaced: report.replaced,
            txid: report.txid,
            feeRate: report.feeRate,
            fee: report.fee,
            height,
          });
      }
    }).catch(() => undefined);
  }

  /** Syncs one channel for the follower; never rejects, and waits at most `syncTimeoutMs`. */
  private async syncOne(managed: ManagedChannel): Promise<void> {
    if (managed.syncing) return;
    managed.syncing = true;
    const sync = this.run(managed, 'sync', () => managed.channel.sync())
      .catch(() => undefined)
      .finally(() => {
        managed.syncing = false;
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.syncTimeoutMs);
    });
    const outcome = await Promise.race([sync, late]);
    clearTimeout(timer);
    if (outcome === 'late')
      this.emit({
        channelId: managed.entry.channelId,
        role: managed.entry.role,
        type: 'channel-error',
        phase: 'sync',
        error: new ManagerError(
          'SYNC_TIMEOUT',
          `channel ${managed.entry.channelId} did not sync within ${this.syncTimeoutMs} ms`,
        ),
      });
  }

  private emit(event: ManagerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener must not stop the follower or the channel being carried out.
        (this.options.onListenerError ?? console.error)(error);
      }
    }
  }

  private managed(channelId: string): ManagedChannel {
    this.throwIfStopped();
    const managed = this.channels.get(channelId);
    if (!managed)
      throw new ManagerError('UNKNOWN_CHANNEL', `no channel ${channelId} in this manager`);
    return managed;
  }

  private withRole(channelId: string, role: ChannelRole): ManagedChannel {
    const managed = this.managed(channelId);
    if (managed.entry.role !== role)
      throw new ManagerError(
        'WRONG_ROLE',
        `channel ${channelId} is a ${managed.entry.role} channel`,
      );
    return managed;
  }

  private throwIfStopped(): void {
    if (this.stopped) throw new ManagerError('MANAGER_STOPPED', 'the manager was stopped');
  }
}

function isIoOrFault(error: PicopaymentsError): boolean {
  return error instanceof ChannelIoError || error.code === 'MACHINE_FAULT';
}
