/**
 * Structural deltas between two JSON values, so that a store can append what one step changed
 * instead of rewriting a whole channel snapshot.
 *
 * A delta is itself JSON:
 * - `{ "=": value }` replaces the value;
 * - `{ "o": { key: delta, … } }` changes some members of an object whose member names (and their
 *   order) stay the same;
 * - `{ "a": [drop, { index: delta, … }, pushed] }` drops `drop` elements from the front of an
 *   array, changes some of the elements that stay (indexes after the drop), and appends `pushed`.
 *   This is how a window of the newest commits moves: one falls out at the front, one comes in
 *   at the back;
 * - `"p": "name.name…"` beside `o` or `a` applies that change at the path of object members it
 *   names (a change two objects deep, under `machine.context`, in one object);
 * - `{ "n": [position, delta, position, delta, …] }` is `o` with each member named by its
 *   position (ascending) instead of its name, and `"p": [position, …]` is a path of positions:
 *   member names and their order stay the same from one value to the next, so a position names
 *   a member as well as its name does, in fewer characters. `diffJson` writes these forms; the
 *   named ones of older logs apply the same.
 *
 * Inside `o` and `a` changes, a value that is not an object (a string, number, boolean, null or
 * array) stands for `{ "=": value }`: most changes of a step replace a counter or a hash, and
 * this keeps them short. Logs written before this shorthand apply the same.
 *
 * Member order is kept exactly, so `JSON.stringify(applyDelta(a, diffJson(a, b)))` equals
 * `JSON.stringify(b)`; the store relies on that to check every delta before it writes it.
 *
 * @module
 */

/** A JSON value as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A delta between two JSON values (see the module notes). */
export type JsonDelta =
  | { readonly '=': Json }
  | { readonly o: { readonly [key: string]: ChildDelta }; readonly p?: DeltaPath }
  | { readonly n: readonly (number | ChildDelta)[]; readonly p?: DeltaPath }
  | {
      readonly a: readonly [number, { readonly [index: string]: ChildDelta }, readonly Json[]];
      readonly p?: DeltaPath;
    };

/** Where a change applies: member names joined by dots, or member positions. */
export type DeltaPath = string | readonly number[];

/**
 * An object change given by member position, with a change of its single member that is itself
 * an object or array change written as that change with the position prefixed to its path: a
 * step's changes sit two objects deep in a snapshot (`machine`, `context`), and
 * `{"p":[3,3],"n":…}` says it in fewer characters than two nested object changes.
 */
function descend(changes: readonly (number | ChildDelta)[]): JsonDelta {
  if (changes.length !== 2) return { n: changes };
  const inner = changes[1] as ChildDelta;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner) || '=' in inner)
    return { n: changes };
  const { p, ...rest } = inner as { p?: DeltaPath } & JsonDelta;
  if (typeof p === 'string') return { n: changes };
  return { p: [changes[0] as number, ...(p ?? [])], ...rest } as JsonDelta;
}

/** A delta inside `o` or `a` changes: a delta, or a non-object value that replaces. */
export type ChildDelta = JsonDelta | null | boolean | number | string | Json[];

/** The shortest form of a child delta: a replacement by a non-object is the value itself. */
function child(delta: JsonDelta): ChildDelta {
  if ('=' in delta) {
    const value = delta['='];
    if (!isObject(value)) return value;
  }
  return delta;
}

function applyChild(value: Json, delta: ChildDelta): Json {
  if (typeof delta !== 'object' || delta === null || Array.isArray(delta)) return delta;
  return applyDelta(value, delta);
}

/** Why a delta could not be applied: it does not fit the value (a damaged or foreign log). */
export class JsonDeltaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonDeltaError';
  }
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

/** Applies `delta` at the member path `names` (names, or positions) of `value`. */
function applyAt(value: Json, names: readonly (string | number)[], delta: JsonDelta): Json {
  if (names.length === 0) return applyDelta(value, delta);
  const [first, ...rest] = names as [string | number, ...(string | number)[]];
  if (!isObject(value)) throw new JsonDeltaError(`no member ${first} on the path`);
  const name = typeof first === 'number' ? memberAt(value, first) : first;
  if (!Object.hasOwn(value, name)) throw new JsonDeltaError(`no member ${name} on the path`);
  const next: { [key: string]: Json } = {};
  for (const key of Object.keys(value))
    next[key] = key === name ? applyAt(value[key]!, rest, delta) : value[key]!;
  return next;
}

/** The name of the member at `position` of `value`. */
function memberAt(value: { [key: string]: Json }, position: unknown): string {
  const keys = Object.keys(value);
  if (
    !Number.isSafeInteger(position) ||
    (position as number) < 0 ||
    (position as number) >= keys.length
  )
    throw new JsonDeltaError(`no member at position ${String(position)}`);
  return keys[position as number]!;
}

/** True when two JSON values are equal, member order included. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((element, i) => jsonEqual(element, b[i]!))
    );
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return sameKeys(keys, Object.keys(b)) && keys.every((key) => jsonEqual(a[key]!, b[key]!));
  }
  return false;
}

/** The delta from `from` to `to`, or null when they are equal. */
export function diffJson(from: Json, to: Json): JsonDelta | null {
  if (jsonEqual(from, to)) return null;
  if (isObject(from) && isObject(to)) {
    const keys = Object.keys(to);
    if (!sameKeys(Object.keys(from), keys)) return { '=': to };
    const changes: (number | ChildDelta)[] = [];
    keys.forEach((key, position) => {
      const change = diffJson(from[key]!, to[key]!);
      if (change) changes.push(position, child(change));
    });
    return descend(changes);
  }
  if (Array.isArray(from) && Array.isArray(to)) return diffArray(from, to);
  return { '=': to };
}

/**
 * The cheapest array delta over every front drop the arrays allow, measured in JSON characters;
 * a plain replacement when that is shorter.
 */
function diffArray(from: Json[], to: Json[]): JsonDelta {
  let best: JsonDelta = { '=': to };
  let bestSize = JSON.stringify(best).length;
  for (const drop of dropCandidates(from, to)) {
    const kept = from.length - drop;
    if (kept > to.length) continue;
    const changes: { [index: string]: ChildDelta } = {};
    for (let i = 0; i < kept; i++) {
      const change = diffJson(from[drop + i]!, to[i]!);
      if (change) changes[String(i)] = child(change);
    }
    const candidate: JsonDelta = { a: [drop, changes, to.slice(kept)] };
    const size = JSON.stringify(candidate).length;
    if (size < bestSize) {
      best = candidate;
      bestSize = size;
    }
  }
  return best;
}

/** Front drops worth trying: none, and those after which the old array starts like the new one. */
function dropCandidates(from: Json[], to: Json[]): number[] {
  const drops = [0];
  for (let drop = 1; drop <= from.length && drops.length < MAX_DROP_CANDIDATES; drop++)
    if (drop === from.length || jsonEqual(from[drop]!, to[0]!)) drops.push(drop);
  return drops;
}

/** Bounds the search on long arrays, where a delta is rarely a shift anyway. */
const MAX_DROP_CANDIDATES = 8;

/**
 * Applies `delta` to `value`, returning the new value (`value` is not modified).
 *
 * @throws {@link JsonDeltaError} when the delta does not fit the value.
 */
export function applyDelta(value: Json, delta: JsonDelta): Json {
  if (typeof delta !== 'object' || delta === null || Array.isArray(delta))
    throw new JsonDeltaError('a delta must be an object');
  if ('p' in delta) {
    const { p: path, ...rest } = delta as { p: unknown } & JsonDelta;
    const names =
      typeof path === 'string' && path !== ''
        ? path.split('.')
        : Array.isArray(path) && path.length > 0 && path.every((p) => typeof p === 'number')
          ? (path as number[])
          : null;
    if (names === null || '=' in rest || 'p' in rest)
      throw new JsonDeltaError('malformed path delta');
    return applyAt(value, names, rest as JsonDelta);
  }
  if ('=' in delta) return delta['='];
  if ('o' in delta) {
    if (!isObject(value)) throw new JsonDeltaError('an object delta met a non-object');
    const changes = delta.o;
    if (!isObject(changes as Json)) throw new JsonDeltaError('object changes must be an object');
    for (const key of Object.keys(changes))
      if (!Object.hasOwn(value, key)) throw new JsonDeltaError(`no member ${key} to change`);
    const next: { [key: string]: Json } = {};
    for (const key of Object.keys(value))
      next[key] = Object.hasOwn(changes, key)
        ? applyChild(value[key]!, changes[key]!)
        : value[key]!;
    return next;
  }
  if ('n' in delta) {
    if (!isObject(value)) throw new JsonDeltaError('an object delta met a non-object');
    const changes = delta.n;
    if (!Array.isArray(changes) || changes.length % 2 !== 0)
      throw new JsonDeltaError('positional changes are pairs of position and change');
    const byName = new Map<string, ChildDelta>();
    let last = -1;
    for (let i = 0; i < changes.length; i += 2) {
      const position = changes[i];
      if (typeof position !== 'number' || position <= last)
        throw new JsonDeltaError('positions must ascend');
      byName.set(memberAt(value, position), changes[i + 1] as ChildDelta);
      last = position;
    }
    const next: { [key: string]: Json } = {};
    for (const key of Object.keys(value))
      next[key] = byName.has(key) ? applyChild(value[key]!, byName.get(key)!) : value[key]!;
    return next;
  }
  if ('a' in delta) {
    if (!Array.isArray(value)) throw new JsonDeltaError('an array delta met a non-array');
    const parts = delta.a;
    if (!Array.isArray(parts) || parts.length !== 3)
      throw new JsonDeltaError('an array delta has three parts');
    const [drop, changes, pushed] = parts;
    if (!Number.isSafeInteger(drop) || drop < 0 || drop > value.length)
      throw new JsonDeltaError('an array delta drops more than the array holds');
    if (!isObject(changes as Json) || !Array.isArray(pushed))
      throw new JsonDeltaError('malformed array delta');
    const kept = value.slice(drop);
    for (const index of Object.keys(changes)) {
      const i = Number(index);
      if (!/^(0|[1-9][0-9]*)$/.test(index) || i >= kept.length)
        throw new JsonDeltaError(`no element ${index} to change`);
      kept[i] = applyChild(kept[i]!, changes[index]!);
    }
    return [...kept, ...pushed];
  }
  throw new JsonDeltaError('unknown delta kind');
}
