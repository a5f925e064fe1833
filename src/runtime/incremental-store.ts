import { StoreError } from '../storage/errors.js';
import type { LogStore, LogWrite } from '../storage/log-store.js';
import { type Json, JsonDeltaError, type JsonDelta, applyDelta, diffJson } from './json-delta.js';
import type { Store, StoreWrite } from './store.js';

/** Options of {@link IncrementalStore}. */
export interface IncrementalStoreOptions {
  /** Deltas after which the next save rewrites the whole value and drops the log (default 64). */
  readonly compactEvery?: number;
  /** Values kept parsed in memory, newest used first (default 1,024); others are read back when next saved. */
  readonly cacheSize?: number;
  /**
   * Keys always written whole, never as deltas: values written once, for which reading back the
   * old value to diff against would cost more than it saves. Default: the runtime's history
   * records (keys holding `#`, see `historyStoreKey`).
   */
  readonly writeWhole?: (key: string) => boolean;
}

/** The parsed value of a key and where its log stands. */
interface KeyState {
  readonly value: Json;
  /** The last record of the key's log (or its last compaction point). */
  readonly head: number;
  /** Deltas since the last compaction. */
  readonly deltas: number;
}

/** Format tag of a compacted value: the log position it absorbed, and the value. */
const ENVELOPE = 'picopayments/incremental/v1';

interface Envelope {
  readonly format: typeof ENVELOPE;
  readonly through: number;
  readonly value: Json;
}

const DEFAULT_COMPACT_EVERY = 64;
const DEFAULT_CACHE_SIZE = 1024;
/** Reads retried when a compaction by another writer lands between reading a value and its log. */
const READ_ATTEMPTS = 4;

/**
 * A {@link Store} that writes each save as a small delta appended to the key's log, so that the
 * bytes one channel step writes do not grow with the channel: a payment changes one commit and a
 * few counters of a snapshot of several kilobytes. Every `compactEvery` deltas the whole value is
 * written again and the log dropped, atomically, so a restore reads at most that many records.
 *
 * It is a drop-in `Store`: `load` returns the whole current value, as if every save had been
 * written whole. Each delta is checked before it is written (applied to the old value, it must
 * give the new value exactly, else the value is written whole), and a save is durable when it
 * resolves, as with the underlying store. A save that fails leaves the key as it was; when
 * another writer advanced the key meanwhile, the save reads the key again and retries once.
 */
export class IncrementalStore implements Store {
  private readonly cache = new Map<string, KeyState>();
  private readonly compactEvery: number;
  private readonly cacheSize: number;
  private readonly writeWhole: (key: string) => boolean;

  /**
   * @throws {@link StoreError} `STORE_INVALID_OPTIONS` when `compactEvery` or `cacheSize` is not
   * a positive integer.
   */
  constructor(
    /** The store holding the values and their logs. */
    readonly log: LogStore,
    options: IncrementalStoreOptions = {},
  ) {
    this.compactEvery = positive(options.compactEvery ?? DEFAULT_COMPACT_EVERY, 'compactEvery');
    this.cacheSize = positive(options.cacheSize ?? DEFAULT_CACHE_SIZE, 'cacheSize');
    this.writeWhole = options.writeWhole ?? ((key) => key.includes('#'));
  }

  /**
   * The current value under `key` (JSON text), or null.
   *
   * @throws {@link StoreError} `STORE_CORRUPT` when the stored value or a delta does not parse or
   * does not fit; the underlying store's errors otherwise.
   */
  async load(key: string): Promise<string | null> {
    if (this.writeWhole(key)) return this.log.load(key);
    const state = await this.read(key);
    return state === null ? null : JSON.stringify(state.value);
  }

  /**
   * Saves `text` (JSON) under `key`: as a delta against the current value, or whole.
   *
   * @throws {@link StoreError} `STORE_INVALID_VALUE` when `text` is not JSON; the underlying
   * store's errors otherwise (nothing was written).
   */
  async save(key: string, text: string): Promise<void> {
    if (this.writeWhole(key)) return this.log.save(key, text);
    const next = parseValue(text);
    const cached = this.cache.get(key);
    try {
      await this.write(key, next, cached === undefined ? await this.read(key) : cached);
    } catch (error) {
      this.cache.delete(key);
      if (!(error instanceof StoreError && error.code === 'STORE_CONFLICT')) throw error;
      // Another writer advanced the key: diff against what it wrote.
      await this.write(key, next, await this.read(key));
    }
  }

  /**
   * Saves every write as one atomic group of the underlying store's {@link LogStore.writeAll}
   * (a later write of a key wins): each key's delta or compaction, and the keys written whole,
   * are durable together or not at all. When another writer advanced a key meanwhile, the group
   * is planned again from what is stored and retried once. Over a store without `writeAll` the
   * keys are saved one after another.
   *
   * @throws {@link StoreError} `STORE_INVALID_VALUE` when `writes` is not an array of JSON texts;
   *   the underlying store's errors otherwise (nothing was written).
   */
  async saveAll(writes: readonly StoreWrite[]): Promise<void> {
    if (!Array.isArray(writes))
      throw new StoreError('STORE_INVALID_VALUE', 'writes must be an array');
    const latest = new Map<string, string>();
    for (const w of writes) latest.set(w?.key, w?.snapshot);
    if (typeof this.log.writeAll !== 'function') {
      for (const [key, text] of latest) await this.save(key, text);
      return;
    }
    const items = [...latest].map(([key, text]) => {
      if (typeof key !== 'string')
        throw new StoreError('STORE_INVALID_VALUE', 'a write needs a string key');
      return this.writeWhole(key)
        ? { key, text, next: undefined }
        : { key, text, next: parseValue(text) };
    });
    try {
      await this.writeGroup(items, false);
    } catch (error) {
      for (const { key } of items) this.cache.delete(key);
      if (!(error instanceof StoreError && error.code === 'STORE_CONFLICT')) throw error;
      await this.writeGroup(items, true);
    }
  }

  private async writeGroup(
    items: readonly { key: string; text: string; next: Json | undefined }[],
    fresh: boolean,
  ): Promise<void> {
    const writes: LogWrite[] = [];
    const after: [string, KeyState][] = [];
    for (const { key, text, next } of items) {
      if (next === undefined) {
        if (typeof text !== 'string')
          throw new StoreError('STORE_INVALID_VALUE', 'an incremental store holds JSON text');
        writes.push({ kind: 'save', key, snapshot: text });
        continue;
      }
      const cached = fresh ? undefined : this.cache.get(key);
      const planned = this.plan(key, next, cached === undefined ? await this.read(key) : cached);
      if (planned.write) writes.push(planned.write);
      after.push([key, planned.after]);
    }
    if (writes.length > 0) await this.log.writeAll!(writes);
    for (const [key, state] of after) this.remember(key, state);
  }

  /**
   * Removes `key`, its log and its cached value.
   *
   * @throws {@link StoreError} `STORE_INVALID_OPTIONS` when the underlying store cannot delete.
   */
  async delete(key: string): Promise<void> {
    this.cache.delete(key);
    const log = this.log as LogStore & { delete?: (key: string) => Promise<void> };
    if (typeof log.delete !== 'function')
      throw new StoreError('STORE_INVALID_OPTIONS', 'the underlying store cannot delete keys');
    await log.delete(key);
  }

  private async write(key: string, next: Json, state: KeyState | null): Promise<void> {
    const { write, after } = this.plan(key, next, state);
    if (write?.kind === 'append') await this.log.append(key, write.seq, write.data);
    else if (write?.kind === 'compact')
      await this.log.compact(key, write.snapshot, write.throughSeq);
    this.remember(key, after);
  }

  /**
   * What saving `next` over `state` writes (null when the value is already durable): a delta
   * appended to the key's log, or the whole value when there is no log yet, the log is long, or
   * the delta is not much smaller than the value or does not reproduce it exactly.
   */
  private plan(
    key: string,
    next: Json,
    state: KeyState | null,
  ): { write: LogWrite | null; after: KeyState } {
    const compact = (through: number) => ({
      write: {
        kind: 'compact',
        key,
        snapshot: JSON.stringify({ format: ENVELOPE, through, value: next } satisfies Envelope),
        throughSeq: through,
      } as const,
      after: { value: next, head: through, deltas: 0 },
    });
    if (state === null) return compact(0);
    const delta = diffJson(state.value, next);
    if (delta === null) return { write: null, after: state };
    const deltaText = JSON.stringify(delta);
    const compactNow =
      state.deltas + 1 > this.compactEvery ||
      deltaText.length * 2 > JSON.stringify(next).length ||
      !deltaFits(state.value, delta, next);
    if (compactNow) return compact(state.head);
    return {
      write: { kind: 'append', key, seq: state.head + 1, data: deltaText },
      after: { value: next, head: state.head + 1, deltas: state.deltas + 1 },
    };
  }

  /** Reads the value and its log; retries when a compaction lands in between. */
  private async read(key: string): Promise<KeyState | null> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const text = await this.log.load(key);
      const records = await this.log.records(key);
      const base = text === null ? null : parseEnvelope(key, text);
      const through = base?.through ?? 0;
      if (
        records.length > 0 ? records[0]!.seq !== through + 1 : (await this.log.load(key)) !== text
      )
        continue;
      if (base === null && records.length === 0) return null;
      let value: Json = base?.value ?? null;
      for (const record of records) value = applyRecord(key, value, record.seq, record.data);
      const state = { value, head: through + records.length, deltas: records.length };
      this.remember(key, state);
      return state;
    }
    throw new StoreError('STORE_CONFLICT', `the log of ${key} kept moving while it was read`);
  }

  private remember(key: string, state: KeyState): void {
    this.cache.delete(key);
    this.cache.set(key, state);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new StoreError('STORE_INVALID_OPTIONS', `${name} must be a positive integer`);
  return value;
}

function parseValue(text: string): Json {
  if (typeof text !== 'string')
    throw new StoreError('STORE_INVALID_VALUE', 'an incremental store holds JSON text');
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new StoreError('STORE_INVALID_VALUE', 'an incremental store holds JSON text');
  }
}

/** A compacted value; a value written whole by something else counts as compacted at 0. */
function parseEnvelope(key: string, text: string): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoreError('STORE_CORRUPT', `the value of ${key} is not JSON`);
  }
  const envelope = parsed as Partial<Envelope> | null;
  if (typeof envelope !== 'object' || envelope === null || envelope.format !== ENVELOPE)
    return { format: ENVELOPE, through: 0, value: parsed as Json };
  if (
    !Number.isSafeInteger(envelope.through) ||
    (envelope.through as number) < 0 ||
    !('value' in envelope)
  )
    throw new StoreError('STORE_CORRUPT', `the compacted value of ${key} is malformed`);
  return envelope as Envelope;
}

function applyRecord(key: string, value: Json, seq: number, data: string): Json {
  try {
    return applyDelta(value, JSON.parse(data) as JsonDelta);
  } catch (error) {
    const why = error instanceof JsonDeltaError ? error.message : 'not JSON';
    throw new StoreError('STORE_CORRUPT', `record ${seq} of ${key} does not apply: ${why}`);
  }
}

/** True when `delta` turns `from` into exactly `to`: a delta is checked before it is written. */
function deltaFits(from: Json, delta: JsonDelta, to: Json): boolean {
  try {
    return JSON.stringify(applyDelta(from, delta)) === JSON.stringify(to);
  } catch {
    return false;
  }
}
