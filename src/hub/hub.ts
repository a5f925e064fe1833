import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import { ChannelManager } from '../manager/channel-manager.js';
import type { Store } from '../runtime/store.js';
import type { Wallet } from '../runtime/wallet.js';
import { p2wpkhOutputScript } from '../scripts/key-output-scripts.js';
import { publicKeyOf } from '../transactions/keys.js';
import { HubError } from './errors.js';
import { Outbox } from './outbox.js';
import { Supervisor } from './supervisor.js';
import { requestDigest, responseDigest, signHex, verifyHex } from './signing.js';

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
  /** Charged on each payment routed, satoshis, kept by the hub. */
  readonly paymentFee: bigint;
}

/** Options of {@link Hub.start}. */
export interface HubOptions {
  readonly chain: Chain;
  readonly store: Store;
  /** Funds hub->client deposits. */
  readonly wallet: Wallet;
  /** The hub identity key; channel keys are derived from it. */
  readonly privateKey: Uint8Array;
  readonly network: 'regtest' | 'testnet' | 'mainnet';
  readonly terms?: HubTerms;
  /** Largest total the hub may lock in hub->client deposits. */
  readonly liquidity?: bigint;
  readonly feeRate?: number;
  /** Structured log sink. */
  readonly log?: (event: Record<string, unknown>) => void;
  /** Interval of the chain job (sync every channel: publish before clearance, payouts, revokes), ms. */
  readonly chainJobMs?: number;
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

interface Connection {
  handle: string;
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
}

interface QueuedPayment {
  token: string;
  from: string;
  to: string;
  amount: string;
  memo?: string;
  state: 'queued' | 'delivered' | 'cancelled';
}

interface HubState {
  connections: Record<string, Connection>;
  payments: Record<string, QueuedPayment>;
  locked: string;
  /** Stored answers per handle and nonce, so a retried request gets the same response. */
  answers: Record<string, Record<number, { method: string; result: unknown; signature: string }>>;
}

/** A request's authentication block. */
export interface RequestAuth {
  readonly nonce: number;
  readonly expiry: number;
  readonly signature: string;
}

const STATE_KEY = 'hub:state';
const ANSWERS_KEPT = 16;

/**
 * The payment hub's logic: connections of two one-way channels each, routed payments queued
 * for the payee's next sync, authentication of every request. All I/O is its chain, store and
 * wallet; the HTTP server is a thin layer over {@link Hub.call}.
 */
export class Hub {
  private state: HubState = { connections: {}, payments: {}, locked: '0', answers: {} };
  readonly outbox = new Outbox();
  manager!: ChannelManager;
  /** The hub's public key (hex); also its id. */
  readonly id: string;
  private readonly terms: HubTerms;
  private queue: Promise<unknown> = Promise.resolve();
  /** Background jobs, their failures visible in health and metrics. */
  readonly supervisor: Supervisor;
  /** Payments routed (delivered to their payee) since start. */
  private routed = 0;

  private constructor(private readonly options: HubOptions) {
    this.id = bytesToHex(publicKeyOf(options.privateKey));
    this.terms = options.terms ?? DEFAULT_TERMS;
    this.supervisor = new Supervisor(options.log);
  }

  /** Loads the hub's state and starts its channel manager (which follows the chain). */
  static async start(options: HubOptions): Promise<Hub> {
    const hub = new Hub(options);
    const saved = await options.store.load(STATE_KEY);
    if (saved) hub.state = JSON.parse(saved) as HubState;
    hub.manager = await ChannelManager.start({
      chain: options.chain,
      store: options.store,
      transport: hub.outbox.transport,
      wallet: options.wallet,
      namespace: 'hub',
    });
    // Channel failures are reported as events by the manager; they count against the chain job.
    hub.manager.on('channel-error', (e) => hub.supervisor.recordFailure('chain', e.error));
    hub.supervisor.add('chain', () => hub.manager.syncAll(), {
      intervalMs: options.chainJobMs ?? 5000,
    });
    return hub;
  }

  /** Stops the channel manager. */
  async stop(): Promise<void> {
    this.supervisor.stop();
    await this.queue.catch(() => undefined);
    await this.manager.stop();
  }

  /** The client key (hex) of an open connection, or undefined: authenticates event subscriptions. */
  clientKeyOf(handle: string): string | undefined {
    const c = Object.hasOwn(this.state.connections, handle)
      ? this.state.connections[handle]
      : undefined;
    return c && !c.closed ? c.clientPublicKey : undefined;
  }

  private channelKey(channelId: string): Uint8Array {
    return sha256(concatBytes(this.options.privateKey, utf8ToBytes(channelId)));
  }

  private get hubScript(): Uint8Array {
    return p2wpkhOutputScript(publicKeyOf(this.options.privateKey));
  }

  private async save(): Promise<void> {
    await this.options.store.save(STATE_KEY, JSON.stringify(this.state));
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
      `picopayments_hub_liquidity_locked_sats ${this.state.locked}`,
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

  /** Public status: identity, height, terms; never any connection or balance. */
  async status(): Promise<Record<string, unknown>> {
    return {
      hubId: this.id,
      hubPublicKey: this.id,
      network: this.options.network,
      height: await this.options.chain.getHeight(),
      terms: { BTC: termsJson(this.terms) },
      methods: ['hub_status', 'hub_connect', 'hub_pay', 'hub_cancel', 'hub_sync', 'hub_close'],
    };
  }

  /**
   * Runs one JSON-RPC method, one at a time (so a sync's state change and its stored answer
   * are saved together). `auth` is required for every method but status and connect.
   */
  call(
    method: string,
    params: unknown,
    auth?: RequestAuth,
  ): Promise<{ result: unknown; signature: string }> {
    const run = this.queue.then(() => this.dispatch(method, params, auth));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async dispatch(
    method: string,
    params: unknown,
    auth?: RequestAuth,
  ): Promise<{ result: unknown; signature: string }> {
    const p = asObject(params);
    if (method === 'hub_status') {
      const result = await this.status();
      return {
        result,
        signature: signHex(responseDigest(this.id, method, '', result), this.options.privateKey),
      };
    }
    if (method === 'hub_connect') {
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
      if (auth.expiry < Date.now() / 1000) throw new HubError('EXPIRED', 'the request expired');
      const result = await this.connect(p, auth.nonce);
      return { result, signature: this.sign(method, auth.signature, result) };
    }
    const methods: Record<string, (c: Connection, p: Record<string, unknown>) => Promise<unknown>> =
      {
        hub_pay: (c, q) => this.pay(c, q),
        hub_cancel: (c, q) => this.cancel(c, q),
        hub_sync: (c, q) => this.sync(c, q),
        hub_close: (c, q) => this.close(c, q),
      };
    const handler = methods[method];
    if (!handler) throw new HubError('METHOD_NOT_FOUND', `no method ${method}`);
    const connection = this.state.connections[str(p, 'handle')];
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
    const stored = this.state.answers[connection.handle]?.[nonce];
    if (stored) {
      // A retry of an answered request gets the same answer; anything else with its nonce is a replay.
      if (stored.method === method && stored.signature === signature)
        return { result: stored.result, signature: this.sign(method, signature, stored.result) };
      throw new HubError('REPLAYED', 'this nonce was used');
    }
    if (nonce <= connection.nonce) throw new HubError('REPLAYED', 'this nonce was used');
    if (expiry < Date.now() / 1000) throw new HubError('EXPIRED', 'the request expired');
    const before = JSON.stringify(this.state);
    try {
      const result = await handler(connection, p);
      connection.nonce = nonce;
      const answers = this.state.answers[connection.handle] ?? {};
      this.state.answers[connection.handle] = answers;
      answers[nonce] = { method, result, signature };
      for (const n of Object.keys(answers)
        .map(Number)
        .sort((a, b) => a - b)
        .slice(0, -ANSWERS_KEPT))
        delete answers[n];
      await this.save();
      return { result, signature: this.sign(method, signature, result) };
    } catch (error) {
      this.state = JSON.parse(before) as HubState;
      throw error;
    }
  }

  private sign(method: string, requestSignature: string, result: unknown): string {
    return signHex(
      responseDigest(this.id, method, requestSignature, result),
      this.options.privateKey,
    );
  }

  private async connect(p: Record<string, unknown>, nonce: number): Promise<unknown> {
    const asset = str(p, 'asset');
    if (asset !== 'BTC') throw new HubError('TERMS_VIOLATED', 'only BTC is served');
    const quantity = amount(p, 'quantity');
    const clientPublicKey = str(p, 'clientPublicKey');
    const payoutScript = str(p, 'payoutScript');
    const expire = num(p, 'expireBlocks');
    const delay = num(p, 'delayBlocks');
    const t = this.terms;
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
    const locked = BigInt(this.state.locked);
    if (this.options.liquidity !== undefined && locked + hubDeposit > this.options.liquidity)
      throw new HubError('NO_LIQUIDITY', 'the hub cannot fund this connection');
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
    });
    if (hubDeposit > 0n)
      await this.manager.createPayer({
        channelId: h2c,
        network: this.options.network,
        depositAmount: hubDeposit,
        feeRate,
        expireTime: expire,
        delayTime: delay,
        privateKey: this.channelKey(h2c),
        destinationScript: this.hubScript,
        height,
      });
    this.state.connections[handle] = {
      handle,
      clientPublicKey,
      payoutScript,
      c2h,
      h2c,
      hubDeposit: hubDeposit.toString(),
      spent: '0',
      owed: '0',
      nonce,
      closed: false,
    };
    this.state.locked = (locked + hubDeposit).toString();
    await this.save();
    return {
      handle,
      clientToHubChannel: c2h,
      hubToClientChannel: h2c,
      hubDeposit: hubDeposit.toString(),
      messages: this.outbox.drain([c2h, h2c]),
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
    const to = this.state.connections[str(p, 'to')];
    if (!to || to.closed) throw new HubError('UNKNOWN_CONNECTION', 'no such payee');
    const value = amount(p, 'amount');
    if (value <= 0n) throw new HubError('INVALID_PARAMS', 'amount must be positive');
    const paid = this.manager.channel(c.c2h)?.status().transferred ?? 0n;
    const cost = value + this.terms.paymentFee;
    if (paid - BigInt(c.spent) < cost)
      throw new HubError('INSUFFICIENT_FUNDS', 'the client has not paid the hub for this payment');
    // Capacity against the payee's total: everything queued and owed must fit its hub deposit.
    const pending = Object.values(this.state.payments)
      .filter((q) => q.to === to.handle && q.state === 'queued')
      .reduce((s, q) => s + BigInt(q.amount), 0n);
    if (BigInt(to.owed) + pending + value > BigInt(to.hubDeposit) - feeReserve)
      throw new HubError('INSUFFICIENT_FUNDS', 'the payee cannot receive that much');
    c.spent = (BigInt(c.spent) + cost).toString();
    const token = bytesToHex(
      sha256(utf8ToBytes(`${c.handle}:${to.handle}:${value}:${c.nonce}:${Math.random()}`)),
    );
    this.state.payments[token] = {
      token,
      from: c.handle,
      to: to.handle,
      amount: value.toString(),
      ...(typeof p.memo === 'string' ? { memo: p.memo } : {}),
      state: 'queued',
    };
    return { token, messages: this.outbox.drain([c.c2h, c.h2c]) };
  }

  private async cancel(c: Connection, p: Record<string, unknown>): Promise<unknown> {
    const q = this.state.payments[str(p, 'token')];
    if (!q || q.from !== c.handle || q.state !== 'queued')
      throw new HubError('UNKNOWN_PAYMENT', 'no queued payment of yours with this token');
    q.state = 'cancelled';
    c.spent = (BigInt(c.spent) - BigInt(q.amount) - this.terms.paymentFee).toString();
    return { cancelled: q.token };
  }

  private async sync(c: Connection, p: Record<string, unknown>): Promise<unknown> {
    await this.receiveAll(c, p);
    const delivered: { token: string; from: string; amount: string; memo?: string }[] = [];
    const queued = Object.values(this.state.payments).filter(
      (q) => q.to === c.handle && q.state === 'queued',
    );
    const total = queued.reduce((s, q) => s + BigInt(q.amount), 0n);
    const h2c = this.manager.channel(c.h2c);
    if (total > 0n && h2c && h2c.status().state.includes('open')) {
      await this.manager.pay(c.h2c, total);
      for (const q of queued) {
        q.state = 'delivered';
        delivered.push({
          token: q.token,
          from: q.from,
          amount: q.amount,
          ...(q.memo ? { memo: q.memo } : {}),
        });
      }
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

/** Satoshis of a hub deposit kept back for the commit's fee. */
const feeReserve = 2_000n;

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
