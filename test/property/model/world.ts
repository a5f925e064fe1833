import { expect } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/bytes.js';
import { ChainError } from '../../../src/chain/errors.js';
import { SimulatedChain } from '../../../src/chain/simulated-chain.js';
import type { PayeeContext } from '../../../src/machines/context.js';
import { newPayeeContext } from '../../../src/machines/initial-context.js';
import { payeeMachine } from '../../../src/machines/payee-machine.js';
import { p2wpkhOutputScript } from '../../../src/scripts/key-output-scripts.js';
import { parseAmount } from '../../../src/messages/amount.js';
import { encodeMessage } from '../../../src/messages/codec.js';
import { MESSAGE_PROTOCOL } from '../../../src/messages/schema.js';
import { hash160 } from '../../../src/scripts/hash.js';
import { ChannelRuntime, type Rejection } from '../../../src/runtime/channel-runtime.js';
import { ChannelCommandError, PayeeChannel, PayerChannel } from '../../../src/runtime/channels.js';
import { MemoryStore } from '../../../src/runtime/store.js';
import { MemoryLink } from '../../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../../src/runtime/wallet.js';
import { completeCommit } from '../../../src/transactions/commit-transaction.js';
import { publicKeyOf } from '../../../src/transactions/keys.js';
import { decodeTransaction, rawTransactionId } from '../../../src/transactions/raw-transaction.js';
import {
  buildExpireTransaction,
  buildPayoutTransaction,
} from '../../../src/transactions/spend-transactions.js';
import type { Chain, Outpoint } from '../../../src/chain/chain.js';
import { ChannelIoError } from '../../../src/runtime/runtime-errors.js';
import { bitcoreScriptVerifier } from '../../support/bitcore-verifier.js';
import { consensusScriptVerifier, malleate } from '../../support/malleate.js';
import { testPrivateKey } from '../../support/channel-harness.js';
import {
  type ChainBackend,
  defaultChainBackend,
  type PartyChains,
  partyChains,
} from '../../support/chain-backend.js';
import { referenceRevokeUntil } from './reference.js';
import { snapshotContext } from '../../support/snapshot-context.js';

/** Which party, if any, misbehaves in a run (at most one). */
export type Dishonest = 'none' | 'payer' | 'payee';
export type Side = 'payer' | 'payee';
/** An adapter whose calls the model makes fail. */
export type FaultTarget = 'store' | 'transport' | 'chain';

/** Random channel parameters of one run. */
export interface ChannelParams {
  readonly depositAmount: bigint;
  readonly expireTime: number;
  readonly delayTime: number;
  readonly clearance: number;
  readonly payerFeeRate: number;
  readonly payeeMinFeeRate: number;
  readonly payeeFeeRate: number;
  /** Payee randomness, drawn by fast-check so that a seed replays byte for byte. */
  readonly spendSecret: Uint8Array;
  readonly revokeSeed: Uint8Array;
  /** Recovery: the payee is told to close (`command`) or closes by itself at `clearance` (`deadline`). */
  readonly closeMode: 'command' | 'deadline';
  /** A dishonest payee publishes a revoked commit when recovery starts (if it holds one). */
  readonly cheatAtClose: boolean;
  /** The payer's bounds on offers (PROTOCOL.md §2): shortest delay and longest expiry it accepts. */
  readonly minDelayTime: number;
  readonly maxExpireTime: number;
  /**
   * A dishonest payee's opening move: first an offer beyond the payer's bounds (which must be
   * refused with the state unchanged), or its real offer exactly at the bounds.
   */
  readonly offerCheat: 'none' | 'delay-below' | 'expire-above' | 'at-bounds';
  /** Confirmations after which both parties take a settling spend as final. */
  readonly finalityDepth: number;
  /** During recovery, a reorganisation as deep as finality allows every this many blocks (0: none). */
  readonly recoveryReorgEvery: number;
}

const CHANNEL_ID = 'model-channel';
export const PAYER_KEY = testPrivateKey(1);
export const PAYEE_KEY = testPrivateKey(2);
/** The payer's recoveries pay its wallet script (the default destination of its key). */
export const PAYER_DESTINATION = p2wpkhOutputScript(publicKeyOf(PAYER_KEY));
export const PAYEE_DESTINATION = p2wpkhOutputScript(publicKeyOf(PAYEE_KEY));

/**
 * Codes an honest party's own messages can never earn: they mean a message was forged or an
 * engine built something its counterparty cannot accept. Staleness codes (duplicates, reordered
 * or resent messages) are fine.
 */
export const FORGERY_CODES = new Set([
  'TX_BAD_SIGNATURE',
  'TX_BAD_SIGNATURE_FORMAT',
  'TX_WRONG_OUTPUTS',
  'TX_FEE_TOO_LOW',
  'TX_WRONG_FIELDS',
  'TX_WRONG_INPUT',
  'TX_WRONG_KEY',
  'TX_UNSIGNED',
  'TX_MALFORMED',
  'TX_AMOUNT_OUT_OF_RANGE',
  'DEPOSIT_UNACCEPTABLE',
  'DEPOSIT_MISMATCH',
  'OFFER_UNACCEPTABLE',
  'WRONG_CHANNEL',
  'MESSAGE_NOT_JSON',
  'MESSAGE_SCHEMA_VIOLATION',
  'MESSAGE_INVALID_FIELD',
]);

const TYPED_CODE = /^[A-Z][A-Z0-9_]+$/;

/** A short description of a message text for the run log. */
function messageSummary(text: string): string {
  try {
    const m = JSON.parse(text) as { type?: string; amount?: string; secrets?: unknown[] };
    const detail = m.amount ?? (Array.isArray(m.secrets) ? `${m.secrets.length} secrets` : '');
    return `${m.type ?? '?'} ${detail}`.trim();
  } catch {
    return `${text.slice(0, 40)}...`;
  }
}

/** How a world is built, beyond the random parameters of its run. */
export interface WorldOptions {
  /**
   * How the parties reach the simulated chain: directly, or each through its own
   * `BitcoinCoreChain` client over a simulated node on loopback (see {@link World.close}).
   * Default: the `PICOPAYMENTS_TEST_CHAIN` environment variable, else `simulated`.
   */
  readonly chain?: ChainBackend;
}

/** How a user command ended (see {@link World.command}). */
export type CommandOutcome = 'done' | 'not-run' | 'refused' | 'recorded' | 'lost';

/** A commit the dishonest payee published behind its machine's back. */
interface AdversaryCommit {
  readonly txid: string;
  readonly commitScript: string;
  readonly value: bigint;
}

/**
 * One run's world: a simulated chain judging every script with bitcore, a payer and a payee
 * runtime over memory stores, a message queue the test controls, and the model's own record of
 * what each honest party is entitled to. The parties reach the chain directly, or (backend
 * `bitcoin-core`) each through its own `BitcoinCoreChain` client over a simulated node serving
 * it; the model itself always mines, reorganises and inspects the simulated chain.
 *
 * Watching assumption (PROTOCOL.md §8): an honest party syncs after every block unless crashed,
 * and a crash never makes it miss more than {@link World.crashCap} consecutive blocks — the payer
 * must see a revoked commit and get its revoke in before `delay_time` runs out, the payee must
 * publish between `clearance` and the expiry.
 */
export class World {
  /**
   * Copies a miner re-encoded: judged by consensus rules only, everything else by the
   * standard (policy) flags.
   */
  readonly minerCopies = new Set<string>();
  readonly chain = new SimulatedChain({
    // Full replace-by-fee, as Bitcoin Core 28 and later relay by default: a payer whose revoke
    // was dropped by a reorganisation must still be able to outbid a payout that got in first.
    replaceByFee: true,
    verifyScript: (args) =>
      this.minerCopies.has(rawTransactionId(args.tx))
        ? consensusScriptVerifier(args)
        : bitcoreScriptVerifier(args),
  });
  /** Injected adapter failures still to happen, per adapter and party (the next calls fail). */
  readonly faults: Record<FaultTarget, Record<Side, number>> = {
    store: { payer: 0, payee: 0 },
    transport: { payer: 0, payee: 0 },
    chain: { payer: 0, payee: 0 },
  };
  /** Store writes each party makes before its process dies at the next one; null: no crash armed. */
  readonly crashAtWrite: Record<Side, number | null> = { payer: null, payee: null };
  /** Set when a party's process died at a store write, until the runtime's failure reaches us. */
  private readonly diedAtWrite: Record<Side, boolean> = { payer: false, payee: false };
  /** Channel broadcasts still to reach the chain only as a malleated copy. */
  malleateBroadcasts = 0;
  /** The chains the parties talk to (the simulated chain itself, or a client of the node). */
  #chains: PartyChains | null = null;
  /** Restarts so far: alternates how a restarted party's chain client comes back. */
  #clientRestarts = 0;
  readonly link = new MemoryLink();
  readonly stores: Record<Side, MemoryStore> = {
    payer: new MemoryStore({ keepVersions: true }),
    payee: new MemoryStore({ keepVersions: true }),
  };
  wallet!: SingleKeyWallet;
  payer: PayerChannel | null = null;
  payee: PayeeChannel | null = null;
  /** Height at which a party crashed; absent while it runs. */
  readonly crashedAt: Partial<Record<Side, number>> = {};
  /** The dishonest payee went silent for good (never pays out, never answers). */
  payeeGone = false;
  /** Model: amounts of the commits the honest payee accepted and did not give back. */
  payeeEntitled: bigint[] = [];
  /** Model: revoke hashes whose secret reached the payer (it learned the commit was revoked). */
  readonly payerLearned = new Set<string>();
  /** Every payer-signed commit the payee ever held (raw tx → commit script), for a cheating payee. */
  readonly heldCommits = new Map<string, { commitScript: string; revokeHash: string }>();
  readonly adversaryCommits: AdversaryCommit[] = [];
  /** Log of what happened, printed with a failure. */
  readonly log: string[] = [];
  depositScript = '';
  fundingHeight = 0;
  depositOutpoint = { txid: '', vout: 0 };

  private constructor(
    readonly params: ChannelParams,
    readonly dishonest: Dishonest,
  ) {}

  /**
   * Sets up both parties and opens the channel (deposit confirmed, first revoke hash known).
   * A world over `bitcoin-core` holds a node and two clients until {@link World.close}.
   */
  static async open(
    params: ChannelParams,
    dishonest: Dishonest,
    options: WorldOptions = {},
  ): Promise<World> {
    const w = new World(params, dishonest);
    w.#chains = await partyChains(w.chain, options.chain ?? defaultChainBackend());
    try {
      await w.#openChannel();
    } catch (error) {
      await w.close();
      throw error;
    }
    return w;
  }

  /** Which backend the parties reach the chain through. */
  get backend(): ChainBackend {
    return this.#chains!.backend;
  }

  /** Lets go of the backend's node and clients (idempotent; nothing to do for `simulated`). */
  async close(): Promise<void> {
    await this.#chains?.close();
  }

  /**
   * What `side` sees as its chain: its backend's chain, with a miner that may put a malleated
   * copy of a broadcast into the simulated chain first.
   */
  partyChain(side: Side): Chain {
    const chain = this.#chains![side];
    const watch = chain.watch?.bind(chain);
    return {
      getHeight: () => chain.getHeight(),
      getTransaction: (txid) => chain.getTransaction(txid),
      getSpender: (outpoint) => chain.getSpender(outpoint),
      getOutput: (outpoint) => chain.getOutput(outpoint),
      onBlock: (listener) => chain.onBlock(listener),
      broadcast: async (rawTx) => {
        if (this.malleateBroadcasts > 0) this.includeMalleatedCopy(rawTx);
        return chain.broadcast(rawTx);
      },
      ...(watch ? { watch } : {}),
    };
  }

  async #openChannel(): Promise<void> {
    const { params, dishonest } = this;
    // The deposit is broadcast before any miner move is armed: the wallet uses the chain as is.
    this.wallet = new SingleKeyWallet(this.#chains!.payer, PAYER_KEY);
    const funding = params.depositAmount + 100_000n;
    this.wallet.addCoin(this.chain.fund(this.wallet.outputScript, funding), funding);
    this.fundingHeight = this.chain.height;
    const atBounds = dishonest === 'payee' && params.offerCheat === 'at-bounds';
    const payeeInput: PayeeContext = {
      ...newPayeeContext({
        channelId: CHANNEL_ID,
        network: 'regtest',
        expireTimeRange: atBounds
          ? { min: params.maxExpireTime, max: params.maxExpireTime }
          : { min: 10, max: 1000 },
        delayTimeRange: atBounds
          ? { min: params.minDelayTime, max: params.minDelayTime }
          : { min: 1, max: 100 },
        minFeeRate: params.payeeMinFeeRate,
        feeRate: params.payeeFeeRate,
        clearance: params.clearance,
        privateKey: PAYEE_KEY,
        destinationScript: PAYEE_DESTINATION,
        finalityDepth: params.finalityDepth,
        height: this.chain.height,
      }),
      spendSecret: bytesToHex(params.spendSecret),
      spendSecretHash: bytesToHex(hash160(params.spendSecret)),
      revokeSeed: bytesToHex(params.revokeSeed),
    };
    this.payer = await PayerChannel.create(
      {
        channelId: CHANNEL_ID,
        network: 'regtest',
        depositAmount: params.depositAmount,
        feeRate: params.payerFeeRate,
        expireTime: params.expireTime,
        delayTime: params.delayTime,
        minDelayTime: params.minDelayTime,
        maxExpireTime: params.maxExpireTime,
        privateKey: PAYER_KEY,
        destinationScript: PAYER_DESTINATION,
        finalityDepth: params.finalityDepth,
        height: this.chain.height,
      },
      this.env('payer'),
    );
    if (dishonest === 'payee') await this.offerBeyondBounds(payeeInput);
    // The payee starts from a context with seeded secrets; the channel API then restores it.
    const started = await ChannelRuntime.start(payeeMachine, payeeInput, this.env('payee'));
    this.payee = await PayeeChannel.restore(started.snapshotText(), this.env('payee'));
    await this.deliverAll();
    this.chain.mine(1);
    await this.syncAll();
    await this.deliverAll();
    const payer = this.payer.context;
    expect(this.payer.status().state).toBe('open');
    expect(this.payee.status().state).toBe('open');
    this.depositScript = payer.depositScript!;
    this.depositOutpoint = { txid: payer.deposit!.txid, vout: payer.deposit!.vout };
  }

  /**
   * The dishonest payee's first move: an offer whose delay range lies below the payer's minimum
   * (the {0,0} of a revoked commit paid out in the same block as its revoke) or whose expiry
   * range lies above the payer's maximum. The payer must refuse it and stay unchanged.
   */
  private async offerBeyondBounds(payee: PayeeContext): Promise<void> {
    const { offerCheat, minDelayTime, maxExpireTime } = this.params;
    if (offerCheat !== 'delay-below' && offerCheat !== 'expire-above') return;
    const below = offerCheat === 'delay-below';
    const offer = encodeMessage({
      protocol: MESSAGE_PROTOCOL,
      type: 'offer',
      channelId: CHANNEL_ID,
      payeePubkey: payee.payeePubkey,
      spendSecretHash: payee.spendSecretHash,
      expireTime: below ? { min: 10, max: 1000 } : { min: maxExpireTime + 1, max: 65535 },
      delayTime: below ? { min: 0, max: minDelayTime - 1 } : { min: 1, max: 100 },
      minFeeRate: payee.minFeeRate,
      network: 'regtest',
    });
    const before = this.payer!.snapshot();
    const rejections = await this.payer!.receive(offer);
    this.note(`hostile offer (${offerCheat}): ${rejections.map((r) => r.code).join(',')}`);
    expect(rejections.map((r) => r.code)).toEqual([
      below ? 'OFFER_DELAY_TOO_SHORT' : 'OFFER_EXPIRE_TOO_LONG',
    ]);
    expect(this.payer!.snapshot()).toBe(before);
  }

  /**
   * The miner's move: a re-encoded copy of a channel transaction (other txid, same spends and
   * payments) enters the mempool first, so the original is refused as a conflict.
   */
  private includeMalleatedCopy(rawTx: Uint8Array): void {
    let copy: Uint8Array;
    try {
      copy = malleate(rawTx);
    } catch {
      return; // Nothing to re-encode (no legacy input).
    }
    const txid = rawTransactionId(copy);
    this.minerCopies.add(txid);
    try {
      this.chain.submit(copy);
      this.malleateBroadcasts--;
      this.note(
        `miner: malleated copy ${txid.slice(0, 8)} of ${rawTransactionId(rawTx).slice(0, 8)}`,
      );
    } catch {
      this.minerCopies.delete(txid); // Not valid yet (or already spent): the original goes on.
    }
  }

  /** Consumes one injected failure of `target` for `side`, if one is pending. */
  private failing(target: FaultTarget, side: Side): boolean {
    if (this.faults[target][side] <= 0) return false;
    this.faults[target][side]--;
    this.note(`injected ${target} failure at ${side}`);
    return true;
  }

  /** The adapters of one party, each able to fail on request (fault injection). */
  env(side: Side) {
    const store = this.stores[side];
    const endpoint = this.link.endpoint(side);
    const chain = this.partyChain(side);
    const fail = (target: FaultTarget, what: string) => {
      if (this.failing(target, side)) throw new Error(`injected: ${what}`);
    };
    return {
      chain: {
        getHeight: async () => {
          fail('chain', 'ECONNREFUSED');
          return chain.getHeight();
        },
        getTransaction: async (txid: string) => {
          fail('chain', 'ECONNREFUSED');
          return chain.getTransaction(txid);
        },
        getSpender: async (o: Outpoint) => {
          fail('chain', 'ECONNREFUSED');
          return chain.getSpender(o);
        },
        getOutput: (o: Outpoint) => chain.getOutput(o),
        onBlock: (listener: (height: number) => void) => chain.onBlock(listener),
        broadcast: async (rawTx: Uint8Array) => {
          fail('chain', 'ECONNRESET');
          return chain.broadcast(rawTx);
        },
        // A chain that indexes what it is told to watch (Bitcoin Core without txindex) is told.
        ...(chain.watch ? { watch: chain.watch } : {}),
      } satisfies Chain,
      transport: {
        send: async (text: string) => {
          fail('transport', 'connection reset');
          return endpoint.send(text);
        },
      },
      store: {
        load: (key: string) => store.load(key),
        save: async (key: string, snapshot: string) => {
          this.dieAtWrite(side);
          fail('store', 'disk full');
          return store.save(key, snapshot);
        },
      },
      storeKey: CHANNEL_ID,
      ...(side === 'payer' ? { wallet: this.wallet } : {}),
    };
  }

  /** Counts down an armed crash: at zero, this write is lost and the process is gone. */
  private dieAtWrite(side: Side): void {
    const left = this.crashAtWrite[side];
    if (left === null) return;
    if (left > 0) {
      this.crashAtWrite[side] = left - 1;
      return;
    }
    this.crashAtWrite[side] = null;
    this.diedAtWrite[side] = true;
    throw new Error('injected: the process was killed during this write');
  }

  honest(side: Side): boolean {
    return this.dishonest !== side;
  }

  /**
   * Most blocks a crashed party may miss (see the class comment). The payer's margin,
   * `delay_time - 2` blocks, is shared with {@link World.reorgCap}: a revoke confirmed late and
   * then reorganised out is as late as one broadcast after a longer gap.
   */
  crashCap(side: Side): number {
    const { delayTime, clearance } = this.params;
    return side === 'payer'
      ? Math.max(0, delayTime - 2 - this.reorgCap())
      : Math.max(0, clearance - 3);
  }

  /**
   * Deepest reorganisation the world makes: shallower than the finality depth, and within the
   * payer's confirmation margin (PROTOCOL.md §7a), half of `delay_time - 2`. A deeper one can
   * take a confirmed revoke out of the chain once the payout of the revoked commit is valid.
   */
  reorgCap(): number {
    const { delayTime, finalityDepth } = this.params;
    return Math.min(finalityDepth - 1, Math.floor(Math.max(0, delayTime - 2) / 2));
  }

  note(line: string): void {
    this.log.push(`[h${this.chain.height}] ${line}`);
  }

  party(side: Side): PayerChannel | PayeeChannel | null {
    return side === 'payer' ? this.payer : this.payee;
  }

  // ---- crashes and restarts -------------------------------------------------------------

  crash(side: Side): void {
    if (!this.party(side)) return;
    this.note(`crash ${side}`);
    this.crashAtWrite[side] = null; // A crash armed for a later write dies with the process.
    if (side === 'payer') this.payer = null;
    else this.payee = null;
    this.crashedAt[side] = this.chain.height;
  }

  /** Restarts from snapshot version `index` (the latest when omitted; an older one is stale). */
  async restart(side: Side, index?: number): Promise<void> {
    const versions = this.stores[side].versions(CHANNEL_ID);
    const at = index === undefined ? versions.length - 1 : Math.min(index, versions.length - 1);
    const snapshot = versions[at]!;
    // The process restarts with its chain client: every other time the new client resumes from
    // the old one's cursor, else it starts at the tip and relies on the channel's watches.
    const how = this.#clientRestarts++ % 2 === 0 ? 'resume' : 'fresh';
    await this.#chains!.restart(side, how);
    this.note(
      `restart ${side} from version ${at}/${versions.length - 1}` +
        (this.backend === 'simulated' ? '' : ` (client: ${how})`),
    );
    if (side === 'payer') this.payer = await PayerChannel.restore(snapshot, this.env('payer'));
    else this.payee = await PayeeChannel.restore(snapshot, this.env('payee'));
    delete this.crashedAt[side];
    await this.syncWithRetries(side);
    this.observe();
  }

  /** Honest watching: restart a crashed party before it would miss too many blocks. */
  private async enforceWatching(): Promise<void> {
    for (const side of ['payer', 'payee'] as const) {
      const since = this.crashedAt[side];
      if (since === undefined || (side === 'payee' && this.payeeGone)) continue;
      if (this.chain.height - since > this.crashCap(side)) await this.restart(side);
    }
  }

  // ---- chain ------------------------------------------------------------------------------

  async syncAll(): Promise<void> {
    for (const side of ['payer', 'payee'] as const) await this.syncWithRetries(side);
    this.observe();
  }

  /** An embedder's loop: a sync that failed on an adapter is tried again (faults are finite). */
  private async syncWithRetries(side: Side): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const party = this.party(side);
      if (!party) return;
      try {
        await party.sync();
        return;
      } catch (error) {
        this.checkIoFailure(side, error, null);
      }
    }
    throw new Error(`${side} could not sync after 8 attempts`);
  }

  /**
   * An adapter failure must be typed, and leave the party either exactly as before the call
   * (nothing of it saved) or at what it saved.
   */
  private checkIoFailure(side: Side, error: unknown, snapshotBefore: string | null): boolean {
    if (!(error instanceof ChannelIoError)) throw error;
    this.note(`${side} ${error.code} (recorded: ${error.recorded})`);
    const party = this.party(side)!;
    if (!error.recorded && snapshotBefore !== null)
      expect(party.snapshot(), `${side} half-advanced after ${error.code}`).toBe(snapshotBefore);
    if (error.recorded)
      expect(this.stores[side].versions(CHANNEL_ID).at(-1), `${side} ahead of its store`).toBe(
        party.snapshot(),
      );
    if (this.diedAtWrite[side]) {
      // The process is gone: what it wrote before this write is all that is left of the step.
      this.diedAtWrite[side] = false;
      this.crash(side);
      // It died inside a step, perhaps its sync of this block: count this block as missed too,
      // so that honest watching brings it back within its allowance.
      this.crashedAt[side] = this.chain.height - 1;
    }
    return error.recorded;
  }

  /** Mines `count` blocks one by one; the adversary acts first, then every running party syncs. */
  async mine(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.enforceWatching();
      this.chain.mine(1);
      this.adversaryAfterBlock();
      await this.syncAll();
    }
  }

  /**
   * A reorganisation shallower than the finality depth, then as many blocks again (the
   * transactions are mined anew, where still valid). Any block may go, settling transactions
   * included: a party must follow its spend back to the mempool, rebroadcast it or take another
   * path, and finish only at `finalityDepth` confirmations.
   */
  async reorg(depth: number): Promise<void> {
    await this.enforceWatching();
    // Never the faucet's block: its coin (and so the deposit) would vanish with it.
    const d = Math.min(depth, this.chain.height - this.fundingHeight, this.reorgCap());
    if (d <= 0) return;
    const result = this.chain.reorg(d);
    this.note(`reorg ${d}: dropped ${result.dropped.length}`);
    // A crashed party misses the replacement blocks too: its watching gap counts from the fork.
    for (const side of ['payer', 'payee'] as const) {
      const since = this.crashedAt[side];
      if (since !== undefined) this.crashedAt[side] = Math.min(since, this.chain.height);
    }
    await this.mine(d);
  }

  /**
   * What the dishonest party does as soon as a block arrives, before anyone else syncs: the payee
   * pays out every commit it published behind its machine's back; the eager payer tries to expire
   * the deposit. Whatever the chain accepts must respect the relative locks.
   */
  private adversaryAfterBlock(): void {
    if (this.dishonest === 'payer' && this.params.cheatAtClose) this.tryEarlyExpire();
    if (this.dishonest !== 'payee') return;
    for (const c of this.adversaryCommits) {
      let raw: Uint8Array;
      try {
        raw = buildPayoutTransaction({
          outpoint: { txid: c.txid, vout: 0 },
          value: c.value,
          destinationScript: PAYEE_DESTINATION,
          feeRate: this.params.payeeFeeRate,
          privateKey: PAYEE_KEY,
          commitScript: hexToBytes(c.commitScript),
          spendSecret: this.params.spendSecret,
        }).rawTx;
        this.chain.submit(raw);
      } catch {
        continue; // Not valid yet, already spent, or uneconomic.
      }
      this.note(`adversary payout of ${c.txid.slice(0, 8)} submitted`);
      expect(
        this.chain.confirmations(c.txid) ?? 0,
        'the chain accepted a payout before delay_time',
      ).toBeGreaterThanOrEqual(this.params.delayTime);
    }
  }

  // ---- messages ---------------------------------------------------------------------------

  /** Delivers the in-flight message at `index` (to a crashed party: lost). */
  async deliverAt(index: number): Promise<void> {
    const [message] = this.link.queue.splice(index, 1);
    if (!message) return;
    const to: Side = message.from === 'payer' ? 'payee' : 'payer';
    await this.receive(to, message.text, this.honest(message.from) ? 'honest' : 'dishonest');
  }

  /** Delivers until the queue is empty (bounded). */
  async deliverAll(limit = 200): Promise<void> {
    for (let i = 0; i < limit && this.link.queue.length > 0; i++) await this.deliverAt(0);
  }

  /**
   * Hands a message text to a party and checks property 5 on every refusal: a typed code is
   * reported and the persisted snapshot is unchanged. A forged message must be refused; an
   * honest party's own message is never refused as if it were forged.
   */
  async receive(
    to: Side,
    text: string,
    origin: 'honest' | 'dishonest' | 'forged',
  ): Promise<Rejection[]> {
    const party = this.party(to);
    if (!party) {
      this.note(`${messageSummary(text)} lost: ${to} is down`);
      return [];
    }
    if (party.done) return [];
    const store = this.stores[to];
    const versionsBefore = store.versions(CHANNEL_ID).length;
    const snapshotBefore = party.snapshot();
    let rejections: Rejection[];
    try {
      rejections = await party.receive(text);
    } catch (error) {
      // The message is lost to an adapter failure; what was saved of its step stands.
      if (this.checkIoFailure(to, error, snapshotBefore)) this.learnFromDelivery(to, text);
      return [];
    }
    const summary = messageSummary(text);
    if (rejections.length > 0) {
      this.note(`${to} refused ${summary}: ${rejections.map((r) => r.code).join(',')}`);
      this.checkRefusal(to, rejections, versionsBefore, snapshotBefore);
      if (origin === 'honest') {
        for (const r of rejections)
          expect(
            FORGERY_CODES.has(r.code),
            `${to} refused an honest message: ${r.code} ${r.reason}`,
          ).toBe(false);
      }
    } else {
      if (origin === 'forged') {
        throw new Error(`${to} accepted a forged message: ${summary}`);
      }
      this.note(`${to} took ${messageSummary(text)}`);
      this.learnFromDelivery(to, text);
    }
    this.observe();
    return rejections;
  }

  private checkRefusal(
    side: Side,
    rejections: readonly Rejection[],
    versionsBefore: number,
    snapshotBefore: string,
  ): void {
    for (const r of rejections) expect(r.code, r.reason).toMatch(TYPED_CODE);
    expect(this.stores[side].versions(CHANNEL_ID).length, `${side} persisted on a refusal`).toBe(
      versionsBefore,
    );
    expect(this.party(side)!.snapshot(), `${side} changed state on a refusal`).toBe(snapshotBefore);
  }

  /** Updates the model after a message was accepted. */
  private learnFromDelivery(to: Side, text: string): void {
    const message = JSON.parse(text) as {
      type: string;
      amount?: string;
      secrets?: string[];
    };
    if (to === 'payer' && message.type === 'revoke-secrets') {
      for (const s of message.secrets ?? [])
        this.payerLearned.add(bytesToHex(hash160(hexToBytes(s))));
    }
    if (to === 'payee' && message.type === 'commit' && this.honest('payee')) {
      const amount = parseAmount(message.amount!);
      const transferred = this.payeeEntitled.reduce((m, a) => (a > m ? a : m), 0n);
      // An accepted commit raises the transferred amount (messages of a closed channel are refused).
      if (amount > transferred) this.payeeEntitled.push(amount);
    }
  }

  // ---- commands ---------------------------------------------------------------------------

  /**
   * Runs a user command; a refusal must carry a typed code and leave the snapshot unchanged.
   * Resolves how it ended: carried out, not run, refused, or cut short by an adapter failure
   * after its state was saved (`recorded`: it took effect) or before (`lost`).
   */
  async command(side: Side, name: string, run: () => Promise<void>): Promise<CommandOutcome> {
    const party = this.party(side);
    if (!party || party.done) return 'not-run';
    const versionsBefore = this.stores[side].versions(CHANNEL_ID).length;
    const snapshotBefore = party.snapshot();
    try {
      await run();
      this.note(`${side} ${name}`);
      this.observe();
      return 'done';
    } catch (error) {
      if (error instanceof ChannelIoError) {
        const recorded = this.checkIoFailure(side, error, snapshotBefore);
        this.observe();
        return recorded ? 'recorded' : 'lost';
      }
      if (!(error instanceof ChannelCommandError)) throw error;
      this.note(`${side} ${name} refused: ${error.code}`);
      this.checkRefusal(
        side,
        [{ event: name, code: error.code, reason: error.message }],
        versionsBefore,
        snapshotBefore,
      );
      return 'refused';
    }
  }

  async revokeUntil(amount: bigint, surpass: boolean): Promise<void> {
    const payee = this.payee;
    if (!payee) return;
    const outcome = await this.command(
      'payee',
      `revoke-until ${amount}${surpass ? ' surpass' : ''}`,
      () => payee.revokeUntil(amount, { surpass }),
    );
    if ((outcome !== 'done' && outcome !== 'recorded') || !this.honest('payee')) return;
    // A give-back saved before a failing write stands: the payee resends its secrets.
    this.payeeEntitled = referenceRevokeUntil(this.payeeEntitled, amount, surpass);
    if (outcome === 'recorded') return;
    const expected = this.payeeEntitled.reduce((m, a) => (a > m ? a : m), 0n);
    expect(payee.status().transferred, 'revoke-until left another transferred amount').toBe(
      expected,
    );
  }

  // ---- dishonest payee ----------------------------------------------------------------------

  /** Completes any commit the payee ever held with the payee key and submits it directly. */
  publishHeldCommit(pick: number, preferRevoked: boolean): void {
    const all = [...this.heldCommits.entries()];
    if (all.length === 0) return;
    const revoked = all.filter(([, c]) => this.payeeRevokedHashes().has(c.revokeHash));
    const pool = preferRevoked && revoked.length > 0 ? revoked : all;
    const [rawTx, commit] = pool[pick % pool.length]!;
    const complete = completeCommit(hexToBytes(rawTx), hexToBytes(this.depositScript), PAYEE_KEY);
    try {
      this.chain.submit(complete);
      const txid = rawTransactionId(complete);
      const value = decodeTransaction(complete).outputs[0]!.value;
      this.adversaryCommits.push({ txid, commitScript: commit.commitScript, value });
      this.note(`adversary published commit ${value} (${txid.slice(0, 8)})`);
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
    }
  }

  private payeeRevokedHashes(): Set<string> {
    const hashes = new Set<string>();
    for (const version of this.stores.payee.versions(CHANNEL_ID)) {
      const context = snapshotContext<PayeeContext>(version);
      for (const r of context.revokedCommits)
        hashes.add(bytesToHex(hash160(hexToBytes(r.revokeSecret))));
    }
    return hashes;
  }

  /** Records what the parties hold after each step (the commits a cheating payee could publish). */
  observe(): void {
    const payee = this.payee;
    if (!payee) return;
    for (const c of payee.context.activeCommits)
      this.heldCommits.set(c.rawTx, {
        commitScript: c.commitScript,
        revokeHash: c.revokeSecretHash,
      });
  }

  // ---- dishonest payer ----------------------------------------------------------------------

  /** The payer's attempt to take the deposit back early: the chain must refuse it before expiry. */
  tryEarlyExpire(): void {
    const raw = buildExpireTransaction({
      outpoint: this.depositOutpoint,
      value: this.params.depositAmount,
      destinationScript: PAYER_DESTINATION,
      feeRate: this.params.payerFeeRate,
      privateKey: PAYER_KEY,
      depositScript: hexToBytes(this.depositScript),
    }).rawTx;
    try {
      this.chain.submit(raw);
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      return;
    }
    this.note('payer expire accepted');
    expect(
      this.chain.confirmations(this.depositOutpoint.txid) ?? 0,
      'the chain accepted an expire before expire_time',
    ).toBeGreaterThanOrEqual(this.params.expireTime);
  }
}
