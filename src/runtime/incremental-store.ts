import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { StoreError } from '../storage/errors.js';
import type { LogStore, LogWrite } from '../storage/log-store.js';
import {
  type ChildDelta,
  type Json,
  JsonDeltaError,
  type JsonDelta,
  applyDelta,
  diffJson,
} from './json-delta.js';
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

/** A base a compacted value is written against: its store key and its value. */
interface Base {
  readonly key: string;
  readonly value: Json;
}

/** The parsed value of a key and where its log stands. */
interface KeyState {
  readonly value: Json;
  /** The last record of the key's log (or its last compaction point). */
  readonly head: number;
  /** Deltas since the last compaction. */
  readonly deltas: number;
  /** The base of the last compaction, when it was written against one. */
  readonly base: Base | null;
  /** The path of positions the last record of the log changed at, if any. */
  readonly lastPath: readonly number[] | null;
}

/** Format tag of a value compacted whole: the log position it absorbed, and the value. */
const ENVELOPE = 'picopayments/incremental/v1';

/**
 * Format tag of a value compacted against a base: the log position it absorbed, the store key
 * of the base, and the delta from the base's value to the value (null when they are equal).
 */
const BASED_ENVELOPE = 'picopayments/incremental/v2';

/** Format tag of a base: a value written once, under a key named by the hash of its text. */
const BASE_FORMAT = 'picopayments/incremental/base';

interface Envelope {
  readonly format: typeof ENVELOPE;
  readonly through: number;
  readonly value: Json;
}

interface BasedEnvelope {
  readonly format: typeof BASED_ENVELOPE;
  readonly through: number;
  readonly base: string;
  readonly delta: JsonDelta | null;
}

const DEFAULT_COMPACT_EVERY = 64;
const DEFAULT_CACHE_SIZE = 1024;
/** Reads retried when a compaction by another writer lands between reading a value and its log. */
const READ_ATTEMPTS = 4;

/**
 * A {@link Store} that writes each save as a small delta appended to the key's log, so that the
 * bytes one channel step writes do not grow with the channel: a payment changes one commit and a
 * few counters of a snapshot of several kilobytes. Every `compactEvery` deltas the value is
 * written again and the log dropped, atomically, so a restore reads at most that many records.
 *
 * Most of a channel's snapshot never changes (keys, scripts, the deposit), so a compaction
 * writes the value as a delta from a base: a value written once, whole, under a key of its own
 * (`<key>#~base/<hash of its text>`, so a base is never overwritten with something else). A new
 * base is written, in the same atomic group as the compaction, only when the value has moved
 * far from the current one; over a store without `writeAll` the value is compacted whole.
 * A record is written in as few characters as says it: a change at the path of the record before
 * names that path as `0` (the records of a channel all change `machine.context`), and a change of
 * members by position is an array (see `recordText`).
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
      writes.push(...planned.writes);
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
    const text = await log.load(key);
    await log.delete(key);
    const base = text === null ? null : baseKeyOf(text);
    if (base !== null) await log.delete(base);
  }

  private async write(key: string, next: Json, state: KeyState | null): Promise<void> {
    const { writes, after } = this.plan(key, next, state);
    if (writes.length > 1) await this.log.writeAll!(writes);
    else if (writes[0]?.kind === 'append')
      await this.log.append(key, writes[0].seq, writes[0].data);
    else if (writes[0]?.kind === 'compact')
      await this.log.compact(key, writes[0].snapshot, writes[0].throughSeq);
    this.remember(key, after);
  }

  /**
   * What saving `next` over `state` writes (nothing when the value is already durable): a delta
   * appended to the key's log, or a compaction when there is no log yet, the log is long, or
   * the delta is not much smaller than the value or does not reproduce it exactly.
   */
  private plan(
    key: string,
    next: Json,
    state: KeyState | null,
  ): { writes: LogWrite[]; after: KeyState } {
    if (state === null) return this.compaction(key, next, 0, null, false);
    const delta = diffJson(state.value, next);
    if (delta === null) return { writes: [], after: state };
    const deltaText = JSON.stringify(delta);
    const compactNow =
      state.deltas + 1 > this.compactEvery ||
      deltaText.length * 2 > JSON.stringify(next).length ||
      !deltaFits(state.value, delta, next);
    if (compactNow) return this.compaction(key, next, state.head, state.base, true);
    return {
      writes: [
        { kind: 'append', key, seq: state.head + 1, data: recordText(delta, state.lastPath) },
      ],
      after: {
        value: next,
        head: state.head + 1,
        deltas: state.deltas + 1,
        base: state.base,
        lastPath: positionsOf(delta),
      },
    };
  }

  /**
   * The writes of a compaction through `through`: against `base` when the value is still near
   * it, else against a new base written beside it (when `rebase` and the store writes groups),
   * else the value whole. The first save of a key is written whole: many keys are saved once.
   */
  private compaction(
    key: string,
    next: Json,
    through: number,
    base: Base | null,
    rebase: boolean,
  ): { writes: LogWrite[]; after: KeyState } {
    const nextText = JSON.stringify(next);
    const compact = (snapshot: string): LogWrite => ({
      kind: 'compact',
      key,
      snapshot,
      throughSeq: through,
    });
    const after = (newBase: Base | null): KeyState => ({
      value: next,
      head: through,
      deltas: 0,
      base: newBase,
      lastPath: null,
    });
    if (base !== null) {
      const delta = diffJson(base.value, next);
      if (
        delta === null ||
        (JSON.stringify(delta).length * 2 <= nextText.length && deltaFits(base.value, delta, next))
      )
        return {
          writes: [compact(basedEnvelope(through, base.key, delta))],
          after: after(base),
        };
    }
    if (rebase && typeof this.log.writeAll === 'function') {
      const baseText = JSON.stringify({ format: BASE_FORMAT, value: next });
      const fresh = { key: baseKeyFor(key, baseText), value: next };
      return {
        writes: [
          { kind: 'save', key: fresh.key, snapshot: baseText },
          compact(basedEnvelope(through, fresh.key, null)),
        ],
        after: after(fresh),
      };
    }
    return {
      writes: [
        compact(JSON.stringify({ format: ENVELOPE, through, value: next } satisfies Envelope)),
      ],
      after: after(null),
    };
  }

  /** Reads the value and its log; retries when a compaction lands in between. */
  private async read(key: string): Promise<KeyState | null> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const text = await this.log.load(key);
      const records = await this.log.records(key);
      const compacted = text === null ? null : await this.parseCompacted(key, text);
      const through = compacted?.through ?? 0;
      if (
        records.length > 0 ? records[0]!.seq !== through + 1 : (await this.log.load(key)) !== text
      )
        continue;
      if (compacted === null && records.length === 0) return null;
      let value: Json = compacted?.value ?? null;
      let lastPath: readonly number[] | null = null;
      for (const record of records)
        ({ value, lastPath } = applyRecord(key, value, record.seq, record.data, lastPath));
      const state: KeyState = {
        value,
        head: through + records.length,
        deltas: records.length,
        base: compacted?.base ?? null,
        lastPath,
      };
      this.remember(key, state);
      return state;
    }
    throw new StoreError('STORE_CONFLICT', `the log of ${key} kept moving while it was read`);
  }

  /** The value a compacted text holds, reading its base when it was written against one. */
  private async parseCompacted(
    key: string,
    text: string,
  ): Promise<{ through: number; value: Json; base: Base | null }> {
    const envelope = parseEnvelope(key, text);
    if (envelope.format === ENVELOPE) return { ...envelope, base: null };
    const baseText = await this.log.load(envelope.base);
    if (baseText === null || baseKeyFor(key, baseText) !== envelope.base)
      throw new StoreError('STORE_CORRUPT', `the base of ${key} is missing or altered`);
    const base = parseBase(key, baseText);
    const value =
      envelope.delta === null
        ? base
        : applyRecord(key, base, envelope.through, JSON.stringify(envelope.delta), null).value;
    return { through: envelope.through, value, base: { key: envelope.base, value: base } };
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
function parseEnvelope(key: string, text: string): Envelope | BasedEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoreError('STORE_CORRUPT', `the value of ${key} is not JSON`);
  }
  const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    format?: unknown;
    through?: unknown;
    value?: unknown;
    base?: unknown;
    delta?: unknown;
  };
  const { format } = envelope;
  if (format !== ENVELOPE && format !== BASED_ENVELOPE)
    return { format: ENVELOPE, through: 0, value: parsed as Json };
  const malformed = () =>
    new StoreError('STORE_CORRUPT', `the compacted value of ${key} is malformed`);
  if (!Number.isSafeInteger(envelope.through) || (envelope.through as number) < 0)
    throw malformed();
  if (format === ENVELOPE) {
    if (!('value' in envelope)) throw malformed();
    return envelope as unknown as Envelope;
  }
  const { base, delta } = envelope;
  if (
    typeof base !== 'string' ||
    !base.startsWith(`${key}${BASE_INFIX}`) ||
    delta === undefined ||
    (delta !== null && (typeof delta !== 'object' || Array.isArray(delta)))
  )
    throw malformed();
  return envelope as unknown as BasedEnvelope;
}

/** Between a key and the hash naming one of its bases. */
const BASE_INFIX = '#~base/';

/** The store key of a base of `key` with text `text`: named by the hash of the text. */
function baseKeyFor(key: string, text: string): string {
  const digest = sha256(new TextEncoder().encode(text)).subarray(0, 15);
  return `${key}${BASE_INFIX}${base64urlnopad.encode(digest)}`;
}

/** The base key a compacted text names, or null when it has none. */
function baseKeyOf(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { format?: unknown; base?: unknown };
    return parsed?.format === BASED_ENVELOPE && typeof parsed.base === 'string'
      ? parsed.base
      : null;
  } catch {
    return null;
  }
}

function parseBase(key: string, text: string): Json {
  try {
    const parsed = JSON.parse(text) as { format?: unknown; value?: Json };
    if (parsed?.format === BASE_FORMAT && 'value' in parsed) return parsed.value as Json;
  } catch {}
  throw new StoreError('STORE_CORRUPT', `the base of ${key} is malformed`);
}

function basedEnvelope(through: number, base: string, delta: JsonDelta | null): string {
  return JSON.stringify({
    format: BASED_ENVELOPE,
    through,
    base,
    delta,
  } satisfies BasedEnvelope);
}

/**
 * Applies record `seq` of the log of `key` to `value`; `lastPath` is the path of the record
 * before, which a record at the same path names as `0`.
 */
function applyRecord(
  key: string,
  value: Json,
  seq: number,
  data: string,
  lastPath: readonly number[] | null,
): { value: Json; lastPath: readonly number[] | null } {
  try {
    const delta = recordDelta(JSON.parse(data), lastPath);
    return { value: applyDelta(value, delta), lastPath: positionsOf(delta) };
  } catch (error) {
    const why = error instanceof JsonDeltaError ? error.message : 'not JSON';
    throw new StoreError('STORE_CORRUPT', `record ${seq} of ${key} does not apply: ${why}`);
  }
}

/** The path of positions a delta changes at (`p` or `P`), or null. */
function positionsOf(delta: JsonDelta): readonly number[] | null {
  const { p, P } = delta as { p?: unknown; P?: unknown };
  const path = P ?? p;
  return Array.isArray(path) && path.length > 0 ? (path as number[]) : null;
}

/**
 * The text of a record. A change of members by position at a path of positions (every step of
 * a channel: it changes `machine.context`) is written as an array, `[path, position, change,
 * …]`, where the path is `0` when it is the path of the record before, `1` when it is that and
 * the changes copy strings (`P`, see `json-delta.ts`), else `[position, …]` or `{"P": […]}`.
 * Any other delta is written as it is, its path `0` when it is the path of the record before.
 */
function recordText(delta: JsonDelta, lastPath: readonly number[] | null): string {
  const path = positionsOf(delta);
  const copies = 'P' in delta;
  const same =
    lastPath !== null &&
    path !== null &&
    path.length === lastPath.length &&
    path.every((position, i) => position === lastPath[i]);
  if (path !== null && 'n' in delta && Object.keys(delta).length === 2) {
    const spec = same ? (copies ? 1 : 0) : copies ? { P: path } : path;
    return JSON.stringify([spec, ...delta.n]);
  }
  if (!same) return JSON.stringify(delta);
  return JSON.stringify({ ...delta, [copies ? 'P' : 'p']: 0 });
}

/** A record as written (see {@link recordText}) as the delta it stands for. */
function recordDelta(parsed: unknown, lastPath: readonly number[] | null): JsonDelta {
  const previous = () => {
    if (lastPath === null) throw new JsonDeltaError('no record before to take the path from');
    return lastPath;
  };
  if (Array.isArray(parsed)) {
    const [spec, ...n] = parsed as [unknown, ...ChildDelta[]];
    if (spec === 0) return { p: previous(), n };
    if (spec === 1) return { P: previous(), n };
    if (Array.isArray(spec)) return { p: spec as number[], n };
    const P = (spec as { P?: unknown } | null)?.P;
    if (Array.isArray(P)) return { P: P as number[], n };
    throw new JsonDeltaError('malformed record path');
  }
  const delta = parsed as JsonDelta & { p?: unknown; P?: unknown };
  if (typeof delta !== 'object' || delta === null) return delta;
  const name = delta.P === 0 ? 'P' : delta.p === 0 ? 'p' : null;
  if (name === null) return delta;
  return { ...delta, [name]: previous() } as JsonDelta;
}

/** True when `delta` turns `from` into exactly `to`: a delta is checked before it is written. */
function deltaFits(from: Json, delta: JsonDelta, to: Json): boolean {
  try {
    return JSON.stringify(applyDelta(from, delta)) === JSON.stringify(to);
  } catch {
    return false;
  }
}
