import { bytesToHex, hexToBytes } from '../bytes.js';
import { decodeRawTransaction, txidOfDecoded } from '../chain/raw-transaction.js';
import { PicopaymentsError } from '../errors.js';
import type { Store } from '../runtime/store.js';
import { HubError } from './errors.js';

/** What one journal entry holds: every write of a transaction and the broadcasts it deferred. */
interface JournalEntry {
  readonly v: 1;
  /** Increases by one per transaction, across every process sharing the store. */
  readonly seq: number;
  readonly writes: Record<string, string>;
  /** Raw transactions (hex) to publish once the entry is durable. */
  readonly broadcasts: string[];
}

/** Publishes a raw transaction; refusals (already known, already spent) are answers, not failures. */
export type Broadcaster = (rawTx: Uint8Array) => Promise<unknown>;

/** Writes sealed together, waiting for their journal entry, with whoever waits for it. */
interface Group {
  readonly writes: Map<string, string>;
  readonly broadcasts: Uint8Array[];
  readonly waiters: Waiter[];
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * A {@link Store} that makes many keys change together on top of single-key saves (a redo
 * journal): a transaction's writes are held in memory, then written as ONE journal entry under
 * `journalKey` (one atomic save), then copied to their own keys. A crash before the entry is
 * durable loses the whole transaction; a crash after it is repaired by {@link JournalStore.open},
 * which copies the entry again. Every write goes through the journal, so the last entry is never
 * older than a key it names.
 *
 * Group commit: one entry is written at a time. A transaction that ends while an entry is being
 * written is sealed and waits; when the write finishes, every transaction sealed meanwhile goes
 * into ONE next entry. Entries keep the order of the transactions, so a crash loses a suffix of
 * them, and {@link JournalStore.end} resolves only once the entry holding the transaction (and so
 * every one before it) is durable. A new transaction may begin before the previous one is
 * durable: it reads the previous one's writes from memory.
 *
 * Broadcasts requested while a transaction is open are deferred into the same entry and made
 * after it is durable (a transactional outbox): nothing leaves the hub before the state that
 * explains it is saved.
 *
 * When the base store has an atomic `saveAll` (and is not shared with other processes), an
 * entry's writes go to their own keys in the same atomic unit as the entry, which then names no
 * writes: one transaction and one sync per entry instead of two, and no write stored twice.
 *
 * Outside transactions a save is journaled on its own at the next turn of the event loop (saves
 * of that turn share one entry) and resolves once durable; a transaction that begins first seals
 * them on their own, so they never wait for the transaction's end.
 */
export class JournalStore implements Store {
  /** Writes of the open transactions (or, with none open, of this turn's saves). */
  private buffer = new Map<string, string>();
  private deferred: Uint8Array[] = [];
  private waiters: Waiter[] = [];
  /** Ended transactions waiting for the entry being written, oldest first. */
  private sealed: Group[] = [];
  /** The entry being written, if any. */
  private writing: Promise<void> | null = null;
  /** Writes taken from the buffer whose copy to their own key may not have finished. */
  private readonly copying = new Map<string, string>();
  private copied: Promise<void> = Promise.resolve();
  private kicked = false;
  private open_ = 0;
  private seq_ = 0;
  private broadcaster: Broadcaster | null = null;

  private constructor(
    private readonly base: Store,
    /** Key of the journal entry in the base store. */
    readonly journalKey: string,
    /** Writes go to their keys in one atomic `saveAll` (not when shared: other processes replay entries). */
    private readonly atomic = false,
  ) {}

  /**
   * Opens over `base` and repairs an interrupted transaction: the last journal entry's writes
   * are copied again (its broadcasts are made once {@link JournalStore.attachBroadcaster} runs).
   *
   * With `shared` (a store other processes write too), nothing is repaired now: the first
   * {@link JournalStore.refresh}, under the hub's lock, does it.
   *
   * @throws {@link HubError} `INTERNAL` when the journal entry is not readable.
   */
  static async open(
    base: Store,
    journalKey = 'hub:journal',
    shared = false,
  ): Promise<JournalStore> {
    const store = new JournalStore(base, journalKey, !shared && typeof base.saveAll === 'function');
    if (shared) {
      store.seq_ = -1;
      return store;
    }
    const entry = await store.readEntry();
    if (entry) {
      store.seq_ = entry.seq;
      await store.copy(entry.writes);
      store.deferred = entry.broadcasts.map((h) => hexToBytes(h));
    }
    return store;
  }

  /** Sequence number of the last entry this store wrote or repaired. */
  get seq(): number {
    return this.seq_;
  }

  /** Where deferred broadcasts go; publishes at once those left by an interrupted run. */
  async attachBroadcaster(broadcaster: Broadcaster): Promise<void> {
    this.broadcaster = broadcaster;
    const left = this.deferred;
    this.deferred = [];
    await this.publish(left);
  }

  /** The value under `key`: pending writes first (newest first), then the base store. */
  async load(key: string): Promise<string | null> {
    const held = this.buffer.get(key);
    if (held !== undefined) return held;
    for (let i = this.sealed.length - 1; i >= 0; i--) {
      const v = this.sealed[i]!.writes.get(key);
      if (v !== undefined) return v;
    }
    return this.copying.get(key) ?? this.base.load(key);
  }

  /**
   * Inside a transaction: held until the transaction ends (resolves at once). Outside: journaled
   * with the other saves of this turn; resolves once durable.
   */
  save(key: string, snapshot: string): Promise<void> {
    this.buffer.set(key, snapshot);
    if (this.open_ > 0) return Promise.resolve();
    return this.soon();
  }

  /**
   * Publishes `rawTx`: deferred to the end of the open transaction (resolving its txid at once),
   * or, outside one, after everything saved so far is durable.
   */
  async broadcast(rawTx: Uint8Array, publish: Broadcaster): Promise<string> {
    if (this.open_ > 0) {
      const txid = txidOfDecoded(decodeRawTransaction(rawTx));
      this.deferred.push(rawTx);
      return txid;
    }
    await this.soon();
    return (await publish(rawTx)) as string;
  }

  /** Opens a transaction: saves and broadcasts are held until {@link JournalStore.end}. */
  begin(): void {
    // Saves made outside any transaction are complete: sealed now, they do not wait for this one
    // (whose work may itself wait for them).
    if (this.open_ === 0 && (this.buffer.size > 0 || this.waiters.length > 0)) this.seal();
    this.open_++;
  }

  /**
   * Ends a transaction, adding `writes`; when no other is open, everything held is sealed for
   * the next journal entry. Resolves once the entry holding these writes is durable.
   */
  end(writes: Iterable<readonly [string, string]> = []): Promise<void> {
    for (const [k, v] of writes) this.buffer.set(k, v);
    this.open_ = Math.max(0, this.open_ - 1);
    const done = this.next();
    if (this.open_ === 0) {
      this.seal();
      this.kick();
    }
    return done;
  }

  /** Resolves once every journaled write has reached its own key (before handing the store over). */
  async settled(): Promise<void> {
    if (this.open_ === 0 && (this.buffer.size > 0 || this.waiters.length > 0)) this.seal();
    // Also writes again what a failed entry held.
    this.kick();
    while (this.writing) await this.writing;
    await this.copied;
  }

  /**
   * For stores shared by several processes (called while holding the hub's lock): when another
   * process wrote an entry since this one's last, copies it again (that process may have died
   * before) and forgets cached writes. Returns true when the store changed under this process.
   */
  async refresh(): Promise<boolean> {
    await this.settled();
    const entry = await this.readEntry();
    if (!entry || entry.seq === this.seq_) return false;
    this.copying.clear();
    this.seq_ = entry.seq;
    await this.copy(entry.writes);
    await this.publish(entry.broadcasts.map((h) => hexToBytes(h)));
    return true;
  }

  /** A promise of the next entry, written at the next turn unless a transaction is open. */
  private soon(): Promise<void> {
    const next = this.next();
    if (!this.kicked) {
      this.kicked = true;
      setImmediate(() => {
        this.kicked = false;
        // An open transaction sealed these saves when it began (or carries later ones to its end).
        if (this.open_ === 0) this.seal();
        this.kick();
      });
    }
    return next;
  }

  /** A promise settled with the entry that will hold what the buffer holds now. */
  private next(): Promise<void> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Closes the buffer into a group of its own (so that a transaction is never cut in two). */
  private seal(): void {
    this.sealed.push({ writes: this.buffer, broadcasts: this.deferred, waiters: this.waiters });
    this.buffer = new Map();
    this.deferred = [];
    this.waiters = [];
  }

  /** Writes every sealed group as one entry, unless an entry is being written (then after it). */
  private kick(): void {
    if (this.writing || this.sealed.length === 0) return;
    const groups = this.sealed;
    this.sealed = [];
    const writes: Record<string, string> = {};
    const broadcasts: Uint8Array[] = [];
    const waiters: Waiter[] = [];
    // Oldest first, so that a later transaction's value of a key wins.
    for (const g of groups) {
      for (const [k, v] of g.writes) writes[k] = v;
      broadcasts.push(...g.broadcasts);
      waiters.push(...g.waiters);
    }
    for (const [k, v] of Object.entries(writes)) this.copying.set(k, v);
    const run = this.write(writes, broadcasts);
    run.then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (error: unknown) => {
        for (const w of waiters) w.reject(error);
      },
    );
    // The next entry replaces this one: it is written once this one's copies have landed, so it
    // need not carry them again (only a failed copy rides along).
    const next = run.then(
      () => this.copied.then(() => true),
      () => false,
    );
    this.writing = next.then(() => undefined);
    void next.then((ok) => {
      this.writing = null;
      // After a failure the next attempt is made for someone waiting, never in a loop of its own.
      if (ok || this.sealed.some((g) => g.waiters.length > 0)) this.kick();
    });
  }

  private async write(writes: Record<string, string>, broadcasts: Uint8Array[]): Promise<void> {
    if (Object.keys(writes).length === 0 && broadcasts.length === 0) return;
    if (this.atomic) return this.writeAtomically(writes, broadcasts);
    // This entry replaces the previous one, whose copies have finished: it carries those that
    // failed, which are still held in `copying`.
    const entry: JournalEntry = {
      v: 1,
      seq: this.seq_ + 1,
      writes: { ...Object.fromEntries(this.copying), ...writes },
      broadcasts: broadcasts.map((b) => bytesToHex(b)),
    };
    try {
      await this.base.save(this.journalKey, JSON.stringify(entry));
    } catch (error) {
      // Not durable: held again, before every later group, for the next entry (newer values win).
      this.sealed.unshift({ writes: new Map(Object.entries(writes)), broadcasts, waiters: [] });
      throw error;
    }
    this.seq_ = entry.seq;
    // Awaited before the next entry and by settled(); a failed copy stays in `copying` and rides
    // in the next entry.
    this.copied = this.copy(entry.writes).catch(() => undefined);
    await this.publish(broadcasts);
  }

  /**
   * With a base store that saves many keys as one atomic unit: the writes go straight to their
   * keys, together with an entry that carries only the broadcasts (and replaces the last entry,
   * so that no older entry is replayed at the next open), in one transaction and one sync to
   * disk. After a crash all of them are there or none is, as with an entry and its copies.
   */
  private async writeAtomically(
    writes: Record<string, string>,
    broadcasts: Uint8Array[],
  ): Promise<void> {
    const entry: JournalEntry = {
      v: 1,
      seq: this.seq_ + 1,
      writes: {},
      broadcasts: broadcasts.map((b) => bytesToHex(b)),
    };
    // What an earlier failed attempt held rides along (newer values win).
    const all = { ...Object.fromEntries(this.copying), ...writes };
    try {
      await this.base.saveAll!([
        ...Object.entries(all).map(([key, snapshot]) => ({ key, snapshot })),
        { key: this.journalKey, snapshot: JSON.stringify(entry) },
      ]);
    } catch (error) {
      this.sealed.unshift({ writes: new Map(Object.entries(writes)), broadcasts, waiters: [] });
      throw error;
    }
    this.seq_ = entry.seq;
    for (const [k, v] of Object.entries(all)) if (this.copying.get(k) === v) this.copying.delete(k);
    await this.publish(broadcasts);
  }

  private async copy(writes: Record<string, string>): Promise<void> {
    await Promise.all(Object.entries(writes).map(([k, v]) => this.base.save(k, v)));
    for (const [k, v] of Object.entries(writes))
      if (this.copying.get(k) === v) this.copying.delete(k);
  }

  private async publish(rawTxs: readonly Uint8Array[]): Promise<void> {
    if (!this.broadcaster) {
      this.deferred.push(...rawTxs);
      return;
    }
    // A refusal is the chain's answer (the channel machines decide again at their next sync);
    // an unreachable chain is retried the same way.
    for (const raw of rawTxs) await this.broadcaster(raw).catch(() => undefined);
  }

  private async readEntry(): Promise<JournalEntry | null> {
    const text = await this.base.load(this.journalKey);
    if (text === null) return null;
    try {
      const entry = JSON.parse(text) as JournalEntry;
      if (
        entry.v !== 1 ||
        !Number.isSafeInteger(entry.seq) ||
        typeof entry.writes !== 'object' ||
        entry.writes === null ||
        !Array.isArray(entry.broadcasts)
      )
        throw new Error('shape');
      return entry;
    } catch (error) {
      if (error instanceof PicopaymentsError) throw error;
      throw new HubError('INTERNAL', 'the hub journal is not readable');
    }
  }
}
