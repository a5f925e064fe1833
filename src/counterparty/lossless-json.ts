import { CounterpartyError } from './errors.js';

/** A JSON value whose integers are bigints (Counterparty quantities go up to 2⁶³−1). */
export type LosslessJson =
  | null
  | boolean
  | bigint
  | number
  | string
  | readonly LosslessJson[]
  | { readonly [key: string]: LosslessJson };

/** Deeper nesting than any Counterparty answer is refused rather than followed. */
const MAX_DEPTH = 64;

/**
 * Parses JSON (RFC 8259), reading integer literals as bigints so that no quantity loses
 * precision; numbers with a fraction or exponent stay numbers.
 *
 * @throws {@link CounterpartyError} `LEDGER_BAD_RESPONSE`.
 */
export function parseLosslessJson(text: string): LosslessJson {
  const reader = { text, at: 0 };
  const value = readValue(reader, 0);
  skipSpace(reader);
  if (reader.at !== text.length) throw bad(reader, 'trailing characters');
  return value;
}

interface Reader {
  readonly text: string;
  at: number;
}

function readValue(reader: Reader, depth: number): LosslessJson {
  if (depth > MAX_DEPTH) throw bad(reader, 'nesting too deep');
  skipSpace(reader);
  const c = reader.text[reader.at];
  if (c === '{') return readObject(reader, depth);
  if (c === '[') return readArray(reader, depth);
  if (c === '"') return readString(reader);
  for (const [word, value] of [
    ['true', true],
    ['false', false],
    ['null', null],
  ] as const) {
    if (reader.text.startsWith(word, reader.at)) {
      reader.at += word.length;
      return value;
    }
  }
  return readNumber(reader);
}

function readObject(reader: Reader, depth: number): LosslessJson {
  reader.at++;
  const object: Record<string, LosslessJson> = Object.create(null);
  skipSpace(reader);
  if (reader.text[reader.at] === '}') {
    reader.at++;
    return object;
  }
  for (;;) {
    skipSpace(reader);
    if (reader.text[reader.at] !== '"') throw bad(reader, 'expected a key');
    const key = readString(reader);
    skipSpace(reader);
    if (reader.text[reader.at] !== ':') throw bad(reader, 'expected ":"');
    reader.at++;
    if (Object.hasOwn(object, key)) throw bad(reader, `duplicate key ${key}`);
    object[key] = readValue(reader, depth + 1);
    skipSpace(reader);
    const next = reader.text[reader.at++];
    if (next === '}') return object;
    if (next !== ',') throw bad(reader, 'expected "," or "}"');
  }
}

function readArray(reader: Reader, depth: number): LosslessJson {
  reader.at++;
  const items: LosslessJson[] = [];
  skipSpace(reader);
  if (reader.text[reader.at] === ']') {
    reader.at++;
    return items;
  }
  for (;;) {
    items.push(readValue(reader, depth + 1));
    skipSpace(reader);
    const next = reader.text[reader.at++];
    if (next === ']') return items;
    if (next !== ',') throw bad(reader, 'expected "," or "]"');
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters.
const STRING = /"((?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

function readString(reader: Reader): string {
  STRING.lastIndex = reader.at;
  const match = STRING.exec(reader.text);
  if (match === null) throw bad(reader, 'malformed string');
  reader.at = STRING.lastIndex;
  // The matched literal is valid JSON, so the platform parser decodes its escapes.
  return JSON.parse(match[0]) as string;
}

function readNumber(reader: Reader): bigint | number {
  NUMBER.lastIndex = reader.at;
  const match = NUMBER.exec(reader.text);
  if (match === null || match[0].length === 0) throw bad(reader, 'unexpected character');
  reader.at = NUMBER.lastIndex;
  return match[1] === undefined && match[2] === undefined ? BigInt(match[0]) : Number(match[0]);
}

function skipSpace(reader: Reader): void {
  while (/[ \t\n\r]/.test(reader.text[reader.at] ?? '')) reader.at++;
}

function bad(reader: Reader, reason: string): CounterpartyError {
  return new CounterpartyError('LEDGER_BAD_RESPONSE', `JSON at ${reader.at}: ${reason}`);
}
