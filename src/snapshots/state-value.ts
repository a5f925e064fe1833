import type { AnyStateMachine } from 'xstate';
import { SnapshotError } from './errors.js';

/** What a valid state value tells about the snapshot. */
export interface ResolvedState {
  /** Name of the active top-level state, e.g. `open` or `settling`. */
  readonly top: string;
  /** True when the top-level state is final: the snapshot's status must then be `done`. */
  readonly final: boolean;
  /** The outcome the final state records on entry, when the machine declares one. */
  readonly outcome: string | null;
}

// The parts of an XState v5 state node this check reads.
interface StateNodeView {
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  readonly states: { readonly [key: string]: StateNodeView };
  readonly entry: readonly unknown[];
}

function isPlainObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: StateNodeView, key: string, path: string): StateNodeView {
  const found = Object.hasOwn(node.states, key) ? node.states[key] : undefined;
  if (!found) throw new SnapshotError('SNAPSHOT_STATE', `no state "${key}" here`, path);
  return found;
}

const isLeaf = (node: StateNodeView) => node.type === 'atomic' || node.type === 'final';

// Walks the value against the machine's state tree, requiring the exact form XState persists:
// a string for a leaf, `{ child: value }` under a compound state, every region of a parallel one.
function walk(node: StateNodeView, value: unknown, path: string): void {
  if (node.type === 'parallel') {
    if (!isPlainObject(value)) {
      throw new SnapshotError('SNAPSHOT_STATE', 'a parallel state needs every region', path);
    }
    const regions = Object.keys(node.states);
    const keys = Object.keys(value);
    if (keys.length !== regions.length || !regions.every((r) => Object.hasOwn(value, r))) {
      throw new SnapshotError('SNAPSHOT_STATE', `regions must be ${regions.join(', ')}`, path);
    }
    for (const region of regions) walk(node.states[region]!, value[region], `${path}/${region}`);
    return;
  }
  if (node.type !== 'compound') {
    throw new SnapshotError('SNAPSHOT_STATE', `a ${node.type} state has no sub-states`, path);
  }
  if (typeof value === 'string') {
    const target = child(node, value, path);
    if (!isLeaf(target)) {
      throw new SnapshotError('SNAPSHOT_STATE', `"${value}" has sub-states; name them`, path);
    }
    return;
  }
  if (!isPlainObject(value) || Object.keys(value).length !== 1) {
    throw new SnapshotError(
      'SNAPSHOT_STATE',
      'a compound state has exactly one active child',
      path,
    );
  }
  const [key] = Object.keys(value) as [string];
  const target = child(node, key, path);
  if (isLeaf(target)) {
    throw new SnapshotError('SNAPSHOT_STATE', `"${key}" has no sub-states`, `${path}/${key}`);
  }
  walk(target, value[key], `${path}/${key}`);
}

// The `outcome` parameter of the `finish` entry action of a final state, if it has one.
function declaredOutcome(node: StateNodeView): string | null {
  for (const action of node.entry) {
    if (isPlainObject(action) && action.type === 'finish' && isPlainObject(action.params)) {
      const outcome = action.params.outcome;
      if (typeof outcome === 'string') return outcome;
    }
  }
  return null;
}

/**
 * Checks that `value` is a state of `machine` in the exact form XState persists it (no unknown,
 * missing or extra state names), and reads what the active top-level state implies.
 *
 * @param path - JSON Pointer of `value`, used in errors.
 * @throws {@link SnapshotError} `SNAPSHOT_STATE`.
 */
export function resolveStateValue(
  machine: AnyStateMachine,
  value: unknown,
  path: string,
): ResolvedState {
  const root = machine.root as unknown as StateNodeView;
  walk(root, value, path);
  const top = typeof value === 'string' ? value : Object.keys(value as object)[0]!;
  const node = root.states[top]!;
  const final = node.type === 'final';
  return { top, final, outcome: final ? declaredOutcome(node) : null };
}
