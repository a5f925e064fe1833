import { bytesToHex, hexToBytes } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import { Outbox } from '../hub/outbox.js';
import { MAX_MESSAGES } from '../hub/schemas/common.js';
import { eventsDigest } from '../hub/events-token.js';
import type { HubMethodName } from '../hub/schemas/methods.js';
import { type HubResultOf, resultFault } from '../hub/schemas/validate.js';
import { requestDigest, responseDigest, signHex, verifyHex } from '../hub/signing.js';
import { ChannelManager } from '../manager/channel-manager.js';
import type { Store } from '../runtime/store.js';
import type { AssetView } from '../runtime/asset-view.js';
import type { Wallet } from '../runtime/wallet.js';
import { publicKeyOf } from '../transactions/keys.js';
import { mustSendNow } from './deferred-messages.js';
import { HubClientError } from './errors.js';
import { type HubSubscription, type SubscribeOptions, openSubscription } from './subscription.js';
import type {
  ConnectionInfo,
  ConnectionStatus,
  HubStatus,
  PaymentReceipt,
  PaymentRecord,
  SyncResult,
} from './types.js';

/** Gives a fresh private key for each new channel (the CLI's BIP32 wallet implements it). */
export interface ChannelKeySource {
  nextChannelKey(): Promise<{ privateKey: Uint8Array; path: string }>;
}

/** Options of {@link HubClient.open}. */
export interface HubClientOptions {
  /** Hub JSON-RPC endpoint, e.g. `http://127.0.0.1:PORT/rpc`. */
  readonly url: string;
  readonly chain: Chain;
  readonly store: Store;
  /** Funds the client->hub deposit. */
  readonly wallet: Wallet;
  readonly keys: ChannelKeySource;
  /** Where this client's recovered funds go. */
  readonly payoutScript: () => Promise<Uint8Array>;
  /** Pinned hub identity; if absent it is learned from status and pinned. */
  readonly hubPublicKey?: Uint8Array;
  readonly fetch?: typeof fetch;
  /** Attempts per request on network failure, same nonce each time (default 3). */
  readonly attempts?: number;
  /**
   * How long one attempt waits for the hub's whole answer, ms (default 30 000): a hub that
   * accepts the connection and never answers counts as a network failure, retried, then
   * `HUB_UNREACHABLE`, instead of holding the caller for good.
   */
  readonly requestTimeoutMs?: number;
  /**
   * The Counterparty ledger and channel addresses: needed to connect in an asset other than
   * BTC (the wallet then holds the asset at its address).
   */
  readonly assets?: AssetView;
}

interface SavedConnection {
  handle: string;
  asset: string;
  key: string;
  c2h: string;
  h2c: string;
  deposit: string;
  hubDeposit: string;
  nonce: number;
  closed: boolean;
}

/** One payment of the history as stored: its own record, written once (and at a cancel). */
type HistoryEntry = Omit<PaymentRecord, 'amount' | 'state'> & {
  amount: string;
  state: PaymentRecord['state'];
};

interface ClientState {
  hubPublicKey: string | null;
  connections: Record<string, SavedConnection>;
  /** Payments recorded so far: the history is records 0..n-1 under {@link historyKey}. */
  historyCount: number;
  /** Older saves kept the history inline; it is moved to records when read. */
  history?: HistoryEntry[];
}

const STATE_KEY = 'hub-client:state';

/**
 * Key of history record `n`. The history lives beside the state, one record per payment, so
 * that the state a request saves stays small however many payments were made (the `#` has an
 * incremental store write it whole, once).
 */
function historyKey(n: number): string {
  return `hub-client#history/${n}`;
}
const NAMESPACE = 'hub-client';
const ROUNDS = 8;

/** Talks to a payment hub: connects, pays other clients through it, syncs and closes. */
export class HubClient {
  private state: ClientState = { hubPublicKey: null, connections: {}, historyCount: 0 };
  private readonly outbox = new Outbox();
  private manager!: ChannelManager;
  private readonly fetcher: typeof fetch;
  private lastNonce = 0;
  private lock: Promise<unknown> = Promise.resolve();
  /** The hub's terms as of its last status answer (they give the fee of each payment). */
  private terms: HubStatus['terms'] | null = null;

  private constructor(private readonly o: HubClientOptions) {
    this.fetcher = o.fetch ?? fetch;
  }

  /** Loads the saved connections and starts the client's channel manager. */
  static async open(o: HubClientOptions): Promise<HubClient> {
    const client = new HubClient(o);
    const saved = await o.store.load(STATE_KEY);
    if (saved) await client.adopt(JSON.parse(saved) as ClientState);
    if (o.hubPublicKey) {
      const pinned = bytesToHex(o.hubPublicKey);
      if (client.state.hubPublicKey && client.state.hubPublicKey !== pinned)
        throw new HubClientError(
          'HUB_BAD_SIGNATURE',
          'the saved hub key differs from the pinned one',
        );
      client.state.hubPublicKey = pinned;
    }
    client.manager = await ChannelManager.start({
      chain: o.chain,
      store: o.store,
      transport: client.outbox.transport,
      wallet: o.wallet,
      namespace: NAMESPACE,
      ...(o.assets ? { assets: o.assets } : {}),
    });
    return client;
  }

  /** The client's channel manager (events, channel status). */
  get channels(): ChannelManager {
    return this.manager;
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.lock.then(f);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async save(): Promise<void> {
    await this.o.store.save(STATE_KEY, JSON.stringify(this.state));
  }

  /**
   * Takes `state` as the client's, moving an inline history (older saves and backups) to its
   * records first, so that nothing is lost if the move is cut short.
   */
  private async adopt(state: ClientState): Promise<void> {
    const { history, ...rest } = state;
    this.state = { ...rest, historyCount: rest.historyCount ?? 0 };
    if (!history) return;
    // In slices: one group per thousand records, and no call with a million arguments.
    for (let i = 0; i < history.length; i += 1000) await this.record(...history.slice(i, i + 1000));
    await this.save();
  }

  /**
   * Appends a payment to the history and saves the state with it: in one atomic write where
   * the store has one, else the record first (a record past the count is never read, and the
   * next one overwrites it).
   */
  private async record(...entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const first = this.state.historyCount;
    const writes = entries.map((e, i) => ({
      key: historyKey(first + i),
      snapshot: JSON.stringify(e),
    }));
    this.state.historyCount += entries.length;
    writes.push({ key: STATE_KEY, snapshot: JSON.stringify(this.state) });
    try {
      if (this.o.store.saveAll) await this.o.store.saveAll(writes);
      else for (const w of writes) await this.o.store.save(w.key, w.snapshot);
    } catch (error) {
      this.state.historyCount = first;
      throw error;
    }
  }

  /** History record `n`. */
  private async entry(n: number): Promise<HistoryEntry> {
    const text = await this.o.store.load(historyKey(n));
    if (text === null)
      throw new HubClientError('BAD_BACKUP', `history record ${n} is missing from the store`);
    return JSON.parse(text) as HistoryEntry;
  }

  /** Every history record, oldest first. */
  private async entries(): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    for (let n = 0; n < this.state.historyCount; n++) out.push(await this.entry(n));
    return out;
  }

  private nextNonce(c: SavedConnection): number {
    const n = Math.max(c.nonce + 1, this.lastNonce + 1, Date.now());
    this.lastNonce = n;
    c.nonce = n;
    return n;
  }

  /** One JSON-RPC call, retried with the very same request on network failure. */
  private async rpc<M extends HubMethodName>(
    method: M,
    params: Record<string, unknown>,
    auth?: { key: Uint8Array; nonce: number },
  ): Promise<HubResultOf<M>> {
    const hubId = this.state.hubPublicKey ?? '';
    let signature = '';
    let authBlock: Record<string, unknown> | undefined;
    if (auth) {
      const expiry = Math.floor(Date.now() / 1000) + 120;
      signature = signHex(requestDigest(hubId, method, params, auth.nonce, expiry), auth.key);
      authBlock = { nonce: auth.nonce, expiry, signature };
    }
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: auth?.nonce ?? 0,
      method,
      params,
      auth: authBlock,
    });
    let lastError: unknown;
    for (let attempt = 0; attempt < (this.o.attempts ?? 3); attempt++) {
      let text: string;
      try {
        const response = await this.fetcher(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 30_000),
        });
        text = await response.text();
      } catch (error) {
        lastError = error;
        continue;
      }
      return this.verify(method, signature, text);
    }
    throw new HubClientError(
      'HUB_UNREACHABLE',
      `the hub did not answer: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  private verify<M extends HubMethodName>(
    method: M,
    requestSignature: string,
    text: string,
  ): HubResultOf<M> {
    let answer: {
      result?: unknown;
      error?: { message?: unknown; data?: { code?: unknown } };
      signature?: unknown;
    };
    try {
      answer = JSON.parse(text);
    } catch {
      throw new HubClientError('HUB_BAD_RESPONSE', 'the hub answered with something not JSON');
    }
    if (answer.error) {
      const code = typeof answer.error.data?.code === 'string' ? answer.error.data.code : undefined;
      throw new HubClientError('HUB_RPC_ERROR', String(answer.error.message), code);
    }
    const result = answer.result;
    if (result === null || typeof result !== 'object' || typeof answer.signature !== 'string')
      throw new HubClientError('HUB_BAD_RESPONSE', 'the hub answer has no signed result');
    const key = this.state.hubPublicKey ?? (result as { hubPublicKey?: unknown }).hubPublicKey;
    if (typeof key !== 'string' || key.length !== 66)
      throw new HubClientError('HUB_BAD_SIGNATURE', 'no hub key to verify the answer with');
    if (
      !verifyHex(
        responseDigest(key, method, requestSignature, result),
        answer.signature,
        hexToBytes(key),
      )
    )
      throw new HubClientError('HUB_BAD_SIGNATURE', 'the hub answer is not signed by the hub');
    // Signed yet malformed: refused before any field is used.
    const fault = resultFault(method, result);
    if (fault)
      throw new HubClientError(
        'HUB_BAD_RESPONSE',
        `the ${method} answer does not match its schema at ${fault.path || '/'}: ${fault.message}`,
      );
    return result as HubResultOf<M>;
  }

  /** The hub's status; pins its key the first time. */
  async status(): Promise<HubStatus> {
    const r = await this.rpc('hub_status', {});
    if (this.state.hubPublicKey === null) {
      this.state.hubPublicKey = String(r.hubPublicKey);
      await this.save();
    } else if (r.hubPublicKey !== this.state.hubPublicKey)
      throw new HubClientError('HUB_BAD_SIGNATURE', 'the hub key is not the pinned one');
    const terms: Record<string, HubStatus['terms'][string]> = {};
    for (const [asset, t] of Object.entries(
      r.terms as Record<string, Record<string, string | number>>,
    ))
      terms[asset] = {
        depositMin: BigInt(t.depositMin!),
        depositMax: BigInt(t.depositMax!),
        depositRatioPercent: Number(t.depositRatioPercent),
        expireMin: Number(t.expireMin),
        expireMax: Number(t.expireMax),
        delayMin: Number(t.delayMin),
        delayMax: Number(t.delayMax),
        paymentFee: BigInt(t.paymentFee!),
      };
    this.terms = terms;
    return {
      hubId: String(r.hubId),
      hubPublicKey: String(r.hubPublicKey),
      network: String(r.network),
      height: Number(r.height),
      terms,
    };
  }

  /** Opens a connection: a client->hub channel funded by the wallet, a hub->client channel funded by the hub. */
  connect(p: {
    asset: string;
    quantity: bigint;
    expireBlocks?: number;
    delayBlocks?: number;
  }): Promise<ConnectionInfo> {
    return this.serial(async () => {
      const status = await this.status();
      const terms = status.terms[p.asset];
      if (!terms)
        throw new HubClientError('HUB_TERMS_VIOLATED', `the hub does not serve ${p.asset}`);
      if (p.quantity < terms.depositMin || p.quantity > terms.depositMax)
        throw new HubClientError('HUB_TERMS_VIOLATED', 'the deposit is outside the hub terms');
      if (p.asset !== 'BTC' && !this.o.assets)
        throw new HubClientError(
          'HUB_TERMS_VIOLATED',
          `connecting in ${p.asset} needs an asset view of the Counterparty ledger (assets)`,
        );
      const expire = p.expireBlocks ?? Math.min(Math.max(144, terms.expireMin), terms.expireMax);
      const delay = p.delayBlocks ?? Math.min(Math.max(6, terms.delayMin), terms.delayMax);
      const { privateKey } = await this.o.keys.nextChannelKey();
      const payout = await this.o.payoutScript();
      const nonce = Math.max(this.lastNonce + 1, Date.now());
      this.lastNonce = nonce;
      const r = await this.rpc(
        'hub_connect',
        {
          asset: p.asset,
          quantity: p.quantity.toString(),
          clientPublicKey: bytesToHex(publicKeyOf(privateKey)),
          payoutScript: bytesToHex(payout),
          expireBlocks: expire,
          delayBlocks: delay,
        },
        { key: privateKey, nonce },
      );
      const c: SavedConnection = {
        handle: String(r.handle),
        asset: p.asset,
        key: bytesToHex(privateKey),
        c2h: String(r.clientToHubChannel),
        h2c: String(r.hubToClientChannel),
        deposit: p.quantity.toString(),
        hubDeposit: String(r.hubDeposit),
        nonce,
        closed: false,
      };
      if (c.c2h !== `${c.handle}-c2h` || c.h2c !== `${c.handle}-h2c`)
        throw new HubClientError('HUB_BAD_RESPONSE', 'unexpected channel ids');
      const height = await this.o.chain.getHeight();
      // An asset connection's channels carry the asset: amounts are its units.
      const asset = p.asset === 'BTC' ? {} : { asset: { asset: p.asset } };
      await this.manager.createPayer({
        channelId: c.c2h,
        network: status.network as 'regtest',
        depositAmount: p.quantity,
        ...asset,
        feeRate: 2,
        expireTime: expire,
        delayTime: delay,
        minDelayTime: Math.min(delay, terms.delayMin),
        privateKey,
        destinationScript: payout,
        height,
      });
      if (BigInt(c.hubDeposit) > 0n)
        await this.manager.openPayee({
          channelId: c.h2c,
          network: status.network as 'regtest',
          expireTimeRange: { min: terms.expireMin, max: terms.expireMax },
          delayTimeRange: { min: terms.delayMin, max: terms.delayMax },
          minFeeRate: 1,
          feeRate: 2,
          clearance: 6,
          privateKey,
          destinationScript: payout,
          height,
          ...asset,
        });
      this.state.connections[c.handle] = c;
      await this.save();
      await this.receive(r.messages);
      await this.exchange(c);
      return {
        handle: c.handle,
        asset: c.asset,
        clientToHubChannel: c.c2h,
        hubToClientChannel: c.h2c,
        deposit: p.quantity,
        hubDeposit: BigInt(c.hubDeposit),
      };
    });
  }

  private async receive(messages: unknown): Promise<number> {
    if (!Array.isArray(messages)) throw new HubClientError('HUB_BAD_RESPONSE', 'messages missing');
    for (const m of messages) if (typeof m === 'string') await this.manager.receive(m);
    await this.manager.idle();
    return messages.length;
  }

  private connection(handle: string): SavedConnection {
    const c = this.state.connections[handle];
    if (!c) throw new HubClientError('UNKNOWN_HANDLE', `no connection ${handle}`);
    return c;
  }

  private async signedCall<M extends HubMethodName>(
    c: SavedConnection,
    method: M,
    params: Record<string, unknown>,
  ) {
    const nonce = this.nextNonce(c);
    await this.save();
    return this.rpc(method, { handle: c.handle, ...params }, { key: hexToBytes(c.key), nonce });
  }

  /** True when the client's paying channel holds the hub's next revoke hash. */
  private hasRevokeHash(c: SavedConnection): boolean {
    const channel = this.manager.channel(c.c2h) as { context?: { nextRevokeHash?: unknown } };
    return Boolean(channel?.context?.nextRevokeHash);
  }

  /** Messages of this connection queued for the hub that may not wait for its next request. */
  private urgent(c: SavedConnection): number {
    return this.outbox.pending([c.c2h, c.h2c], (text) => mustSendNow(text, c.h2c));
  }

  /** Syncs rounds until neither side has anything to say that cannot wait. */
  private async exchange(c: SavedConnection): Promise<SyncResult> {
    const received: { token: string; from: string; amount: bigint; memo?: string }[] = [];
    let sent = 0;
    let got = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await this.manager.idle();
      const messages = this.outbox.drain([c.c2h, c.h2c]);
      const r = await this.signedCall(c, 'hub_sync', { messages });
      sent += messages.length;
      const n = await this.receive(r.messages);
      got += n;
      const delivered =
        (r.delivered as { token: string; from: string; amount: string; memo?: string }[]) ?? [];
      for (const d of delivered) received.push({ ...d, amount: BigInt(d.amount) });
      // The nonce was saved before the request; only what it delivered is new, recorded in
      // one write with the state.
      await this.record(
        ...delivered.map((d) => ({
          token: d.token,
          handle: c.handle,
          direction: 'received' as const,
          counterparty: d.from,
          amount: d.amount,
          ...(d.memo ? { memo: d.memo } : {}),
          state: 'delivered' as const,
        })),
      );
      // The hub answered everything it was sent within this very request (it takes the messages,
      // lets its channels step, then drains their replies) and sent all it had queued for us
      // unless it sent a full request's worth. Once our replies to it are queued too, another
      // round is needed only for those that must go now: the payee's next revoke hash rides on
      // our next request (see `mustSendNow`).
      await this.manager.idle();
      if (n < MAX_MESSAGES && this.urgent(c) === 0) break;
    }
    return { handle: c.handle, received, messagesSent: sent, messagesReceived: got };
  }

  /**
   * Pays `amount` from connection `from` to the client holding connection `to`, through the hub.
   * The hub's fee is that of the terms last seen (status is asked again only if the hub refuses
   * it); payments to this client are not collected here but by {@link HubClient.sync}.
   */
  pay(p: { from: string; to: string; amount: bigint; memo?: string }): Promise<PaymentReceipt> {
    return this.serial(async () => {
      const c = this.connection(p.from);
      // The fee of the terms known already; asked again only when the hub refuses it.
      const known = this.terms !== null;
      const fee = (this.terms ?? (await this.status()).terms)[c.asset]?.paymentFee ?? 0n;
      // The hub's next revoke hash may still be on its way (it answers before its channel has
      // issued it): fetch it with a sync rather than refuse the payment.
      for (let round = 0; round < ROUNDS && !this.hasRevokeHash(c); round++) await this.exchange(c);
      const send = async (value: bigint) => {
        await this.manager.pay(c.c2h, value);
        await this.manager.idle();
        const messages = this.outbox.drain([c.c2h, c.h2c]);
        return this.signedCall(c, 'hub_pay', {
          to: p.to,
          amount: p.amount.toString(),
          messages,
          ...(p.memo !== undefined ? { memo: p.memo } : {}),
        });
      };
      let r: HubResultOf<'hub_pay'>;
      try {
        r = await send(p.amount + fee);
      } catch (error) {
        if (!known || !(error instanceof HubClientError) || error.hubCode !== 'INSUFFICIENT_FUNDS')
          throw error;
        // The fee may have risen since: what was paid stays credited at the hub, so only the
        // difference is paid before asking again.
        const now = (await this.status()).terms[c.asset]?.paymentFee ?? 0n;
        if (now <= fee) throw error;
        for (let round = 0; round < ROUNDS && !this.hasRevokeHash(c); round++)
          await this.exchange(c);
        r = await send(now - fee);
      }
      await this.receive(r.messages);
      const token = String(r.token);
      await this.record({
        token,
        handle: c.handle,
        direction: 'sent',
        counterparty: p.to,
        amount: p.amount.toString(),
        ...(p.memo !== undefined ? { memo: p.memo } : {}),
        state: 'queued',
      });
      // The answer carried the hub's replies; a round more only when ours must still be sent
      // (payments to this client are collected by sync).
      await this.manager.idle();
      if (this.urgent(c) > 0) await this.exchange(c);
      return { token, from: p.from, to: p.to, amount: p.amount };
    });
  }

  /** Cancels a payment still queued at the hub. */
  cancel(token: string): Promise<void> {
    return this.serial(async () => {
      // Newest first: a payment is cancelled while it is still queued, so soon after it was made.
      let found: { n: number; record: HistoryEntry } | null = null;
      for (let n = this.state.historyCount - 1; n >= 0 && !found; n--) {
        const record = await this.entry(n);
        if (record.token === token && record.direction === 'sent') found = { n, record };
      }
      if (!found) throw new HubClientError('UNKNOWN_HANDLE', 'no payment with this token');
      await this.signedCall(this.connection(found.record.handle), 'hub_cancel', { token });
      await this.o.store.save(
        historyKey(found.n),
        JSON.stringify({ ...found.record, state: 'cancelled' }),
      );
    });
  }

  /**
   * Syncs one connection or every open one; each is saved on its own. Usually one request per
   * connection, even when it collects payments: the answer to the commit the hub paid with (the
   * next revoke hash) goes with the connection's next request (see `mustSendNow`). A round more
   * only for replies that must go now, or when the hub sent a full request's worth.
   */
  sync(handle?: string): Promise<SyncResult[]> {
    return this.serial(async () => {
      const list = handle
        ? [this.connection(handle)]
        : Object.values(this.state.connections).filter((c) => !c.closed);
      const out: SyncResult[] = [];
      for (const c of list) out.push(await this.exchange(c));
      return out;
    });
  }

  /** Every connection's state and balances. */
  async connections(): Promise<ConnectionStatus[]> {
    return Object.values(this.state.connections).map((c) => {
      const payer = this.manager.channel(c.c2h)?.status();
      const payee = this.manager.channel(c.h2c)?.status();
      const sent = payer?.transferred ?? 0n;
      const received = payee?.transferred ?? 0n;
      return {
        handle: c.handle,
        asset: c.asset,
        state: `${payer?.state ?? 'unknown'}/${payee?.state ?? 'none'}`,
        sent,
        received,
        deposit: BigInt(c.deposit),
        hubDeposit: BigInt(c.hubDeposit),
        balance: BigInt(c.deposit) - sent + received,
        blocksUntilExpiry: payer?.blocksUntilExpiry ?? null,
        closed: c.closed,
      };
    });
  }

  /** Payments sent and received, oldest first. */
  async history(handle?: string): Promise<PaymentRecord[]> {
    return (await this.entries())
      .filter((h) => handle === undefined || h.handle === handle)
      .map((h) => ({ ...h, amount: BigInt(h.amount) }));
  }

  /** Closes a connection: the client publishes the hub's best commit to it and the hub publishes the client's. */
  close(handle: string): Promise<void> {
    return this.serial(async () => {
      const c = this.connection(handle);
      await this.exchange(c);
      if (this.manager.channel(c.h2c)) await this.manager.close(c.h2c).catch(() => undefined);
      await this.manager.idle();
      const messages = this.outbox.drain([c.c2h, c.h2c]);
      const r = await this.signedCall(c, 'hub_close', { messages });
      await this.receive(r.messages);
      c.closed = true;
      await this.save();
    });
  }

  /** Forgets closed connections whose channels are finished; returns their handles. */
  cull(): Promise<string[]> {
    return this.serial(async () => {
      const gone: string[] = [];
      for (const c of Object.values(this.state.connections)) {
        if (!c.closed) continue;
        const ids = [c.c2h, c.h2c].filter((id) => this.manager.channel(id));
        if (ids.some((id) => !this.manager.channel(id)!.done)) continue;
        for (const id of ids) await this.manager.forget(id);
        delete this.state.connections[c.handle];
        gone.push(c.handle);
      }
      await this.save();
      return gone;
    });
  }

  /** A JSON text holding the client state and every channel snapshot. */
  async backup(): Promise<string> {
    const snapshots: Record<string, string> = {};
    for (const c of Object.values(this.state.connections))
      for (const id of [c.c2h, c.h2c]) {
        const key = this.manager.storeKeyOf(id);
        const s = await this.o.store.load(key);
        if (s !== null) snapshots[key] = s;
      }
    const index = await this.o.store.load(this.manager.indexKey);
    // The history goes inline in the backup's state, as it always has.
    const state = { ...this.state, history: await this.entries() };
    return JSON.stringify({ version: 1, state, index, snapshots });
  }

  /** Writes a backup into the store; reopen the client to run its channels. */
  async restore(text: string): Promise<void> {
    let b: {
      version?: unknown;
      state?: ClientState;
      index?: string | null;
      snapshots?: Record<string, string>;
    };
    try {
      b = JSON.parse(text);
    } catch {
      throw new HubClientError('BAD_BACKUP', 'the backup is not JSON');
    }
    if (b.version !== 1 || !b.state || typeof b.snapshots !== 'object')
      throw new HubClientError('BAD_BACKUP', 'not a hub client backup');
    if (b.state.history !== undefined && !Array.isArray(b.state.history))
      throw new HubClientError('BAD_BACKUP', 'the backup history is not a list');
    for (const [k, v] of Object.entries(b.snapshots)) await this.o.store.save(k, v);
    if (typeof b.index === 'string') await this.o.store.save(this.manager.indexKey, b.index);
    await this.adopt({ ...b.state, historyCount: 0 });
    await this.save();
  }

  /**
   * Subscribes to the payments queued for connection `handle` (server-sent events from the
   * hub's `GET /events`, authenticated by a token signed with the connection key). An event is
   * a hint to sync now: the payment is handed over, signed, only by {@link HubClient.sync}.
   * The subscription ends at `close()`, when the hub stops, or when its token expires
   * (`expirySeconds`, default 50 minutes); subscribe again to go on.
   */
  subscribe(handle: string, options: SubscribeOptions): HubSubscription {
    const c = this.connection(handle);
    const hubId = this.state.hubPublicKey;
    if (hubId === null)
      throw new HubClientError('HUB_BAD_SIGNATURE', 'no pinned hub key: call status() first');
    const expiry = Math.floor(Date.now() / 1000) + (options.expirySeconds ?? 3000);
    const signature = signHex(eventsDigest(hubId, handle, expiry), hexToBytes(c.key));
    const url = new URL('/events', this.o.url);
    url.search = new URLSearchParams({ handle, expiry: String(expiry), signature }).toString();
    return openSubscription(url.toString(), this.fetcher, options);
  }

  /** Stops the channel manager. */
  async stop(): Promise<void> {
    await this.lock.catch(() => undefined);
    await this.manager.stop();
  }
}
