import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** A documented name: a guard, an action, an event or an effect, with its TSDoc text. */
export interface DocEntry {
  readonly name: string;
  /** The TSDoc summary, whitespace-normalised; empty when the source has none. */
  readonly doc: string;
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
}

/** Turns the text of a TSDoc block comment into one line of prose. */
export function cleanDocComment(comment: string): string {
  return comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .join(' ')
    .replace(/\{@link\s+([^}|\s]+)[^}]*\}/g, '`$1`')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The last TSDoc block comment inside `text`, cleaned; empty when there is none. */
function lastDocComment(text: string): string {
  const matches = text.match(/\/\*\*[\s\S]*?\*\//g);
  const last = matches?.[matches.length - 1];
  return last ? cleanDocComment(last) : '';
}

/** The TSDoc comment directly above `node` (in its leading trivia). */
function leadingDoc(node: ts.Node, source: ts.SourceFile): string {
  return lastDocComment(source.text.slice(node.getFullStart(), node.getStart(source)));
}

function propertyName(name: ts.PropertyName, source: ts.SourceFile): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : name.getText(source);
}

/** Finds the first call `callee(...)` in the file, depth first. */
function findCall(node: ts.Node, callee: string): ts.CallExpression | undefined {
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
    if (node.expression.text === callee) return node;
  }
  return ts.forEachChild(node, (child) => findCall(child, callee));
}

/**
 * The guards and actions declared in the `setup({ guards: {...}, actions: {...} })` call of a
 * machine source file, in source order, each with the TSDoc comment above its property.
 */
export function setupImplementationDocs(path: string): {
  guards: DocEntry[];
  actions: DocEntry[];
} {
  const source = parse(path);
  const call = findCall(source, 'setup');
  const config = call?.arguments[0];
  if (!config || !ts.isObjectLiteralExpression(config)) {
    throw new Error(`${path}: no setup({ ... }) call found`);
  }
  const section = (key: string): DocEntry[] => {
    const property = config.properties.find(
      (p): p is ts.PropertyAssignment =>
        ts.isPropertyAssignment(p) && propertyName(p.name, source) === key,
    );
    if (!property || !ts.isObjectLiteralExpression(property.initializer)) return [];
    return property.initializer.properties.flatMap((p) =>
      p.name ? [{ name: propertyName(p.name, source), doc: leadingDoc(p, source) }] : [],
    );
  };
  return { guards: section('guards'), actions: section('actions') };
}

/** One member of a discriminated union: its `type` literal, its doc and the alias it came through. */
export interface UnionMemberDoc extends DocEntry {
  /** Name of the type alias or interface the member was declared in. */
  readonly declaredIn: string;
  /** Names of the member's properties other than `type`. */
  readonly fields: readonly string[];
}

function typeLiteralOf(members: ts.NodeArray<ts.TypeElement>, source: ts.SourceFile) {
  let type: string | undefined;
  const fields: string[] = [];
  for (const member of members) {
    if (!ts.isPropertySignature(member) || !member.name) continue;
    const name = propertyName(member.name, source);
    if (name !== 'type') {
      fields.push(name);
      continue;
    }
    const t = member.type;
    if (t && ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) type = t.literal.text;
  }
  return { type, fields };
}

/**
 * The members of the discriminated union `typeName` declared in `path`, flattened through the
 * local type aliases and interfaces it names, each with the TSDoc comment written above it (a
 * member without one inherits the doc of the alias it came through).
 */
export function unionMemberDocs(path: string, typeName: string): UnionMemberDoc[] {
  const source = parse(path);
  const aliases = new Map<string, ts.TypeAliasDeclaration>();
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement);
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
  }
  const out: UnionMemberDoc[] = [];
  const visit = (node: ts.TypeNode, doc: string, declaredIn: string): void => {
    if (ts.isUnionTypeNode(node)) {
      node.types.forEach((member, i) => {
        // The doc of a union member sits before its `|`, outside the member's own trivia.
        const from = i === 0 ? node.getFullStart() : node.types[i - 1]!.getEnd();
        const own = lastDocComment(source.text.slice(from, member.getStart(source)));
        visit(member, own || doc, declaredIn);
      });
      return;
    }
    if (ts.isParenthesizedTypeNode(node)) {
      visit(node.type, doc, declaredIn);
      return;
    }
    if (ts.isTypeLiteralNode(node)) {
      const { type, fields } = typeLiteralOf(node.members, source);
      if (type !== undefined) out.push({ name: type, doc, declaredIn, fields });
      return;
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      const alias = aliases.get(name);
      if (alias) {
        visit(alias.type, leadingDoc(alias, source) || doc, name);
        return;
      }
      const iface = interfaces.get(name);
      if (iface) {
        const { type, fields } = typeLiteralOf(iface.members, source);
        if (type !== undefined)
          out.push({ name: type, doc: leadingDoc(iface, source) || doc, declaredIn: name, fields });
        return;
      }
    }
    throw new Error(`${path}: cannot resolve a member of ${typeName}: ${node.getText(source)}`);
  };
  const root = aliases.get(typeName);
  if (!root) throw new Error(`${path}: no type alias ${typeName}`);
  visit(root.type, leadingDoc(root, source), typeName);
  return out;
}

/** The TSDoc comment above the top-level declaration `name` (variable, function, type). */
export function declarationDoc(path: string, name: string): string {
  const source = parse(path);
  for (const statement of source.statements) {
    const declared = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.some(
          (d) => ts.isIdentifier(d.name) && d.name.text === name,
        )
      : (ts.isFunctionDeclaration(statement) ||
          ts.isInterfaceDeclaration(statement) ||
          ts.isTypeAliasDeclaration(statement)) &&
        statement.name?.text === name;
    if (declared) return leadingDoc(statement, source);
  }
  throw new Error(`${path}: no declaration ${name}`);
}
