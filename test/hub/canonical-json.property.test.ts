/**
 * The canonical JSON that requests and answers are signed over: the same text as the plain
 * definition (keys sorted by `<` at every level, undefined members left out, arrays as
 * `Array.prototype.join` renders them) for any value, so that signatures made by older clients
 * and hubs still verify.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/hub/signing.js';
import { propertyConfig } from '../support/property-config.js';

/** The definition, written plainly. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.string({ unit: 'binary' }),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.sparseArray(tie('node'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 4 }), tie('node'), { maxKeys: 5 }),
  ),
})).node;

describe('canonical JSON', () => {
  test('is the text of the plain definition for any value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      propertyConfig('hub canonical json', 500),
    );
  });

  test('sorts keys at every level and leaves undefined members out', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: undefined, a: 'x' }], a: null })).toBe(
      '{"a":null,"b":[1,{"a":"x","d":1}]}',
    );
  });
});
