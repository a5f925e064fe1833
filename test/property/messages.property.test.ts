import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChannelMessage,
  MessageError,
  decodeMessage,
  encodeMessage,
  isChannelMessage,
} from '../../src/messages/index.js';
import { channelMessageArb } from '../messages/arbitraries.js';
import { propertyConfig } from '../support/property-config.js';

// Decodes, requiring that the only possible failure is a MessageError; returns the message or
// the error code.
function decodeOrCode(input: unknown): ChannelMessage | string {
  try {
    return decodeMessage(input);
  } catch (error) {
    if (error instanceof MessageError) return error.code;
    throw error;
  }
}

// A decoded message must itself be valid and canonical.
function expectValid(message: ChannelMessage): void {
  expect(isChannelMessage(message)).toBe(true);
  const text = encodeMessage(message);
  expect(decodeMessage(text)).toEqual(message);
  expect(encodeMessage(decodeMessage(text))).toBe(text);
}

describe('message codec properties', () => {
  it('every valid message round-trips through encode/decode', () => {
    fc.assert(
      fc.property(channelMessageArb, (message) => {
        const text = encodeMessage(message);
        expect(decodeMessage(text)).toEqual(message);
        expect(decodeMessage(message)).toEqual(message);
        expect(encodeMessage(decodeMessage(text))).toBe(text);
      }),
      propertyConfig('messages/round-trip', 300),
    );
  });

  it('arbitrary JSON values, as values and as text, only ever raise MessageError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const input of [value, JSON.stringify(value)]) {
          const result = decodeOrCode(input);
          if (typeof result !== 'string') expectValid(result);
        }
      }),
      propertyConfig('messages/json-values', 500),
    );
  });

  it('arbitrary JavaScript values only ever raise MessageError', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        const result = decodeOrCode(value);
        if (typeof result !== 'string') expectValid(result);
      }),
      propertyConfig('messages/anything', 500),
    );
  });

  it('arbitrary strings only ever raise MessageError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const result = decodeOrCode(text);
        if (typeof result !== 'string') expectValid(result);
      }),
      propertyConfig('messages/strings', 500),
    );
  });

  it('every strict prefix of an encoded message is refused as not JSON', () => {
    fc.assert(
      fc.property(channelMessageArb, (message) => {
        const text = encodeMessage(message);
        for (let end = 0; end < text.length; end++) {
          expect(decodeOrCode(text.slice(0, end))).toBe('MESSAGE_NOT_JSON');
        }
      }),
      propertyConfig('messages/truncation', 60),
    );
  });

  it('replacing one field by any JSON value is refused or still yields a valid message', () => {
    const mutation = channelMessageArb.chain((message) => {
      const data = JSON.parse(encodeMessage(message)) as Record<string, unknown>;
      // Top-level keys, plus the keys of nested objects (ranges, outpoint) as [key, subkey].
      const paths: Array<[string] | [string, string]> = [];
      for (const [key, value] of Object.entries(data)) {
        paths.push([key]);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          for (const sub of Object.keys(value)) paths.push([key, sub]);
        }
      }
      return fc.tuple(fc.constant(data), fc.constantFrom(...paths), fc.jsonValue());
    });
    fc.assert(
      fc.property(mutation, ([data, path, replacement]) => {
        const [key, sub] = path;
        if (sub === undefined) data[key] = replacement;
        else (data[key] as Record<string, unknown>)[sub] = replacement;
        for (const input of [data, JSON.stringify(data)]) {
          const result = decodeOrCode(input);
          if (typeof result !== 'string') expectValid(result);
        }
      }),
      propertyConfig('messages/mutation', 500),
    );
  });
});
