import type { UnionMemberDoc } from './tsdoc.js';
import type { MachineSpec, UsageEntry } from './machine-spec.js';
import { MACHINE_SOURCE } from './machine-model.js';
import { code, document, generatedNotice, table } from './markdown.js';
import { stateDiagram } from './mermaid.js';

const orNone = (text: string) => text || '(no TSDoc)';

function usageTable(entries: readonly UsageEntry[], first: string): string {
  return table(
    [first, 'meaning (TSDoc)', 'used in'],
    entries.map((e) => [
      code(e.name),
      orNone(e.doc),
      e.usedIn.length > 0 ? e.usedIn.join('; ') : '(unused)',
    ]),
  );
}

/** The Markdown page of one machine: diagram, states, transitions, events, guards, actions, effects. */
export function machinePage(
  title: string,
  spec: MachineSpec,
  effects: readonly UnionMemberDoc[],
  effectsPath: string,
  eventsPath: string,
): string {
  const stateRows = spec.states.map((s) => [
    code(s.path),
    s.type + (s.path === spec.initial ? ' (initial)' : ''),
    s.description || '—',
    [...s.entry.map((a) => `entry: ${a}`), ...s.exit.map((a) => `exit: ${a}`)].join('; ') || '—',
  ]);
  const transitionRows = spec.transitions.map((t) => [
    t.source === MACHINE_SOURCE ? '(any state)' : code(t.source),
    t.eventless ? 'always (eventless)' : code(t.event),
    code(t.guard),
    t.target === null ? '(stays)' : code(t.target),
    t.actions.join(', ') || '—',
  ]);
  return document([
    `# ${title}`,
    generatedNotice([spec.source, eventsPath, effectsPath]),
    spec.summary,
    '## State diagram',
    [
      'Edges are labelled `EVENT [guard]`; `always [guard]` is an eventless transition, taken as',
      'soon as its guard holds; `done` leaves a parallel state once all its regions are final.',
      'Transitions that stay in their state (they only run actions) are in the transition table.',
    ].join('\n'),
    `\`\`\`mermaid\n${stateDiagram(spec)}\n\`\`\``,
    '## States',
    table(['state', 'type', 'description', 'entry / exit actions'], stateRows),
    '## Transitions',
    [
      'In declaration order. For one state and event the first candidate whose guard holds is',
      "taken; a state's own transitions take precedence over those of its ancestors, and",
      '`(any state)` ones are declared on the machine itself (`*` matches any other event).',
    ].join('\n'),
    table(['state', 'event', 'guard', 'target', 'actions'], transitionRows),
    '## Events',
    table(
      ['event', 'meaning (TSDoc)', 'fields', 'handled in'],
      spec.events.map((e) => [
        code(e.name),
        orNone(e.doc),
        e.fields.map((f) => `\`${f}\``).join(', ') || '—',
        e.usedIn.join('; ') || 'only by `(any state)` transitions',
      ]),
    ),
    '## Guards',
    usageTable(spec.guards, 'guard'),
    '## Actions',
    usageTable(spec.actions, 'action'),
    '## Effects',
    'What the machine asks its embedder to do, emitted as data and carried out in order.',
    table(
      ['effect', 'meaning (TSDoc)', 'fields'],
      effects.map((e) => [
        code(e.name),
        orNone(e.doc),
        e.fields.map((f) => `\`${f}\``).join(', ') || '—',
      ]),
    ),
  ]);
}
