import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import { ChannelManager } from '../manager/channel-manager.js';
import type { Store } from '../runtime/store.js';
import type { PayerContext } from '../machines/context.js';
import type { AssetView } from '../runtime/asset-view.js';
import type { Wallet } from '../runtime/wallet.js';
import { assetId } from '../counterparty/assets.js';
import { p2wpkhOutputScript } from '../scripts/key-output-scripts.js';
import { publicKeyOf } from '../transactions/keys.js';
import { deferringChain } from './deferring-chain.js';
import { HubError } from './errors.js';
import { JournalStore } from './journal-store.js';
import { Outbox } from './outbox.js';
import { requestDigest, responseDigest, signHex, verifyHex } from './signing.js';
import { StoredWallet } from './stored-wallet.js';
import { Supervisor } from './supervisor.js';

/** The hub's terms for one asset. */
export interface HubTerms {
  readonly depositMin: bigint;
  readonly depositMax: bigint;
  /** Hub deposit = client deposit * ratio / 100. */
  readonly depositRatioPercent: number;
  readonly expireMin: number;
  readonly expireMax: number;
  readonly delayMin: number;
  readonly delayMax: number;
  /** Charged on each payment routed, satoshis (asset units for an asset), kept by the hub. */
  readonly paymentFee: bigint;
  /**
   * Largest total the hub may lock in hub->client deposits of this asset (for BTC, the hub's
   * `liquidity` option also applies). No bound when absent.
   */
  readonly liquidity?: bigint;
}

/** Options of {@link Hub.start}. */
export interface HubOptions {
  readonly chain: Chain;
  readonly store: Store;
  /**
   * Funds hub->client deposits. When absent the hub keeps its own {@link StoredWallet} on the
   * identity key, saved in `store` with the channels it funds (see {@link Hub.wallet}).
   */
  readonly wallet?: Wallet;
  /** The hub identity key; channel keys are derived from it. */
  readonly privateKey: Uint8Array;
  readonly network: 'regtest' | 'testnet' | 'mainnet';
  /** Terms of BTC channels ({@link DEFAULT_TERMS} unless given). */
  readonly terms?: HubTerms;
  /**
   * Terms of each Counterparty asset the hub serves, by asset name: its connections' channels
   * carry that asset, and the hub funds their hub->client deposits with the asset its wallet
   * holds. Needs `assets`.
   */
  readonly assetTerms?: Readonly<Record<string, HubTerms>>;
  /** The Counterparty ledger and channel addresses, for the channels of `assetTerms`. */
  readonly assets?: AssetView;
  /** Largest total the hub may lock in hub->client deposits. */
  readonly liquidity?: bigint;
  readonly feeRate?: number;
  /** Structured log sink. */
  readonly log?: (event: Record<string, unknown>) => void;
  /** Interval of the chain job (sync every channel: publish before clearance, payouts, revokes), ms. */
  readonly chainJobMs?: number;
  /**
   * The store is shared with other hub processes (PostgreSQL): every request and the chain job
   * run under the hub's lock in the store (`lockChannel`), after reading again what another
   * process changed; channels follow blocks only through the chain job. Correct but slow: a
   * request that follows another process's write reloads the whole state (channel manager
   * included), and the lock serialises every process.
   */
  readonly shared?: boolean;
  /** How long a request waits for the shared lock, ms (default 30 s). */
  readonly lockWaitMs?: number;
}

/** Default terms of the `BTC` asset. */
export const DEFAULT_TERMS: HubTerms = {
  depositMin: 50_000n,
  depositMax: 10_000_000n,
  depositRatioPercent: 100,
  expireMin: 20,
  expireMax: 1000,
  delayMin: 2,
  delayMax: 144,
  paymentFee: 0n,
};

interface QueuedPayment {
  token: string;
  from: string;
  amount: string;
  memo?: string;
}

interface StoredAnswer {
  method: string;
  result: unknown;
  signature: string;
}

/** One connection and everything about it, saved under its own key. */
interface Connection {
  handle: string;
  /** The Counterparty asset of both channels; absent for BTC (and in records made before assets). */
  asset?: string;
  clientPublicKey: string;
  payoutScript: string;
  c2h: string;
  h2c: string;
  hubDeposit: string;
  /** Satoshis of the client's c2h total already spent on payments. */
  spent: string;
  /** Satoshis owed to the client, delivered so far (h2c total target). */
  owed: string;
  /** Highest nonce accepted. */
  nonce: number;
  closed: boolean;
  /** How the hub->client channel was created, to create it again if it never took a step. */
  h2cTerms?: { expire: number; delay: number; height: number; feeRate: number };
  /** Payments to this connection, queued for its next sync. */
  inbox: QueuedPayment[];
  /** Tokens of payments from this connection that may still be queued, with their payee. */
  outgoing: Record<string, string>;
  /** Stored answers per nonce, so that a retried request gets the same response. */
  answers: Record<number, StoredAnswer>;
}

/** What is shared by every connection. */
interface HubMeta {
  /** Satoshis locked in hub->client deposits. */
  locked: string;
  /** Units of each asset locked in hub->client deposits. */
  lockedAssets?: Record<string, string>;
  handles: string[];
}

/** A request's authentication block. */
export interface RequestAuth {
  readonly nonce: number;
  readonly expiry: number;
  readonly signature: string;
}

/** What a store shared by processes offers: a lock held across them. */
interface Lockable {
  lockChannel(key: string, options?: { waitMs?: number }): Promise<{ release(): Promise<void> }>;
}

const META_KEY = 'hub:meta';
const connectionKey = (handle: string) => `hub:conn:${handle}`;
const LOCK_KEY = 'hub:lock';
/**
 * Stored answers per connection: the latest. A client sends one request at a time per
 * connection, the next only once the last is answered (or given up), and retries only that
 * one, so the latest answer covers every retry anyone waits for; a late copy of an older
 * request is refused as a replay. The answers are saved with the connection at each of its
 * requests and whenever it is paid, and they were most of its bytes (four of them were 88 %).
 */
const ANSWERS_KEPT = 1;

/**
 * The payment hub's logic: connections of two one-way channels each, routed payments queued
 * for the payee's next sync, authentication of every request. All I/O is its chain, store and
 * wallet; the HTTP server is a thin layer over {@link Hub.call}.
 *
 * Each request is one transaction of the hub's {@link JournalStore}: the channel snapshots, the
 * connections it touched, the outbox, the wallet's coins and the stored answer are saved as one
 * journal entry, and transactions published meanwhile leave only after it is durable. A crash
 * anywhere in a request applies all of it or none; a retry (same nonce) gets the stored answer.
 */
export class Hub {
  private meta: HubMeta = { locked: '0', handles: [] };
  private connections = new Map<string, Connection>();
  /** Connections (and the meta record, under '') as they were before the request's changes. */
  private undo: Map<string, string | null> | null = null;
  /**
   * Each connection's text as last saved or loaded: what it holds between requests, so that a
   * request's undo record needs no serialisation of its own.
   */
  private savedText = new Map<string, string>();
  readonly outbox: Outbox;
  manager!: ChannelManager;
  /** The hub's public key (hex); also its id. */
  readonly id: string;
  /** The hub's own wallet, when it keeps one (no `wallet` option): fund it with `addCoin`. */
  wallet: StoredWallet | null = null;
  private readonly terms: HubTerms;
  private queue: Promise<unknown> = Promise.resolve();
  /** Background jobs, their failures visible in health and metrics. */
  readonly supervisor: Supervisor;
  /** Payments routed (delivered to their payee) since start. */
  private routed = 0;
  private readonly chain: Chain;

  private constructor(
    private readonly options: HubOptions,
    private readonly journal: JournalStore,
  ) {
    this.id = bytesToHex(publicKeyOf(options.privateKey));
    this.terms = options.terms ?? DEFAULT_TERMS;
    this.supervisor = new Supervisor(options.log);
    this.outbox = new Outbox(journal);
    this.chain = deferringChain(options.chain, journal, !options.shared);
  }

  /**
   * Repairs an interrupted request, loads the hub's state and starts its channel manager
   * (which follows the chain).
   *
   * @throws {@link HubError} `INTERNAL` when `shared` is asked of a store without a lock, or a
   *   saved record is not readable.
   */
  static async start(options: HubOptions): Promise<Hub> {
    if (options.shared && !isLockable(options.store))
      throw new HubError('INTERNAL', 'a shared hub needs a store with lockChannel');
    checkAssetTerms(options);
    const journal = await JournalStore.open(options.store, 'hub:journal', options.shared);
    const hub = new Hub(options, journal);
    // A refused or failed deferred broadcast is retried by the channel machines at later blocks;
    // it is logged so that an operator sees a chain that keeps refusing.
    await journal.attachBroadcaster((raw) =>
      options.chain.broadcast(raw).catch((error: unknown) => {
        options.log?.({
          event: 'broadcast-failed',
          code: (error as { code?: unknown }).code ?? 'UNKNOWN',
          message: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }),
    );
    await hub.exclusive(async () => {
      await hub.loadState();
      if (!options.wallet)
        hub.wallet = await StoredWallet.open(
          hub.chain,
          options.privateKey,
          journal,
          'hub:wallet',
          options.network,
        );
      hub.manager = await hub.startManager(!options.shared);
    });
    const job = () => hub.manager.syncAll();
    let synced = -1;
    // Shared: a round only for a new tip (the lock is taken by every process in turn).
    const sharedJob = async () => {
      const height = await options.chain.getHeight();
      if (height === synced) return;
      await hub.serial(() => hub.exclusive(() => hub.inTransaction(job)));
      synced = height;
    };
    hub.supervisor.add('chain', options.shared ? sharedJob : job, {
      intervalMs: options.chainJobMs ?? 5000,
    });
    return hub;
  }

  /** Stops the channel manager. */
  async stop(): Promise<void> {
    this.supervisor.stop();
    await this.queue.catch(() => undefined);
    await this.manager.stop();
    await this.journal.settled().catch(() => undefined);
  }

  private async startManager(syncOnStart: boolean): Promise<ChannelManager> {
    const manager = await ChannelManager.start({
      chain: this.chain,
      store: this.journal,
      transport: this.outbox.transport,
      ...(this.options.wallet || this.wallet
        ? { wallet: (this.options.wallet ?? this.wallet) as Wallet }
        : {}),
      namespace: 'hub',
      syncOnStart,
      ...(this.options.assets ? { assets: this.options.assets } : {}),
    });
    // Channel failures are reported as events by the manager; they count against the chain job.
    manager.on('channel-error', (e) => this.supervisor.recordFailure('chain', e.error));
    // A payer channel that never took a step has no snapshot and is dropped by a restart:
    // created again, the same (its key derives from its id), it waits for the client's offer.
    for (const c of this.connections.values())
      if (c.h2cTerms && BigInt(c.hubDeposit) > 0n && !manager.channel(c.h2c))
        await this.createHubPayer(manager, c.h2c, BigInt(c.hubDeposit), c.h2cTerms, c.asset);
    return manager;
  }

  private createHubPayer(
    manager: ChannelManager,
    h2c: string,
    deposit: bigint,
    t: NonNullable<Connection['h2cTerms']>,
    asset: string | undefined,
  ): Promise<unknown> {
    return manager.createPayer({
      channelId: h2c,
      network: this.options.network,
      depositAmount: deposit,
      ...(asset ? { asset: { asset } } : {}),
      feeRate: t.feeRate,
      expireTime: t.expire,
      delayTime: t.delay,
      privateKey: this.channelKey(h2c),
      destinationScript: this.hubScript,
      height: t.height,
    });
  }

  private async loadState(): Promise<void> {
    const meta = await this.journal.load(META_KEY);
    this.meta = meta ? (parseRecord(meta) as HubMeta) : { locked: '0', handles: [] };
    this.connections = new Map();
    this.savedText = new Map();
    for (const handle of this.meta.handles) {
      const text = await this.journal.load(connectionKey(handle));
      if (text) {
        this.connections.set(handle, parseRecord(text) as Connection);
        this.savedText.set(handle, text);
      }
    }
    await this.outbox.reload();
  }

  /** In a shared store: takes the hub's lock and reads again what another process changed. */
  private async exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (!this.options.shared) return task();
    const lease = await (this.options.store as unknown as Lockable).lockChannel(LOCK_KEY, {
      waitMs: this.options.lockWaitMs ?? 30_000,
    });
    try {
      if ((await this.journal.refresh()) && this.manager) {
        await this.loadState();
        await this.wallet?.reload();
        await this.manager.stop();
        this.manager = await this.startManager(false);
      }
      return await task();
    } finally {
      // Every write must reach its key before another process may read it (after a failed
      // request too: its channel writes are kept).
      await this.journal.settled().catch(() => undefined);
      await lease.release();
    }
  }

  /** One at a time in this process. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `task` as one journal transaction: what it saved is durable, together, on return. */
  private async inTransaction<T>(task: () => Promise<T>): Promise<T> {
    return (await this.transact(task)).answer;
  }

  /**
   * Runs `task` as one journal transaction and resolves as soon as `task` is done (the next
   * request may run), with its answer: settled once the journal entry holding the transaction
   * is durable (group commit: entries stay in order, so every earlier transaction is durable
   * too). A failed task's changes to connections are undone; the channels' writes stay, being
   * what the channels now hold in memory.
   */
  private async transact<T>(task: () => Promise<T>): Promise<{ answer: Promise<T> }> {
    this.journal.begin();
    this.undo = new Map();
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await task() };
    } catch (error) {
      this.rollback();
      outcome = { ok: false, error };
    } finally {
      this.undo = null;
    }
    const answer = this.journal.end().then(() => {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    });
    return { answer };
  }

  /** Marks a connection (or, with '', the meta record) as changed by the current request. */
  private touch(handle: string): void {
    if (!this.undo || this.undo.has(handle)) return;
    if (handle === '') this.undo.set('', JSON.stringify(this.meta));
    else {
      const c = this.connections.get(handle);
      this.undo.set(handle, c ? (this.savedText.get(handle) ?? JSON.stringify(c)) : null);
    }
  }

  /** Saves every record the request changed (held by the open transaction). */
  private async saveTouched(): Promise<void> {
    if (!this.undo) return;
    for (const handle of this.undo.keys()) {
      if (handle === '') await this.journal.save(META_KEY, JSON.stringify(this.meta));
      else {
        const c = this.connections.get(handle);
        if (!c) continue;
        const text = JSON.stringify(c);
        this.savedText.set(handle, text);
        await this.journal.save(connectionKey(handle), text);
      }
    }
  }

  private rollback(): void {
    if (!this.undo) return;
    for (const [handle, before] of this.undo) {
      if (handle === '') this.meta = JSON.parse(before!) as HubMeta;
      else if (before === null) {
        this.connections.delete(handle);
        this.savedText.delete(handle);
      } else {
        this.connections.set(handle, JSON.parse(before) as Connection);
        this.savedText.set(handle, before);
      }
    }
  }

  /** The client key (hex) of an open connection, or undefined: authenticates event subscriptions. */
  clientKeyOf(handle: string): string | undefined {
    const c = this.connections.get(handle);
    return c && !c.closed ? c.clientPublicKey : undefined;
  }

  private channelKey(channelId: string): Uint8Array {
    return sha256(concatBytes(this.options.privateKey, utf8ToBytes(channelId)));
  }

  private get hubScript(): Uint8Array {
    return p2wpkhOutputScript(publicKeyOf(this.options.privateKey));
  }

  /** Health: every job's state; healthy when no job is failing now. */
  health(): { healthy: boolean; jobs: ReturnType<Supervisor['health']> } {
    const jobs = this.supervisor.health();
    return { healthy: jobs.every((j) => j.healthy), jobs };
  }

  /** Prometheus text: payments routed, liquidity, channels by state, job failures. */
  metrics(): string {
    const lines = [
      '# TYPE picopayments_hub_payments_routed_total counter',
      `picopayments_hub_payments_routed_total ${this.routed}`,
      '# TYPE picopayments_hub_liquidity_locked_sats gauge',
      `picopayments_hub_liquidity_locked_sats ${this.meta.locked}`,
      '# TYPE picopayments_hub_liquidity_locked gauge',
      ...Object.keys(this.options.assetTerms ?? {}).map(
        (asset) => `picopayments_hub_liquidity_locked{asset="${asset}"} ${this.lockedOf(asset)}`,
      ),
      '# TYPE picopayments_hub_channels gauge',
    ];
    const byState = new Map<string, number>();
    for (const id of this.manager.channelIds()) {
      const state = this.manager.channel(id)?.status().state.split('.')[0] ?? 'unknown';
      byState.set(state, (byState.get(state) ?? 0) + 1);
    }
    for (const [state, n] of byState)
      lines.push(`picopayments_hub_channels{state="${state}"} ${n}`);
    lines.push('# TYPE picopayments_hub_job_failures_total counter');
    for (const j of this.supervisor.health())
      lines.push(`picopayments_hub_job_failures_total{job="${j.name}"} ${j.failures}`);
    return `${lines.join('\n')}\n`;
  }

  /**
   * Adds a coin to the hub's own wallet (once; a known outpoint is ignored), as one transaction
   * under the hub's lock.
   *
   * @throws {@link HubError} `INTERNAL` when the hub was given an outside wallet.
   */
  fundWallet(outpoint: { txid: string; vout: number }, value: bigint): Promise<void> {
    const wallet = this.wallet;
    if (!wallet) return Promise.reject(new HubError('INTERNAL', 'the hub uses an outside wallet'));
    return this.serial(() =>
      this.exclusive(() => this.inTransaction(() => wallet.addCoin(outpoint, value))),
    );
  }

  /** Satoshis locked in hub->client deposits (counted when a connection is made). */
  get locked(): bigint {
    return BigInt(this.meta.locked);
  }

  /**
   * The terms of `asset`.
   *
   * @throws {@link HubError} `TERMS_VIOLATED` for an asset the hub does not serve.
   */
  private termsOf(asset: string): HubTerms {
    if (asset === 'BTC') return this.terms;
    const terms = Object.hasOwn(this.options.assetTerms ?? {}, asset)
      ? this.options.assetTerms![asset]
      : undefined;
    if (!terms) throw new HubError('TERMS_VIOLATED', `${asset} is not served`);
    return terms;
  }

  /** What the hub has locked in hub->client deposits of `asset` (BTC when undefined). */
  private lockedOf(asset: string | undefined): bigint {
    return BigInt(asset ? (this.meta.lockedAssets?.[asset] ?? '0') : this.meta.locked);
  }

  private setLocked(asset: string | undefined, value: bigint): void {
    if (!asset) this.meta.locked = value.toString();
    else this.meta.lockedAssets = { ...this.meta.lockedAssets, [asset]: value.toString() };
  }

  /**
   * The hub's own wallet can fund a hub->client deposit of `quantity` (satoshis, or units of
   * `asset`: the asset at the wallet's address, with BTC for the channel's fees).
   *
   * @throws {@link HubError} `NO_LIQUIDITY` when it cannot.
   */
  private async checkWalletCovers(quantity: bigint, asset: string | undefined): Promise<void> {
    const wallet = this.wallet;
    if (!wallet) return;
    const btc = wallet.balance();
    if (!asset) {
      if (btc < quantity + feeReserve)
        throw new HubError('NO_LIQUIDITY', 'the hub wallet cannot fund this connection');
      return;
    }
    const held = await this.options.assets!.balance(wallet.outputScript, asset);
    // Deposits promised and not funded yet still sit at the wallet's address.
    let promised = 0n;
    for (const c of this.connections.values()) {
      if (c.asset !== asset || c.closed) continue;
      const h2c = this.manager.channel(c.h2c)?.runtime.context as PayerContext | undefined;
      if (h2c && h2c.deposit === null) promised += BigInt(c.hubDeposit);
    }
    if (held - promised < quantity || btc < assetChannelBtc)
      throw new HubError('NO_LIQUIDITY', `the hub wallet cannot fund this ${asset} connection`);
  }

  /** Public status: identity, height, terms; never any connection or balance. */
  async status(): Promise<Record<string, unknown>> {
    return {
      hubId: this.id,
      hubPublicKey: this.id,
      network: this.options.network,
      height: await this.options.chain.getHeight(),
      terms: Object.fromEntries(
        [['BTC', this.terms] as const, ...Object.entries(this.options.assetTerms ?? {})].map(
          ([asset, t]) => [asset, termsJson(t)],
        ),
      ),
      methods: ['hub_status', 'hub_connect', 'hub_pay', 'hub_cancel', 'hub_sync', 'hub_close'],
    };
  }

  /**
   * Runs one JSON-RPC method, one at a time, each as one store transaction (see {@link Hub}).
   * Without `shared`, the next request starts while this one's journal entry is being written
   * (group commit); every answer is released only once the entry holding it is durable.
   * `auth` is required for every method but status.
   */
  call(
    method: string,
    params: unknown,
    auth?: RequestAuth,
  ): Promise<{ result: unknown; signature: string }> {
    if (method === 'hub_status')
      return Promise.resolve()
        .then(() => asObject(params))
        .then(() => this.status())
        .then((result) => ({
          result,
          signature: signHex(responseDigest(this.id, method, '', result), this.options.privateKey),
        }));
    if (this.options.shared)
      return this.serial(() =>
        this.exclusive(() => this.inTransaction(() => this.dispatch(method, params, auth))),
      );
    // Group commit: the next request runs while this one's journal entry is written.
    return this.serial(() => this.transact(() => this.dispatch(method, params, auth))).then(
      (t) => t.answer,
    );
  }

  private async dispatch(
    method: string,
    params: unknown,
    auth?: RequestAuth,
  ): Promise<{ result: unknown; signature: string }> {
    const p = asObject(params);
    if (method === 'hub_connect') return this.authenticatedConnect(method, params, p, auth);
    const methods: Record<string, (c: Connection, p: Record<string, unknown>) => Promise<unknown>> =
      {
        hub_pay: (c, q) => this.pay(c, q),
        hub_cancel: (c, q) => this.cancel(c, q),
        hub_sync: (c, q) => this.sync(c, q),
        hub_close: (c, q) => this.close(c, q),
      };
    const handler = methods[method];
    if (!handler) throw new HubError('METHOD_NOT_FOUND', `no method ${method}`);
    const connection = this.connections.get(str(p, 'handle'));
    if (!connection) throw new HubError('UNKNOWN_CONNECTION', 'no such connection');
    if (!auth) throw new HubError('BAD_SIGNATURE', 'the request is not signed');
    const { nonce, expiry, signature } = auth;
    if (
      !Number.isSafeInteger(nonce) ||
      nonce < 1 ||
      !Number.isSafeInteger(expiry) ||
      typeof signature !== 'string'
    )
      throw new HubError('INVALID_PARAMS', 'auth needs integer nonce and expiry and a signature');
    const digest = requestDigest(this.id, method, params, nonce, expiry);
    if (!verifyHex(digest, signature, hexToBytes(connection.clientPublicKey)))
      throw new HubError('BAD_SIGNATURE', 'the request signature does not verify');
    const stored = connection.answers[nonce];
    if (stored) return this.replay(stored, method, signature);
    if (nonce <= connection.nonce) throw new HubError('REPLAYED', 'this nonce was used');
    if (expiry < Date.now() / 1000) throw new HubError('EXPIRED', 'the request expired');
    this.touch(connection.handle);
    const result = await handler(connection, p);
    connection.nonce = nonce;
    this.remember(connection, nonce, { method, result, signature });
    await this.saveTouched();
    return { result, signature: this.sign(method, signature, result) };
  }

  /** A retry of an answered request gets the same answer; anything else with its nonce is a replay. */
  private replay(
    stored: StoredAnswer,
    method: string,
    signature: string,
  ): { result: unknown; signature: string } {
    if (stored.method === method && stored.signature === signature)
      return { result: stored.result, signature: this.sign(method, signature, stored.result) };
    throw new HubError('REPLAYED', 'this nonce was used');
  }

  private remember(c: Connection, nonce: number, answer: StoredAnswer): void {
    c.answers[nonce] = answer;
    for (const n of Object.keys(c.answers)
      .map(Number)
      .sort((a, b) => a - b)
      .slice(0, -ANSWERS_KEPT))
      delete c.answers[n];
  }

  private async authenticatedConnect(
    method: string,
    params: unknown,
    p: Record<string, unknown>,
    auth?: RequestAuth,
  ): Promise<{ result: unknown; signature: string }> {
    // Signed by the new connection's key, so the answer is bound to this very request.
    if (
      !auth ||
      typeof auth.signature !== 'string' ||
      !Number.isSafeInteger(auth.nonce) ||
      !Number.isSafeInteger(auth.expiry)
    )
      throw new HubError('BAD_SIGNATURE', 'the request is not signed');
    let key: Uint8Array;
    try {
      key = hexToBytes(str(p, 'clientPublicKey'));
    } catch {
      throw new HubError('INVALID_PARAMS', 'clientPublicKey is hex');
    }
    if (
      !verifyHex(
        requestDigest(this.id, method, params, auth.nonce, auth.expiry),
        auth.signature,
        key,
      )
    )
      throw new HubError('BAD_SIGNATURE', 'the request signature does not verify');
    // A key connects once: a retry gets the stored answer, a replay or a second connect is refused.
    const clientPublicKey = str(p, 'clientPublicKey');
    for (const c of this.connections.values())
      if (c.clientPublicKey === clientPublicKey) {
        const stored = c.answers[auth.nonce];
        if (stored) return this.replay(stored, method, auth.signature);
        throw new HubError('REPLAYED', 'this key is connected already');
      }
    if (auth.expiry < Date.now() / 1000) throw new HubError('EXPIRED', 'the request expired');
    const { connection, result } = await this.connect(p, auth.nonce);
    this.remember(connection, auth.nonce, { method, result, signature: auth.signature });
    await this.saveTouched();
    return { result, signature: this.sign(method, auth.signature, result) };
  }

  private sign(method: string, requestSignature: string, result: unknown): string {
    return signHex(
      responseDigest(this.id, method, requestSignature, result),
      this.options.privateKey,
    );
  }

  private async connect(
    p: Record<string, unknown>,
    nonce: number,
  ): Promise<{ connection: Connection; result: unknown }> {
    const asset = str(p, 'asset');
    const t = this.termsOf(asset);
    // Asset channels count asset units: their fees are BTC carried beside the deposit.
    const channelAsset = asset === 'BTC' ? undefined : asset;
    const quantity = amount(p, 'quantity');
    const clientPublicKey = str(p, 'clientPublicKey');
    const payoutScript = str(p, 'payoutScript');
    const expire = num(p, 'expireBlocks');
    const delay = num(p, 'delayBlocks');
    if (quantity < t.depositMin || quantity > t.depositMax)
      throw new HubError('TERMS_VIOLATED', 'deposit outside the terms');
    if (expire < t.expireMin || expire > t.expireMax || delay < t.delayMin || delay > t.delayMax)
      throw new HubError('TERMS_VIOLATED', 'expiry or delay outside the terms');
    let publicKey: Uint8Array;
    try {
      publicKey = hexToBytes(clientPublicKey);
      hexToBytes(payoutScript);
    } catch {
      throw new HubError('INVALID_PARAMS', 'keys and scripts are hex');
    }
    if (publicKey.length !== 33)
      throw new HubError('INVALID_PARAMS', 'clientPublicKey is 33 bytes');
    const hubDeposit = (quantity * BigInt(t.depositRatioPercent)) / 100n;
    const locked = this.lockedOf(channelAsset);
    const liquidity = channelAsset ? t.liquidity : (this.options.liquidity ?? t.liquidity);
    if (liquidity !== undefined && locked + hubDeposit > liquidity)
      throw new HubError('NO_LIQUIDITY', 'the hub cannot fund this connection');
    if (hubDeposit > 0n) await this.checkWalletCovers(hubDeposit, channelAsset);
    const handle = bytesToHex(
      sha256(utf8ToBytes(`${clientPublicKey}:${Date.now()}:${Math.random()}`)),
    ).slice(0, 32);
    const c2h = `${handle}-c2h`;
    const h2c = `${handle}-h2c`;
    const height = await this.options.chain.getHeight();
    const feeRate = this.options.feeRate ?? 2;
    await this.manager.openPayee({
      channelId: c2h,
      network: this.options.network,
      expireTimeRange: { min: t.expireMin, max: t.expireMax },
      delayTimeRange: { min: t.delayMin, max: t.delayMax },
      minFeeRate: 1,
      feeRate,
      clearance: 6,
      privateKey: this.channelKey(c2h),
      destinationScript: this.hubScript,
      height,
      ...(channelAsset ? { asset: { asset: channelAsset } } : {}),
    });
    const h2cTerms = { expire, delay, height, feeRate };
    if (hubDeposit > 0n)
      await this.createHubPayer(this.manager, h2c, hubDeposit, h2cTerms, channelAsset);
    this.touch(handle);
    this.touch('');
    const connection: Connection = {
      handle,
      ...(channelAsset ? { asset: channelAsset } : {}),
      clientPublicKey,
      payoutScript,
      c2h,
      h2c,
      hubDeposit: hubDeposit.toString(),
      spent: '0',
      owed: '0',
      nonce,
      closed: false,
      h2cTerms,
      inbox: [],
      outgoing: {},
      answers: {},
    };
    this.connections.set(handle, connection);
    this.meta.handles.push(handle);
    this.setLocked(channelAsset, locked + hubDeposit);
    return {
      connection,
      result: {
        handle,
        clientToHubChannel: c2h,
        hubToClientChannel: h2c,
        hubDeposit: hubDeposit.toString(),
        messages: this.outbox.drain([c2h, h2c]),
      },
    };
  }

  private async receiveAll(c: Connection, p: Record<string, unknown>): Promise<void> {
    const messages = p.messages ?? [];
    if (!Array.isArray(messages) || messages.some((m) => typeof m !== 'string'))
      throw new HubError('INVALID_PARAMS', 'messages is an array of strings');
    for (const text of messages as string[]) {
      // Only this connection's channels: a message for another channel is someone else's.
      let channelId: unknown;
      try {
        channelId = (JSON.parse(text) as { channelId?: unknown }).channelId;
      } catch {
        throw new HubError('INVALID_PARAMS', 'a message is not JSON');
      }
      if (channelId !== c.c2h && channelId !== c.h2c)
        throw new HubError('INVALID_PARAMS', 'a message for another connection');
      await this.manager.receive(text);
    }
    await this.manager.idle();
  }

  private async pay(c: Connection, p: Record<string, unknown>): Promise<unknown> {
    await this.receiveAll(c, p);
    const to = this.connections.get(str(p, 'to'));
    if (!to || to.closed) throw new HubError('UNKNOWN_CONNECTION', 'no such payee');
    const value = amount(p, 'amount');
    if (value <= 0n) throw new HubError('INVALID_PARAMS', 'amount must be positive');
    if ((to.asset ?? 'BTC') !== (c.asset ?? 'BTC'))
      throw new HubError('TERMS_VIOLATED', `the payee is paid in ${to.asset ?? 'BTC'}`);
    const paid = this.manager.channel(c.c2h)?.status().transferred ?? 0n;
    const cost = value + this.termsOf(c.asset ?? 'BTC').paymentFee;
    if (paid - BigInt(c.spent) < cost)
      throw new HubError('INSUFFICIENT_FUNDS', 'the client has not paid the hub for this payment');
    // Capacity against the payee's total: everything queued and owed must fit its hub deposit.
    const pending = to.inbox.reduce((s, q) => s + BigInt(q.amount), 0n);
    const reserve = to.asset ? 0n : feeReserve;
    if (BigInt(to.owed) + pending + value > BigInt(to.hubDeposit) - reserve)
      throw new HubError('INSUFFICIENT_FUNDS', 'the payee cannot receive that much');
    this.touch(to.handle);
    c.spent = (BigInt(c.spent) + cost).toString();
    const token = bytesToHex(
      sha256(utf8ToBytes(`${c.handle}:${to.handle}:${value}:${c.nonce}:${Math.random()}`)),
    );
    to.inbox.push({
      token,
      from: c.handle,
      amount: value.toString(),
      ...(typeof p.memo === 'string' ? { memo: p.memo } : {}),
    });
    pruneOutgoing(c, this.connections);
    c.outgoing[token] = to.handle;
    return { token, messages: this.outbox.drain([c.c2h, c.h2c]) };
  }

  private async cancel(c: Connection, p: Record<string, unknown>): Promise<unknown> {
    const token = str(p, 'token');
    const to = this.connections.get(c.outgoing[token] ?? '');
    const q = to?.inbox.find((x) => x.token === token);
    if (!to || !q || q.from !== c.handle) {
      delete c.outgoing[token];
      throw new HubError('UNKNOWN_PAYMENT', 'no queued payment of yours with this token');
    }
    this.touch(to.handle);
    to.inbox = to.inbox.filter((x) => x.token !== token);
    delete c.outgoing[token];
    const fee = this.termsOf(c.asset ?? 'BTC').paymentFee;
    c.spent = (BigInt(c.spent) - BigInt(q.amount) - fee).toString();
    return { cancelled: q.token };
  }

  private async sync(c: Connection, p: Record<string, unknown>): Promise<unknown> {
    await this.receiveAll(c, p);
    const delivered: { token: string; from: string; amount: string; memo?: string }[] = [];
    const queued = c.inbox;
    const total = queued.reduce((s, q) => s + BigInt(q.amount), 0n);
    const h2c = this.manager.channel(c.h2c);
    if (total > 0n && h2c && h2c.status().state.includes('open')) {
      await this.manager.pay(c.h2c, total);
      for (const q of queued)
        delivered.push({
          token: q.token,
          from: q.from,
          amount: q.amount,
          ...(q.memo ? { memo: q.memo } : {}),
        });
      c.inbox = [];
      c.owed = (BigInt(c.owed) + total).toString();
      this.routed += queued.length;
      await this.manager.idle();
    }
    return {
      messages: this.outbox.drain([c.c2h, c.h2c]),
      delivered,
      spent: c.spent,
      received: c.owed,
    };
  }

  private async close(c: Connection, p: Record<string, unknown>): Promise<unknown> {
    await this.receiveAll(c, p);
    if (!c.closed) {
      c.closed = true;
      await this.manager.close(c.c2h).catch(() => undefined);
      await this.manager.idle();
    }
    return { closed: true, messages: this.outbox.drain([c.c2h, c.h2c]) };
  }
}

/** Forgets the payer's tokens of payments no longer queued (delivered or cancelled). */
function pruneOutgoing(c: Connection, connections: ReadonlyMap<string, Connection>): void {
  for (const [token, payee] of Object.entries(c.outgoing))
    if (!connections.get(payee)?.inbox.some((q) => q.token === token)) delete c.outgoing[token];
}

function isLockable(store: Store): boolean {
  return typeof (store as Partial<Lockable>).lockChannel === 'function';
}

function parseRecord(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HubError('INTERNAL', 'a saved hub record is not readable');
  }
}

/** Satoshis of a hub deposit kept back for the commit's fee. */
const feeReserve = 2_000n;

/**
 * Least BTC the hub's wallet must hold to fund an asset channel's deposit: its commit output,
 * commit fee and remainder at moderate fee rates, with room for the deposit's own fee.
 */
const assetChannelBtc = 20_000n;

/**
 * Asset terms are for Counterparty assets the hub can follow: a name with an id, not BTC, and
 * an asset view to judge their deposits with.
 *
 * @throws {@link HubError} `INTERNAL` naming what is wrong.
 */
function checkAssetTerms(options: HubOptions): void {
  const names = Object.keys(options.assetTerms ?? {});
  if (names.length === 0) return;
  if (!options.assets) throw new HubError('INTERNAL', 'asset terms need an asset view (assets)');
  for (const name of names) {
    let id: bigint;
    try {
      id = assetId(name);
    } catch (error) {
      throw new HubError('INTERNAL', `asset terms: ${(error as Error).message}`);
    }
    if (id === 0n) throw new HubError('INTERNAL', 'BTC terms are the `terms` option');
  }
}

function termsJson(t: HubTerms): Record<string, unknown> {
  return {
    depositMin: t.depositMin.toString(),
    depositMax: t.depositMax.toString(),
    depositRatioPercent: t.depositRatioPercent,
    expireMin: t.expireMin,
    expireMax: t.expireMax,
    delayMin: t.delayMin,
    delayMax: t.delayMax,
    paymentFee: t.paymentFee.toString(),
  };
}

function asObject(v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new HubError('INVALID_PARAMS', 'params must be an object');
  return v as Record<string, unknown>;
}

function str(p: Record<string, unknown>, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length > 10_000)
    throw new HubError('INVALID_PARAMS', `${key} must be a string`);
  return v;
}

function num(p: Record<string, unknown>, key: string): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new HubError('INVALID_PARAMS', `${key} must be an integer`);
  return v;
}

function amount(p: Record<string, unknown>, key: string): bigint {
  const v = p[key];
  if (typeof v !== 'string' || !/^[0-9]{1,16}$/.test(v))
    throw new HubError('INVALID_PARAMS', `${key} must be a decimal string of satoshis`);
  return BigInt(v);
}
