import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { HubError } from '../errors.js';
import { RequestAuthSchema } from './common.js';
import { HUB_METHODS, type HubMethodName } from './methods.js';

/** Params (or an auth block) that do not match their schema; `path` is the JSON Pointer of the first fault. */
export class InvalidParamsError extends HubError {
  constructor(
    message: string,
    /** JSON Pointer of the offending value, from the request object's `params` or `auth`. */
    readonly path: string,
  ) {
    super('INVALID_PARAMS', message);
  }
}

/** Where a schema mismatch was found, with typebox's message. */
export interface SchemaFault {
  readonly path: string;
  readonly message: string;
}

const compiled = new Map<string, { params: TypeCheck<TSchema>; result: TypeCheck<TSchema> }>(
  HUB_METHODS.map((m) => [
    m.name,
    { params: TypeCompiler.Compile(m.params), result: TypeCompiler.Compile(m.result) },
  ]),
);
const authCheck = TypeCompiler.Compile(RequestAuthSchema);

function fault(check: TypeCheck<TSchema>, value: unknown): SchemaFault | null {
  if (check.Check(value)) return null;
  const first = check.Errors(value).First();
  return { path: first?.path ?? '', message: first?.message ?? 'does not match the schema' };
}

/** True when `name` is one of the hub's methods. */
export function isHubMethod(name: string): name is HubMethodName {
  return compiled.has(name);
}

/**
 * Checks a request's params (absent params count as `{}`) and its auth block, if any, against
 * the method's schemas before the hub sees them. The values are not changed: the hub verifies
 * the signature over exactly what was sent.
 *
 * @throws {@link HubError} `METHOD_NOT_FOUND` for an unknown method; {@link InvalidParamsError} otherwise.
 */
export function validateRequest(method: string, params: unknown, auth: unknown): void {
  const c = compiled.get(method);
  if (!c) throw new HubError('METHOD_NOT_FOUND', `no method ${method}`);
  const p = fault(c.params, params === undefined ? {} : params);
  if (p) throw new InvalidParamsError(`params${p.path}: ${p.message}`, `/params${p.path}`);
  if (auth === undefined) return;
  const a = fault(authCheck, auth);
  if (a) throw new InvalidParamsError(`auth${a.path}: ${a.message}`, `/auth${a.path}`);
}

/** The first fault of a method's result, or null when it matches (used by the client library). */
export function resultFault(method: HubMethodName, result: unknown): SchemaFault | null {
  return fault(compiled.get(method)!.result, result);
}

/** Static type of the result of each method. */
export type HubResultOf<M extends HubMethodName> = Static<
  Extract<(typeof HUB_METHODS)[number], { name: M }>['result']
>;
