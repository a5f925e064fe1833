import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, messageJsonSchemas } from '../../src/messages/index.js';

describe('messageJsonSchemas', () => {
  const schemas = messageJsonSchemas();

  it('has one plain JSON Schema per message type', () => {
    expect(Object.keys(schemas)).toEqual([...MESSAGE_TYPES]);
    for (const [type, schema] of Object.entries(schemas)) {
      // Plain data: survives a JSON round trip unchanged (no symbols, functions or classes).
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
      expect(Object.getOwnPropertySymbols(schema)).toEqual([]);
      expect(schema).toMatchObject({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        title: type,
        additionalProperties: false,
        properties: { type: { const: type }, protocol: { const: 'picopayments/1' } },
      });
    }
  });

  it('describes every field and requires all of them', () => {
    for (const schema of Object.values(schemas) as Array<{
      properties: Record<string, { description?: string }>;
      required: string[];
    }>) {
      for (const property of Object.values(schema.properties)) {
        expect(property.description).toBeTruthy();
      }
      // Only the asset-mode terms are optional: a BTC channel's messages carry none.
      const optional = new Set(['asset']);
      expect(schema.required.sort()).toEqual(
        Object.keys(schema.properties)
          .filter((name) => !optional.has(name))
          .sort(),
      );
    }
  });

  it('returns fresh objects on each call', () => {
    const first = messageJsonSchemas();
    (first.offer as Record<string, unknown>).title = 'changed';
    expect((messageJsonSchemas().offer as Record<string, unknown>).title).toBe('offer');
  });
});
