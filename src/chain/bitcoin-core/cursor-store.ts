import { readFile, rename, writeFile } from 'node:fs/promises';
import { ChainError } from '../errors.js';

/** Where a watched transaction confirmed (or where a watched outpoint's spender did). */
export interface IndexedConfirmation {
  /** The transaction: the watched one, or the spender of the watched outpoint. */
  readonly txid: string;
  readonly hex: string;
  readonly height: number;
  readonly blockHash: string;
}

/**
 * Everything a chain follower needs to resume: the last block it processed, recent block hashes
 * (to find a fork point after a reorganisation that happened while it was down), its watches
 * with what it found, and its own transactions awaiting confirmation.
 */
export interface FollowerState {
  readonly version: 1;
  tip: { height: number; hash: string } | null;
  /** Hashes of the last processed blocks by height (as strings for JSON). */
  recent: Record<string, string>;
  /** Watched txids: their confirmation, or `null` while not confirmed. */
  txids: Record<string, IndexedConfirmation | null>;
  /** Watched outpoints (`txid:vout`): the confirmed spender, or `null`. */
  outpoints: Record<string, IndexedConfirmation | null>;
  /** Transactions broadcast here: hex, and the height they confirmed at (`null`: not yet). */
  own: Record<string, { hex: string; height: number | null }>;
}

/** Persistence of a {@link FollowerState}: small, whole-state saves. */
export interface ChainCursorStore {
  /** The saved state, or `null` before the first save. */
  load(): Promise<FollowerState | null>;
  save(state: FollowerState): Promise<void>;
}

/** A fresh, empty follower state. */
export function emptyFollowerState(): FollowerState {
  return { version: 1, tip: null, recent: {}, txids: {}, outpoints: {}, own: {} };
}

/** Keeps the state in memory (a restart starts over). */
export class MemoryCursorStore implements ChainCursorStore {
  #saved: string | null = null;

  async load(): Promise<FollowerState | null> {
    return this.#saved === null ? null : parseFollowerState(this.#saved);
  }

  async save(state: FollowerState): Promise<void> {
    this.#saved = JSON.stringify(state);
  }
}

/** Keeps the state in a JSON file, replaced atomically (write then rename) on every save. */
export class JsonFileCursorStore implements ChainCursorStore {
  constructor(private readonly path: string) {}

  async load(): Promise<FollowerState | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return parseFollowerState(text);
  }

  #saving: Promise<void> = Promise.resolve();

  /** Saves take turns, so that a later save always lands last. */
  save(state: FollowerState): Promise<void> {
    const text = JSON.stringify(state);
    const run = this.#saving.then(async () => {
      const temporary = `${this.path}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, this.path);
    });
    this.#saving = run.catch(() => undefined);
    return run;
  }
}

const HASH = /^[0-9a-f]{64}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

function corrupt(detail: string): ChainError {
  return new ChainError('CURSOR_CORRUPT', detail);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHeight(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function checkConfirmation(value: unknown, where: string): IndexedConfirmation | null {
  if (value === null) return null;
  if (
    !isRecord(value) ||
    typeof value.txid !== 'string' ||
    !HASH.test(value.txid) ||
    typeof value.hex !== 'string' ||
    !HEX.test(value.hex) ||
    !isHeight(value.height) ||
    typeof value.blockHash !== 'string' ||
    !HASH.test(value.blockHash)
  ) {
    throw corrupt(`${where}: bad confirmation`);
  }
  return { txid: value.txid, hex: value.hex, height: value.height, blockHash: value.blockHash };
}

/**
 * Parses a saved state, checking every field.
 *
 * @throws {@link ChainError} `CURSOR_CORRUPT`.
 */
export function parseFollowerState(text: string): FollowerState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isRecord(value) || value.version !== 1) throw corrupt('not a version 1 cursor');
  const state = emptyFollowerState();
  if (value.tip !== null) {
    const tip = value.tip;
    if (
      !isRecord(tip) ||
      !isHeight(tip.height) ||
      typeof tip.hash !== 'string' ||
      !HASH.test(tip.hash)
    ) {
      throw corrupt('bad tip');
    }
    state.tip = { height: tip.height, hash: tip.hash };
  }
  for (const [name, target] of [
    ['recent', state.recent],
    ['txids', state.txids],
    ['outpoints', state.outpoints],
    ['own', state.own],
  ] as const) {
    if (!isRecord(value[name])) throw corrupt(`${name} is not an object`);
    for (const [key, entry] of Object.entries(value[name] as Record<string, unknown>)) {
      if (name === 'recent') {
        if (!/^\d+$/.test(key) || typeof entry !== 'string' || !HASH.test(entry))
          throw corrupt('bad recent hash');
        (target as Record<string, string>)[key] = entry;
      } else if (name === 'own') {
        if (
          !HASH.test(key) ||
          !isRecord(entry) ||
          typeof entry.hex !== 'string' ||
          !HEX.test(entry.hex)
        ) {
          throw corrupt('bad own transaction');
        }
        if (entry.height !== null && !isHeight(entry.height)) throw corrupt('bad own height');
        (target as FollowerState['own'])[key] = {
          hex: entry.hex,
          height: entry.height as number | null,
        };
      } else {
        const keyOk = name === 'txids' ? HASH.test(key) : /^[0-9a-f]{64}:\d{1,10}$/.test(key);
        if (!keyOk) throw corrupt(`bad ${name} key`);
        (target as Record<string, IndexedConfirmation | null>)[key] = checkConfirmation(
          entry,
          `${name}.${key}`,
        );
      }
    }
  }
  return state;
}
