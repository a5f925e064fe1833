import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';
import { describe, expect, test } from 'vitest';
import { payeeMachine } from '../../src/machines/payee-machine.js';
import { payerMachine } from '../../src/machines/payer-machine.js';

/*
 * Reachability is checked on the machine's structure: every transition (event-driven, `always`
 * and `onDone`) is taken to be possibly enabled. Guards here are predicates over channel data
 * (amounts, heights, transactions), so which of them hold depends on what the counterparty and
 * the chain do, not on the machine; the structural graph is exactly the set of moves some
 * environment can cause. A state unreachable in it is dead code, and a state from which no final
 * state is reachable in it can never end, whatever the data. (The converse, that the data can
 * always be arranged to take each edge, is what the transition and recovery tests show.)
 */

function descendants(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states).flatMap((child) => [child, ...descendants(child)]);
}

function ancestors(node: AnyStateNode): AnyStateNode[] {
  const list: AnyStateNode[] = [];
  for (let n: AnyStateNode | undefined = node; n; n = n.parent) list.push(n);
  return list;
}

/** The transitions that can fire while `node` is active: its own and its ancestors', `always` included. */
function outgoing(node: AnyStateNode, withDone = true): AnyStateNode[] {
  return ancestors(node).flatMap((n) => [
    ...[...n.transitions.entries()]
      .filter(([event]) => withDone || !event.startsWith('xstate.done.state.'))
      .flatMap(([, ts]) => ts.flatMap((t) => t.target ?? [])),
    ...(n.always ?? []).flatMap((t) => t.target ?? []),
  ]);
}

/** The state nodes active after entering `node`: it, its ancestors, and its initial (or, for a parallel node, every) child, down to the leaves. */
function entered(node: AnyStateNode): AnyStateNode[] {
  const down = (n: AnyStateNode): AnyStateNode[] => {
    if (n.type === 'parallel') return [n, ...Object.values(n.states).flatMap(down)];
    if (n.type === 'compound') return [n, ...n.initial.target.flatMap(down)];
    return [n];
  };
  return [...ancestors(node), ...down(node)];
}

function reachable(machine: AnyStateMachine): Set<string> {
  const seen = new Set<string>();
  const queue = entered(machine.root);
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    for (const target of outgoing(node)) queue.push(...entered(target));
  }
  return seen;
}

/** Atomic states from which a top-level final state is reachable. */
function canFinish(machine: AnyStateMachine): Set<string> {
  const all = descendants(machine.root);
  const leaves = (n: AnyStateNode) =>
    entered(n).filter((e) => e.type === 'atomic' || e.type === 'final');
  const done = new Set(
    all.filter((n) => n.type === 'final' && n.parent === machine.root).map((n) => n.id),
  );
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of all) {
      if (done.has(node.id) || (node.type !== 'atomic' && node.type !== 'final')) continue;
      // `onDone` only fires once every region is final, so it is taken from region finals only.
      const reaches = outgoing(node, false)
        .flatMap(leaves)
        .some((n) => done.has(n.id));
      // A region's final state finishes when the parallel parent's `onDone` leads to a finishing state.
      const regionalFinal = node.type === 'final' && node.parent?.parent?.type === 'parallel';
      if (reaches || (regionalFinal && regionReachesOut(node, done, leaves))) {
        done.add(node.id);
        changed = true;
      }
    }
  }
  return done;
}

/** A region's final state counts as finishing when the parallel state's `onDone` leads to a finishing state. */
function regionReachesOut(
  node: AnyStateNode,
  done: Set<string>,
  leaves: (n: AnyStateNode) => AnyStateNode[],
): boolean {
  const parallel = node.parent?.parent;
  if (!parallel) return false;
  // Every sibling region must have a final state of its own for the parallel state to complete.
  const regions = Object.values(parallel.states);
  if (!regions.every((r) => Object.values(r.states).some((s) => s.type === 'final'))) return false;
  const onDone = [...parallel.transitions.entries()]
    .filter(([event]) => event.startsWith('xstate.done.state.'))
    .flatMap(([, ts]) => ts.flatMap((t) => t.target ?? []));
  return onDone.flatMap(leaves).some((n) => done.has(n.id));
}

describe.each([
  ['payer', payerMachine],
  ['payee', payeeMachine],
] as const)('%s machine graph', (_name, machine) => {
  const nodes = descendants(machine.root);

  test('every state node is reachable from the initial state', () => {
    const seen = reachable(machine);
    expect(nodes.map((n) => n.id).filter((id) => !seen.has(id))).toEqual([]);
  });

  test('a final state is reachable from every state', () => {
    const finishing = canFinish(machine);
    const atomic = nodes.filter((n) => n.type === 'atomic' || n.type === 'final');
    expect(atomic.map((n) => n.id).filter((id) => !finishing.has(id))).toEqual([]);
    // Compound and parallel states finish through their leaves.
    expect(
      nodes.filter((n) => n.type === 'final' && n.parent === machine.root).length,
    ).toBeGreaterThan(0);
  });

  test('the walk covers the same state nodes as xstate/graph', () => {
    const ids = (graph: ReturnType<typeof toDirectedGraph>): string[] => [
      graph.id,
      ...graph.children.flatMap(ids),
    ];
    expect(new Set(ids(toDirectedGraph(machine)))).toEqual(
      new Set([machine.root.id, ...nodes.map((n) => n.id)]),
    );
  });
});

test('the walk detects an unreachable state and a state that cannot finish', async () => {
  const { createMachine } = await import('xstate');
  const broken = createMachine({
    id: 'broken',
    initial: 'a',
    states: {
      a: { on: { GO: 'b', END: 'end' } },
      b: { on: { LOOP: 'b' } },
      orphan: { on: { END: 'end' } },
      end: { type: 'final' },
    },
  });
  const seen = reachable(broken);
  expect(seen.has('broken.orphan')).toBe(false);
  expect(canFinish(broken).has('broken.b')).toBe(false);
  expect(canFinish(broken).has('broken.a')).toBe(true);
});
