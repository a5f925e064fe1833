import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** A state of a machine, as the generated documents describe it. */
export interface StateModel {
  /** Dotted path below the root, e.g. `settling.commitOutput.deciding`. */
  readonly path: string;
  /** The state's own key, e.g. `deciding`. */
  readonly key: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Path of the enclosing state; null for top-level states. */
  readonly parent: string | null;
  /** Path of the initial child of a compound state. */
  readonly initial: string | null;
  readonly description: string;
  readonly entry: readonly string[];
  readonly exit: readonly string[];
}

/** A transition: an event (or none, for `always`) with its guard, target and actions. */
export interface TransitionModel {
  /** Path of the state that declares it; `(machine)` for the root. */
  readonly source: string;
  /** Event type; `always` for eventless transitions, `done` for a parallel state's `onDone`. */
  readonly event: string;
  readonly eventless: boolean;
  readonly guard: string | null;
  /** Target state path; null when the transition stays in the current state. */
  readonly target: string | null;
  readonly actions: readonly string[];
  /** Position among the candidates for the same source and event (first match wins). */
  readonly order: number;
}

/** Everything the generated documents say about one machine's structure. */
export interface MachineModel {
  readonly id: string;
  readonly initial: string;
  readonly states: readonly StateModel[];
  readonly transitions: readonly TransitionModel[];
}

/** Root-level transitions are declared on the machine itself, not on a state. */
export const MACHINE_SOURCE = '(machine)';

function pathOf(node: AnyStateNode): string {
  return node.path.join('.');
}

/** The name of an action or guard reference (inline functions have none). */
function nameOf(reference: unknown): string {
  if (typeof reference === 'string') return reference;
  if (typeof reference === 'object' && reference !== null && 'type' in reference) {
    const type = (reference as { type: unknown }).type;
    if (typeof type === 'string') {
      const params = (reference as { params?: unknown }).params;
      return params === undefined ? type : `${type}(${JSON.stringify(params)})`;
    }
  }
  return '(inline)';
}

function transitionModel(
  source: string,
  event: string,
  eventless: boolean,
  t: AnyTransitionDefinition,
  order: number,
): TransitionModel {
  const targets = t.target ?? [];
  if (targets.length > 1) throw new Error(`${source}: multi-target transitions are not rendered`);
  return {
    source,
    event,
    eventless,
    guard: t.guard === undefined ? null : nameOf(t.guard),
    target: targets[0] ? pathOf(targets[0]) : null,
    actions: t.actions.map(nameOf),
    order,
  };
}

/** Maps XState's `xstate.done.state.<id>` to a readable `done` event name. */
function eventName(eventType: string): string {
  return eventType.startsWith('xstate.done.state.') ? 'done' : eventType;
}

/**
 * Walks `machine.root` depth first (states in declaration order) and returns its states and
 * transitions. Only the structure is read; no actor is started.
 */
export function machineModel(machine: AnyStateMachine): MachineModel {
  const states: StateModel[] = [];
  const transitions: TransitionModel[] = [];
  const walk = (node: AnyStateNode): void => {
    const isRoot = node.path.length === 0;
    const path = isRoot ? MACHINE_SOURCE : pathOf(node);
    if (!isRoot) {
      const initialTarget = node.type === 'compound' ? node.initial.target[0] : undefined;
      states.push({
        path,
        key: node.key,
        type: node.type,
        parent: node.path.length > 1 ? node.path.slice(0, -1).join('.') : null,
        initial: initialTarget ? pathOf(initialTarget) : null,
        description: node.description ?? '',
        entry: node.entry.map(nameOf),
        exit: node.exit.map(nameOf),
      });
    }
    for (const [eventType, list] of node.transitions) {
      list.forEach((t, i) => {
        transitions.push(transitionModel(path, eventName(eventType), false, t, i));
      });
    }
    (node.always ?? []).forEach((t, i) => {
      transitions.push(transitionModel(path, 'always', true, t, i));
    });
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  const initial = machine.root.initial.target[0];
  if (!initial) throw new Error(`${machine.id}: no initial state`);
  return { id: machine.id, initial: pathOf(initial), states, transitions };
}
