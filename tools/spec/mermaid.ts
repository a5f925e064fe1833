import type { MachineModel, StateModel, TransitionModel } from './machine-model.js';

/**
 * Mermaid state ids: a state's own key when no other state shares it, else its path joined
 * with underscores (Mermaid ids cannot contain dots).
 */
function idFactory(states: readonly StateModel[]): (path: string) => string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
  const keyOf = new Map(states.map((s) => [s.path, s.key]));
  return (path) => {
    const key = keyOf.get(path) ?? path;
    return counts.get(key) === 1 ? key : path.replace(/\./g, '_');
  };
}

/** The edge label of a transition: `EVENT [guard]`, or `always [guard]` when eventless. */
export function edgeLabel(t: TransitionModel): string {
  return t.guard ? `${t.event} [${t.guard}]` : t.event;
}

/** The innermost state enclosing both paths (null: the machine itself). */
function commonParent(a: string, b: string): string | null {
  const pa = a.split('.').slice(0, -1);
  const pb = b.split('.').slice(0, -1);
  const common: string[] = [];
  for (let i = 0; i < Math.min(pa.length, pb.length) && pa[i] === pb[i]; i++) common.push(pa[i]!);
  return common.length > 0 ? common.join('.') : null;
}

/**
 * A Mermaid `stateDiagram-v2` of the machine: nested and parallel states as composite states
 * (parallel regions separated by `--`), initial and final markers, and one edge per transition
 * that changes state. Transitions that stay in their state are listed in the tables instead.
 */
export function stateDiagram(model: MachineModel): string {
  const mermaidId = idFactory(model.states);
  const children = new Map<string | null, StateModel[]>();
  for (const s of model.states) children.set(s.parent, [...(children.get(s.parent) ?? []), s]);
  const edges = new Map<string | null, string[]>();
  for (const t of model.transitions) {
    if (t.target === null || !model.states.some((s) => s.path === t.source)) continue;
    const scope = commonParent(t.source, t.target);
    const line = `${mermaidId(t.source)} --> ${mermaidId(t.target)}: ${edgeLabel(t)}`;
    edges.set(scope, [...(edges.get(scope) ?? []), line]);
  }
  const lines: string[] = ['stateDiagram-v2'];
  const emit = (scope: string | null, indent: string): void => {
    const kids = children.get(scope) ?? [];
    const initial =
      scope === null ? model.initial : model.states.find((s) => s.path === scope)?.initial;
    if (initial) lines.push(`${indent}[*] --> ${mermaidId(initial)}`);
    kids.forEach((s, i) => {
      const id = mermaidId(s.path);
      if (id !== s.key) lines.push(`${indent}state "${s.key}" as ${id}`);
      if (s.type === 'compound' || s.type === 'parallel') {
        lines.push(`${indent}state ${mermaidId(s.path)} {`);
        emit(s.path, `${indent}  `);
        lines.push(`${indent}}`);
      }
      if (s.type === 'final') lines.push(`${indent}${mermaidId(s.path)} --> [*]`);
      // Regions of a parallel state are separated by `--`.
      const parent = scope === null ? null : model.states.find((p) => p.path === scope);
      if (parent?.type === 'parallel' && i < kids.length - 1) lines.push(`${indent}--`);
    });
    lines.push(...(edges.get(scope) ?? []).map((e) => `${indent}${e}`));
  };
  emit(null, '  ');
  return lines.join('\n');
}
