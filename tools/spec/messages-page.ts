import { JSON_SCHEMA_DIALECT, messageJsonSchemas } from '../../src/messages/json-schema.js';
import { code, document, generatedNotice, table } from './markdown.js';

interface PropertySchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly description?: string;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly PropertySchema[];
}

interface ObjectSchema {
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Record<string, PropertySchema>;
  readonly required?: readonly string[];
}

/** The message schemas keyed by type, in the codec's order. */
export function messageSchemas(): Record<string, object> {
  return messageJsonSchemas();
}

/** One JSON Schema document holding every message (`definitions`) and their union. */
export function combinedMessageSchema(): object {
  const definitions: Record<string, object> = {};
  for (const [type, schema] of Object.entries(messageSchemas())) {
    // The dialect is declared once, at the top.
    const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
    definitions[type] = rest;
  }
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: 'picopayments/1 wire messages',
    oneOf: Object.keys(definitions).map((type) => ({ $ref: `#/definitions/${type}` })),
    definitions,
  };
}

function typeOf(p: PropertySchema): string {
  if (p.const !== undefined) return `\`${JSON.stringify(p.const)}\``;
  if (p.enum) return p.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' or ');
  return p.type ?? 'any';
}

function constraints(p: PropertySchema): string {
  const parts: string[] = [];
  if (p.pattern) parts.push(`pattern \`${p.pattern}\``);
  if (p.minLength !== undefined || p.maxLength !== undefined)
    parts.push(`length ${p.minLength ?? 0}..${p.maxLength ?? '∞'}`);
  if (p.minimum !== undefined || p.maximum !== undefined)
    parts.push(`${p.minimum ?? '-∞'}..${p.maximum ?? '∞'}`);
  if (p.minItems !== undefined || p.maxItems !== undefined)
    parts.push(`items ${p.minItems ?? 0}..${p.maxItems ?? '∞'}`);
  return parts.join(', ') || '—';
}

/** The Markdown page of the wire messages: one field table per message, then its schema. */
export function messagesPage(): string {
  const sections = Object.entries(messageSchemas()).flatMap(([type, raw]) => {
    const schema = raw as ObjectSchema;
    const required = new Set(schema.required ?? []);
    const rows = Object.entries(schema.properties ?? {}).map(([name, p]) => [
      code(name),
      typeOf(p),
      required.has(name) ? 'yes' : 'no',
      constraints(p),
      p.description ?? '—',
    ]);
    return [
      `## \`${type}\``,
      schema.description ?? '',
      table(['field', 'type', 'required', 'constraints', 'description'], rows),
      `<details><summary>JSON Schema</summary>\n\n\`\`\`json\n${JSON.stringify(raw, null, 2)}\n\`\`\`\n\n</details>`,
    ];
  });
  return document([
    '# Wire messages',
    generatedNotice(['src/messages/schema.ts', 'src/messages/json-schema.ts']),
    'Every message is a JSON object; no property beyond those listed is allowed. Constraints a JSON Schema cannot express (keys on the curve, scripts that parse, `min <= max`, distinct secrets) are enforced by `decodeMessage` and stated in the field descriptions. All schemas in one document: [`messages.schema.json`](messages.schema.json).',
    ...sections,
  ]);
}
