import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import { payeeMachine } from '../../src/machines/payee-machine.js';
import { payerMachine } from '../../src/machines/payer-machine.js';
import { decodeChannelSnapshot, encodeChannelSnapshot } from '../../src/snapshots/codec.js';
import { SnapshotError } from '../../src/snapshots/errors.js';
import { propertyConfig } from '../support/property-config.js';
import { type RealSnapshot, realSnapshots } from './fixtures.js';

const machines = { payer: payerMachine, payee: payeeMachine } as const;

// biome-ignore lint/suspicious/noExplicitAny: mutations reach into arbitrary JSON.
type Json = any;
type Key = string | number;

const REPLACEMENTS = [null, 0, -1, 1.5, 65536, 2 ** 32, '', 'x', '00', true, [], {}, '15000'];
const KINDS = ['remove', 'flip', 'retype', 'number', 'amount', 'rename', 'duplicate'] as const;

interface Mutation {
  readonly kind: (typeof KINDS)[number];
  readonly target: number;
  readonly byte: number;
  readonly xor: number;
  readonly pick: number;
  /** Most mutations hit the context, where the semantic checks live. */
  readonly inContext: boolean;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...KINDS),
  target: fc.nat(),
  byte: fc.nat(),
  xor: fc.integer({ min: 1, max: 255 }),
  pick: fc.nat(),
  inContext: fc.nat(3).map((n) => n > 0),
});

/** Every path to a node below the root, parents before children. */
function paths(value: Json, prefix: Key[] = [], out: Key[][] = []): Key[][] {
  if (typeof value !== 'object' || value === null) return out;
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    const path = [...prefix, key];
    out.push(path);
    paths(value[key], path, out);
  }
  return out;
}

const parentOf = (root: Json, path: Key[]): Json =>
  path.slice(0, -1).reduce((node: Json, key) => node[key], root);

function flipHex(text: string, byte: number, xor: number): string {
  const i = byte % (text.length / 2);
  const flipped = (Number.parseInt(text.slice(2 * i, 2 * i + 2), 16) ^ xor).toString(16);
  return text.slice(0, 2 * i) + flipped.padStart(2, '0') + text.slice(2 * i + 2);
}

function mutated(value: Json, m: Mutation): Json {
  const replacement = REPLACEMENTS[m.pick % REPLACEMENTS.length];
  switch (m.kind) {
    case 'flip':
      if (typeof value === 'string' && value.length > 0 && /^(?:[0-9a-f]{2})+$/.test(value)) {
        return flipHex(value, m.byte, m.xor);
      }
      if (typeof value === 'string' && value.length > 0) {
        const i = m.byte % value.length;
        return (
          value.slice(0, i) +
          String.fromCharCode(value.charCodeAt(i) ^ (m.xor & 0x7f || 1)) +
          value.slice(i + 1)
        );
      }
      return replacement;
    case 'number':
      if (typeof value === 'number') {
        return [value + 1, value - 1, -value, value * 2, 0, 2 ** 31, value + 0.5][m.pick % 7];
      }
      return replacement;
    case 'amount':
      if (typeof value === 'string' && /^(?:0|[1-9][0-9]*)$/.test(value)) {
        const deltas = [1n, -1n, 80_000n, -5_000n, BigInt(value) * 9n];
        return (BigInt(value) + deltas[m.pick % deltas.length]!).toString();
      }
      return replacement;
    default:
      return replacement;
  }
}

/** Applies one mutation to the envelope in place. */
function apply(root: Json, m: Mutation): void {
  const everywhere = paths(root);
  const inContext = everywhere.filter((p) => p[0] === 'machine' && p[1] === 'context');
  const all = m.inContext && inContext.length > 0 ? inContext : everywhere;
  const path = all[m.target % all.length]!;
  const parent = parentOf(root, path);
  const key = path[path.length - 1]!;
  switch (m.kind) {
    case 'remove':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return;
    case 'rename':
      if (!Array.isArray(parent)) {
        parent[`${key}_`] = parent[key];
        delete parent[key];
        return;
      }
      parent[key as number] = mutated(parent[key as number], { ...m, kind: 'retype' });
      return;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
      else {
        const siblings = Object.keys(parent);
        parent[key] = structuredClone(parent[siblings[m.pick % siblings.length]!]);
      }
      return;
    default:
      parent[key] = mutated(parent[key], m);
  }
}

/** A restored actor starts, hears the current height and is not in XState's error status. */
function runs(machine: AnyStateMachine, snapshot: Json): void {
  const errors: unknown[] = [];
  const actor = createActor(machine, { snapshot });
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  if (actor.getSnapshot().status === 'active') {
    actor.send({ type: 'BLOCK', height: snapshot.context.height });
  }
  expect(errors).toEqual([]);
  expect(actor.getSnapshot().status).not.toBe('error');
  actor.stop();
}

let fixtures: RealSnapshot[];
beforeAll(async () => {
  fixtures = await realSnapshots();
});

describe('restoring a mutated snapshot', () => {
  test('is refused with a SnapshotError, or gives a snapshot that passes every check and runs', () => {
    const outcomes = { refused: 0, accepted: 0 };
    const codes = new Set<string>();
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.nat(9).map((n) => n === 0),
        (index, mutations, asOtherRole) => {
          const snapshot = fixtures[index % fixtures.length]!;
          const envelope = JSON.parse(snapshot.text);
          for (const m of mutations) apply(envelope, m);
          const text = JSON.stringify(envelope) ?? '';
          const role = asOtherRole
            ? snapshot.role === 'payer'
              ? 'payee'
              : 'payer'
            : snapshot.role;
          let decoded: Json;
          try {
            decoded = decodeChannelSnapshot(text, role, machines[role]);
          } catch (error) {
            if (!(error instanceof SnapshotError)) throw error;
            outcomes.refused++;
            codes.add(error.code);
            return;
          }
          outcomes.accepted++;
          // What was accepted decodes again to itself and a machine runs from it.
          const again = encodeChannelSnapshot(decoded, role);
          expect(decodeChannelSnapshot(again, role, machines[role])).toEqual(decoded);
          runs(machines[role], decoded);
        },
      ),
      propertyConfig('snapshot mutations', 1500),
    );
    process.stdout.write(
      `[property] snapshot mutations: ${outcomes.refused} refused (${[...codes].sort().join(', ')}), ${outcomes.accepted} accepted\n`,
    );
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  test('truncated or garbled text is refused with a SnapshotError', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 4 }),
        fc.boolean(),
        (index, at, insert, truncate) => {
          const snapshot = fixtures[index % fixtures.length]!;
          const cut = at % snapshot.text.length;
          const text = truncate
            ? snapshot.text.slice(0, cut)
            : snapshot.text.slice(0, cut) + insert + snapshot.text.slice(cut);
          try {
            const decoded = decodeChannelSnapshot(text, snapshot.role, machines[snapshot.role]);
            runs(machines[snapshot.role], decoded);
          } catch (error) {
            if (!(error instanceof SnapshotError)) throw error;
          }
        },
      ),
      propertyConfig('snapshot text garbling', 500),
    );
  });
});
