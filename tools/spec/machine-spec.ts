import type { AnyStateMachine } from 'xstate';
import { MESSAGE_EVENT_TYPES } from '../../src/machines/events.js';
import { messageJsonSchemas } from '../../src/messages/json-schema.js';
import { MACHINE_SOURCE, type MachineModel, machineModel } from './machine-model.js';
import { declarationDoc, setupImplementationDocs, unionMemberDocs } from './tsdoc.js';

/** A documented name and where the machine uses it (`state: EVENT`). */
export interface UsageEntry {
  readonly name: string;
  readonly doc: string;
  readonly usedIn: readonly string[];
}

/** An event the machine accepts, with its payload fields and where it is handled. */
export interface EventEntry extends UsageEntry {
  readonly fields: readonly string[];
  /** Wire message the event carries, if it is a message event. */
  readonly message: string | null;
}

/** The machine-readable description of one machine (part of `spec.json`). */
export interface MachineSpec extends MachineModel {
  readonly source: string;
  readonly summary: string;
  readonly events: readonly EventEntry[];
  readonly guards: readonly UsageEntry[];
  readonly actions: readonly UsageEntry[];
}

/** Where a machine is defined and which union types its events. */
export interface MachineSource {
  readonly machine: AnyStateMachine;
  readonly exportName: string;
  readonly sourcePath: string;
  readonly eventsPath: string;
  readonly eventUnion: string;
}

const where = (source: string, event: string) =>
  source === MACHINE_SOURCE ? `(any state): ${event}` : `${source}: ${event}`;

/** `finish({"outcome":"settled"})` is a use of the action `finish`. */
const baseName = (reference: string) => reference.replace(/\(.*$/, '');

const unique = (items: readonly string[]) => [...new Set(items)];

function messageOfEvent(event: string): string | null {
  const entry = Object.entries(MESSAGE_EVENT_TYPES).find(([, e]) => e === event);
  return entry ? entry[0] : null;
}

/**
 * Builds a machine's spec from its definition (states, transitions) and its source (TSDoc of
 * guards, actions and events). Throws when the two disagree, so the spec cannot silently omit a
 * guard or an event.
 */
export function machineSpec(src: MachineSource): MachineSpec {
  const model = machineModel(src.machine);
  const docs = setupImplementationDocs(src.sourcePath);
  const schemas = messageJsonSchemas() as Record<string, { description?: string }>;
  const guardUses = new Map<string, string[]>();
  const actionUses = new Map<string, string[]>();
  const eventUses = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, use: string) =>
    map.set(key, unique([...(map.get(key) ?? []), use]));
  for (const t of model.transitions) {
    const use = where(t.source, t.event);
    if (t.guard) add(guardUses, baseName(t.guard), use);
    for (const a of t.actions) add(actionUses, baseName(a), use);
    if (!t.eventless && t.event !== 'done')
      add(eventUses, t.event, t.source === MACHINE_SOURCE ? '(any state)' : t.source);
  }
  for (const s of model.states) {
    for (const a of s.entry) add(actionUses, baseName(a), `${s.path} (entry)`);
    for (const a of s.exit) add(actionUses, baseName(a), `${s.path} (exit)`);
  }
  const declaredGuards = new Set(docs.guards.map((g) => g.name));
  const declaredActions = new Set(docs.actions.map((a) => a.name));
  for (const g of guardUses.keys())
    if (!declaredGuards.has(g)) throw new Error(`${src.exportName}: guard ${g} is not in setup()`);
  for (const a of actionUses.keys())
    if (!declaredActions.has(a))
      throw new Error(`${src.exportName}: action ${a} is not in setup()`);
  const eventDocs = unionMemberDocs(src.eventsPath, src.eventUnion);
  for (const e of eventUses.keys())
    if (e !== '*' && !eventDocs.some((d) => d.name === e))
      throw new Error(`${src.exportName}: event ${e} is not in ${src.eventUnion}`);
  return {
    ...model,
    source: src.sourcePath,
    summary: declarationDoc(src.sourcePath, src.exportName),
    events: eventDocs.map((e) => {
      const message = e.fields.includes('message') ? messageOfEvent(e.name) : null;
      const about = message ? schemas[message]?.description : undefined;
      return {
        name: e.name,
        doc: message ? `${e.doc} Carries \`${message}\`${about ? `: ${about}` : '.'}` : e.doc,
        fields: e.fields,
        message,
        usedIn: eventUses.get(e.name) ?? [],
      };
    }),
    guards: docs.guards.map((g) => ({ ...g, usedIn: guardUses.get(g.name) ?? [] })),
    actions: docs.actions.map((a) => ({ ...a, usedIn: actionUses.get(a.name) ?? [] })),
  };
}
