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
 * - `{ "s": pushed }` is that move alone: as many elements dropped from the front as `pushed`
 *   appends, none changed;
 * - `"p": "name.name…"` beside `o` or `a` applies that change at the path of object members it
 *   names (a change two objects deep, under `machine.context`, in one object);
 * - `{ "n": [position, delta, position, delta, …] }` is `o` with each member named by its
 *   position (ascending) instead of its name, and `"p": [position, …]` is a path of positions:
 *   member names and their order stay the same from one value to the next, so a position names
 *   a member as well as its name does, in fewer characters. `diffJson` writes these forms; the
 *   named ones of older logs apply the same;
 * - `"P": [position, …]` is `p` in a delta whose new values may copy long strings from the value
 *   at that path as it was: a string `"^2.0.1"` in a new value stands for the string at
 *   positions 2, 0, 1 under that path (a revoke hash that moves from one field to another, a
 *   commit's link to the one before it), and a string of the new value that starts with `^` is
 *   written with a second `^`. Only deltas with `P` read strings so: those of older logs apply
 *   as they were written.
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

import { setJsonMember } from '../json-member.js';

/** A JSON value as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A delta between two JSON values (see the module notes). */
export type JsonDelta =
  | { readonly '=': Json }
  | {
      readonly o: { readonly [key: string]: ChildDelta };
      readonly p?: DeltaPath;
      readonly P?: readonly number[];
    }
  | {
      readonly n: readonly (number | ChildDelta)[];
      readonly p?: DeltaPath;
      readonly P?: readonly number[];
    }
  | { readonly s: readonly Json[]; readonly p?: DeltaPath; readonly P?: readonly number[] }
  | {
      readonly a: readonly [number, { readonly [index: string]: ChildDelta }, readonly Json[]];
      readonly p?: DeltaPath;
      readonly P?: readonly number[];
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

/** How the new values of a delta read: as written, or with their copies resolved. */
type Resolve = (value: Json) => Json;

const asWritten: Resolve = (value) => value;

function applyChild(value: Json, delta: ChildDelta, resolve: Resolve): Json {
  if (typeof delta !== 'object' || delta === null || Array.isArray(delta)) return resolve(delta);
  return apply(value, delta, resolve);
}

/** Shortest string worth a copy: a copy is a `^`, a path, and the quotes. */
const MIN_COPIED = 20;

/** The reader of copies from `source` (see the module notes). */
function copiesFrom(source: Json): Resolve {
  const at = (path: string): Json => {
    let node: Json = source;
    for (const part of path === '' ? [] : path.split('.')) {
      if (!/^(0|[1-9][0-9]*)$/.test(part)) throw new JsonDeltaError('malformed copy');
      const i = Number(part);
      if (Array.isArray(node) && i < node.length) node = node[i]!;
      else if (isObject(node)) node = node[memberAt(node, i)]!;
      else throw new JsonDeltaError('a copy names nothing');
    }
    if (typeof node !== 'string') throw new JsonDeltaError('a copy names no string');
    return node;
  };
  const read = (value: Json): Json => {
    if (typeof value === 'string')
      return value.startsWith('^^')
        ? value.slice(1)
        : value.startsWith('^')
          ? at(value.slice(1))
          : value;
    if (Array.isArray(value)) return value.map(read);
    if (isObject(value)) {
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(value)) setJsonMember(out, key, read(value[key]!));
      return out;
    }
    return value;
  };
  return read;
}

/** Where each long string of `source` first is, as the path text of a copy. */
function stringIndex(source: Json): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (node: Json, path: string, depth: number) => {
    if (typeof node === 'string') {
      if (node.length >= MIN_COPIED && !index.has(node)) index.set(node, path);
    } else if (depth < 32 && (Array.isArray(node) || isObject(node))) {
      const children = Array.isArray(node) ? node : Object.values(node);
      children.forEach((child, i) => {
        walk(child, path === '' ? `${i}` : `${path}.${i}`, depth + 1);
      });
    }
  };
  walk(source, '', 0);
  return index;
}

/** `value` with its long strings found in `index` written as copies, and `^` strings escaped. */
function writeCopies(value: Json, index: Map<string, string>, used: { copies: number }): Json {
  if (typeof value === 'string') {
    const path = index.get(value);
    if (path !== undefined && path.length + 1 < value.length) {
      used.copies++;
      return `^${path}`;
    }
    return value.startsWith('^') ? `^${value}` : value;
  }
  if (Array.isArray(value)) return value.map((v) => writeCopies(v, index, used));
  if (isObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value))
      setJsonMember(out, key, writeCopies(value[key]!, index, used));
    return out;
  }
  return value;
}

/** The new values of `delta` (replacements and appended elements) mapped by `f`. */
function mapNewValues(delta: JsonDelta, f: (value: Json) => Json): JsonDelta {
  const childOf = (c: ChildDelta): ChildDelta =>
    typeof c !== 'object' || c === null || Array.isArray(c)
      ? (f(c) as ChildDelta)
      : mapNewValues(c, f);
  if ('=' in delta) return { '=': f(delta['=']) };
  const { p } = delta as { p?: DeltaPath };
  const path = p === undefined ? {} : { p };
  if ('n' in delta)
    return { ...path, n: delta.n.map((c, i) => (i % 2 === 0 ? c : childOf(c as ChildDelta))) };
  if ('o' in delta) {
    const o: { [key: string]: ChildDelta } = {};
    for (const key of Object.keys(delta.o)) o[key] = childOf(delta.o[key]!);
    return { ...path, o };
  }
  if ('s' in delta) return { ...path, s: delta.s.map(f) };
  const [drop, changes, pushed] = delta.a;
  const changed: { [index: string]: ChildDelta } = {};
  for (const index of Object.keys(changes)) changed[index] = childOf(changes[index]!);
  return { ...path, a: [drop, changed, pushed.map(f)] };
}

/**
 * `delta` (from `from`) with the long strings of its new values that `from` already holds, at
 * the delta's path, written as copies, when that makes it shorter; else `delta` as it is.
 */
function withCopies(from: Json, delta: JsonDelta): JsonDelta {
  const { p, ...rest } = delta as { p?: DeltaPath } & JsonDelta;
  if (typeof p === 'string' || '=' in rest) return delta;
  let target: Json = from;
  for (const position of p ?? [])
    target = (target as { [key: string]: Json })[
      memberAt(target as { [key: string]: Json }, position)
    ]!;
  const used = { copies: 0 };
  const index = stringIndex(target);
  const copied = mapNewValues(rest as JsonDelta, (v) => writeCopies(v, index, used));
  return used.copies === 0 ? delta : ({ P: p ?? [], ...copied } as JsonDelta);
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
function applyAt(
  value: Json,
  names: readonly (string | number)[],
  delta: JsonDelta,
  resolve: Resolve,
): Json {
  if (names.length === 0) return apply(value, delta, resolve);
  const [first, ...rest] = names as [string | number, ...(string | number)[]];
  if (!isObject(value)) throw new JsonDeltaError(`no member ${first} on the path`);
  const name = typeof first === 'number' ? memberAt(value, first) : first;
  if (!Object.hasOwn(value, name)) throw new JsonDeltaError(`no member ${name} on the path`);
  const next: { [key: string]: Json } = {};
  for (const key of Object.keys(value))
    next[key] = key === name ? applyAt(value[key]!, rest, delta, resolve) : value[key]!;
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
  const delta = diff(from, to);
  return delta === null ? null : withCopies(from, delta);
}

function diff(from: Json, to: Json): JsonDelta | null {
  if (jsonEqual(from, to)) return null;
  if (isObject(from) && isObject(to)) {
    const keys = Object.keys(to);
    if (!sameKeys(Object.keys(from), keys)) return { '=': to };
    const changes: (number | ChildDelta)[] = [];
    keys.forEach((key, position) => {
      const change = diff(from[key]!, to[key]!);
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
      const change = diff(from[drop + i]!, to[i]!);
      if (change) changes[String(i)] = child(change);
    }
    const pushed = to.slice(kept);
    // A window that moves (as many in at the back as out at the front) says only what came in.
    const candidate: JsonDelta =
      drop > 0 && drop === pushed.length && Object.keys(changes).length === 0
        ? { s: pushed }
        : { a: [drop, changes, pushed] };
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
  if (typeof delta === 'object' && delta !== null && 'P' in delta) {
    const { P: path, ...rest } = delta as { P: unknown } & JsonDelta;
    if (
      !Array.isArray(path) ||
      !path.every((p) => typeof p === 'number') ||
      'p' in rest ||
      '=' in rest
    )
      throw new JsonDeltaError('malformed copying delta');
    let source: Json = value;
    for (const position of path as number[]) {
      if (!isObject(source)) throw new JsonDeltaError('no member on the path');
      source = source[memberAt(source, position)]!;
    }
    return applyAt(value, path as number[], rest as JsonDelta, copiesFrom(source));
  }
  return apply(value, delta, asWritten);
}

function apply(value: Json, delta: JsonDelta, resolve: Resolve): Json {
  if (typeof delta !== 'object' || delta === null || Array.isArray(delta))
    throw new JsonDeltaError('a delta must be an object');
  if ('P' in delta) throw new JsonDeltaError('a copying delta inside another');
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
    return applyAt(value, names, rest as JsonDelta, resolve);
  }
  if ('=' in delta) return resolve(delta['=']);
  if ('o' in delta) {
    if (!isObject(value)) throw new JsonDeltaError('an object delta met a non-object');
    const changes = delta.o;
    if (!isObject(changes as Json)) throw new JsonDeltaError('object changes must be an object');
    for (const key of Object.keys(changes))
      if (!Object.hasOwn(value, key)) throw new JsonDeltaError(`no member ${key} to change`);
    const next: { [key: string]: Json } = {};
    for (const key of Object.keys(value))
      next[key] = Object.hasOwn(changes, key)
        ? applyChild(value[key]!, changes[key]!, resolve)
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
      next[key] = byName.has(key)
        ? applyChild(value[key]!, byName.get(key)!, resolve)
        : value[key]!;
    return next;
  }
  if ('s' in delta) {
    if (!Array.isArray(value)) throw new JsonDeltaError('an array delta met a non-array');
    const pushed = delta.s;
    if (!Array.isArray(pushed) || pushed.length === 0 || pushed.length > value.length)
      throw new JsonDeltaError('a window shift moves in as many as the array holds, or fewer');
    return [...value.slice(pushed.length), ...(pushed as Json[]).map(resolve)];
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
      kept[i] = applyChild(kept[i]!, changes[index]!, resolve);
    }
    return [...kept, ...(pushed as Json[]).map(resolve)];
  }
  throw new JsonDeltaError('unknown delta kind');
}
