import { CORE_METHODS, type NodeState, PARAMETER_NAMES } from './core-methods.js';
import { RPC_CODES, RpcFailure } from './rpc-failure.js';

/** An HTTP answer of the JSON-RPC dialect. */
export interface RpcHttpResponse {
  readonly status: number;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  readonly value: Record<string, unknown>;
}

function errorObject(code: number, message: string) {
  return { code, message };
}

/**
 * Legacy (1.0) replies carry `result` and `error` both and signal errors by HTTP status, as
 * Core does; 2.0 replies carry one of them and always use 200.
 */
function reply(
  v2: boolean,
  id: unknown,
  outcome: { result: unknown } | { error: { code: number; message: string } },
): Reply {
  if (v2) return { status: 200, value: { jsonrpc: '2.0', ...outcome, id } };
  if ('result' in outcome)
    return { status: 200, value: { result: outcome.result, error: null, id } };
  const status =
    outcome.error.code === RPC_CODES.INVALID_REQUEST
      ? 400
      : outcome.error.code === RPC_CODES.METHOD_NOT_FOUND
        ? 404
        : 500;
  return { status, value: { result: null, error: outcome.error, id } };
}

function positional(method: string, params: unknown): unknown[] {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) return params;
  if (typeof params !== 'object') {
    throw new RpcFailure(RPC_CODES.INVALID_REQUEST, 'Params must be an array or object');
  }
  const names = PARAMETER_NAMES[method] ?? [];
  const named = params as Record<string, unknown>;
  for (const key of Object.keys(named)) {
    if (!names.includes(key))
      throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, `Unknown named parameter ${key}`);
  }
  const list = names.map((name) => named[name]);
  while (list.length > 0 && list.at(-1) === undefined) list.pop();
  return list;
}

async function handleOne(state: NodeState, request: unknown): Promise<Reply> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return reply(false, null, {
      error: errorObject(RPC_CODES.INVALID_REQUEST, 'Invalid Request object'),
    });
  }
  const { id = null, method, params, jsonrpc } = request as Record<string, unknown>;
  const v2 = jsonrpc === '2.0';
  if (typeof method !== 'string') {
    return reply(v2, id, {
      error: errorObject(RPC_CODES.INVALID_REQUEST, 'Method must be a string'),
    });
  }
  const handler = Object.hasOwn(CORE_METHODS, method) ? CORE_METHODS[method] : undefined;
  if (handler === undefined) {
    return reply(v2, id, { error: errorObject(RPC_CODES.METHOD_NOT_FOUND, 'Method not found') });
  }
  try {
    const args = positional(method, params);
    const limit = PARAMETER_NAMES[method]?.length ?? 0;
    if (args.length > limit) {
      throw new RpcFailure(
        RPC_CODES.MISC_ERROR,
        `${method}: too many parameters (${args.length} > ${limit})`,
      );
    }
    const result = await handler(state, args);
    return reply(v2, id, { result });
  } catch (error: unknown) {
    if (error instanceof RpcFailure) {
      return reply(v2, id, { error: errorObject(error.rpcCode, error.message) });
    }
    throw error;
  }
}

/**
 * Answers one HTTP body of the JSON-RPC dialect: a single request or a batch (an array, which
 * Core always answers with status 200).
 */
export async function handleJsonRpc(state: NodeState, body: string): Promise<RpcHttpResponse> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const { status, value } = reply(false, null, {
      error: errorObject(RPC_CODES.PARSE_ERROR, 'Parse error'),
    });
    return { status, body: JSON.stringify(value) };
  }
  if (Array.isArray(parsed)) {
    const replies: Record<string, unknown>[] = [];
    for (const request of parsed) replies.push((await handleOne(state, request)).value);
    return { status: 200, body: JSON.stringify(replies) };
  }
  const { status, value } = await handleOne(state, parsed);
  return { status, body: JSON.stringify(value) };
}
