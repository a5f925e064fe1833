import { describe, expect, test } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import { payeeMachine } from '../../src/machines/payee-machine.js';
import { payerMachine } from '../../src/machines/payer-machine.js';
import { decodeChannelSnapshot, encodeChannelSnapshot } from '../../src/snapshots/codec.js';
import { snapshotJsonSchema } from '../../src/snapshots/json-schema.js';
import { realSnapshots } from './fixtures.js';

const machines = { payer: payerMachine, payee: payeeMachine } as const;

// biome-ignore lint/suspicious/noExplicitAny: walks a JSON Schema document.
type Json = any;

describe('real snapshots decode back identically', () => {
  test('the fixtures reach every top-level state of both machines', async () => {
    const snapshots = await realSnapshots();
    for (const role of ['payer', 'payee'] as const) {
      const reached = new Set(
        snapshots.filter((s) => s.role === role).map((s) => s.state.split('.')[0]!.split(',')[0]),
      );
      expect([...reached].sort()).toEqual(Object.keys(machines[role].root.states).sort());
    }
    expect(snapshots.length).toBeGreaterThan(60);
  });

  test('every persisted stage of real channels, both roles: same text, same actor', async () => {
    for (const snapshot of await realSnapshots()) {
      const machine = machines[snapshot.role];
      const decoded = decodeChannelSnapshot(snapshot.text, snapshot.role, machine);
      expect(encodeChannelSnapshot(decoded, snapshot.role)).toBe(snapshot.text);
      const actor = createActor(machine as AnyStateMachine, { snapshot: decoded as never });
      actor.start();
      expect(actor.getSnapshot().status).toBe(decoded.status);
      expect(actor.getPersistedSnapshot()).toEqual(decoded);
      actor.stop();
    }
  });

  test('decoding returns a fresh object: mutating it changes nothing decoded later', async () => {
    const [first] = await realSnapshots();
    const a = decodeChannelSnapshot(first!.text, first!.role, machines[first!.role]);
    (a.context as { height: number }).height = 1;
    const b = decodeChannelSnapshot(first!.text, first!.role, machines[first!.role]);
    expect(b.context.height).not.toBe(1);
  });
});

describe('JSON Schema', () => {
  test('is plain JSON and requires exactly the fields real snapshots have', async () => {
    const schema = snapshotJsonSchema() as Json;
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.required).toEqual(['format', 'version', 'role', 'machine']);
    const [payer, payee] = schema.properties.machine.anyOf;
    for (const [role, machine] of [
      ['payer', payer],
      ['payee', payee],
    ] as const) {
      const snapshot = (await realSnapshots()).find((s) => s.role === role)!;
      const persisted = JSON.parse(snapshot.text).machine;
      expect([...machine.required].sort()).toEqual(Object.keys(persisted).sort());
      expect([...machine.properties.context.required].sort()).toEqual(
        Object.keys(persisted.context).sort(),
      );
      expect(machine.properties.context.additionalProperties).toBe(false);
    }
    expect(snapshotJsonSchema()).not.toBe(schema);
  });
});
