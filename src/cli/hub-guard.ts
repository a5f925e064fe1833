import { hexToBytes } from '../bytes.js';
import { HubClientError } from '../hub-client/errors.js';
import { responseDigest, verifyHex } from '../hub/signing.js';
import type { NetworkName } from '../scripts/networks.js';
import {
  type ClientLimits,
  type ConnectionExpectation,
  type RawTerms,
  checkConnectAnswer,
  checkConnectRequest,
  checkDelivered,
  checkMessages,
  checkStatus,
} from './hub-checks.js';

/** Options of {@link HubGuard}. */
export interface HubGuardOptions {
  readonly network: NetworkName;
  readonly limits: ClientLimits;
  /** What the client asked for on a connection opened by an earlier run (from its channel store). */
  readonly saved?: (handle: string) => ConnectionExpectation | undefined;
  readonly fetch?: typeof fetch;
}

interface Request {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: Record<string, unknown>;
  readonly auth?: { readonly signature?: unknown };
}

/**
 * Stands between the hub client and the network: every signed hub answer is checked
 * (hub-checks) before the client's engine sees it, and a connect request is checked against
 * the terms before it is sent. An answer that fails is not passed on: the client gets a
 * JSON-RPC error instead, and {@link HubGuard.violation} holds the typed reason to report.
 */
export class HubGuard {
  /** The first refusal, if any. */
  violation: HubClientError | null = null;
  private hubKey: string | null = null;
  private terms: Record<string, RawTerms> | null = null;
  private readonly opened = new Map<string, ConnectionExpectation>();
  private readonly inner: typeof fetch;

  constructor(private readonly o: HubGuardOptions) {
    this.inner = o.fetch ?? fetch;
  }

  /** The `fetch` to hand to the hub client. */
  readonly fetch: typeof fetch = async (input, init) => {
    let request: Request = {};
    try {
      request = JSON.parse(String(init?.body ?? '{}')) as Request;
    } catch {
      // Not ours to judge: passed through.
    }
    const method = String(request.method ?? '');
    try {
      if (method === 'hub_connect')
        checkConnectRequest(request.params ?? {}, this.terms, this.o.limits);
    } catch (error) {
      return this.refuse(request, error);
    }
    const response = await this.inner(input, init);
    const text = await response.text();
    try {
      this.check(method, request, text);
    } catch (error) {
      return this.refuse(request, error);
    }
    return new Response(text, { status: response.status, headers: response.headers });
  };

  private refuse(request: Request, error: unknown): Response {
    if (!(error instanceof HubClientError)) throw error;
    this.violation ??= error;
    return Response.json({
      jsonrpc: '2.0',
      id: request.id ?? null,
      error: {
        code: -32000,
        message: `refused by the client: ${error.message}`,
        data: { code: error.code },
      },
    });
  }

  private expectation(handle: string): ConnectionExpectation | undefined {
    return this.opened.get(handle) ?? this.o.saved?.(handle);
  }

  /** Judges one answer; only answers signed by the hub (others the client refuses itself). */
  private check(method: string, request: Request, text: string): void {
    let answer: { result?: unknown; signature?: unknown };
    try {
      answer = JSON.parse(text);
    } catch {
      return;
    }
    const result = answer?.result as Record<string, unknown> | undefined;
    if (typeof result !== 'object' || result === null || typeof answer.signature !== 'string')
      return;
    const key = this.hubKey ?? (method === 'hub_status' ? result.hubPublicKey : undefined);
    if (typeof key !== 'string' || !/^[0-9a-f]{66}$/.test(key)) return;
    const requestSignature =
      typeof request.auth?.signature === 'string' ? request.auth.signature : '';
    if (
      !verifyHex(
        responseDigest(key, method, requestSignature, result),
        answer.signature,
        hexToBytes(key),
      )
    )
      return;
    const params = request.params ?? {};
    if (method === 'hub_status') {
      this.terms = checkStatus(result, this.o.network, this.o.limits);
      this.hubKey = key;
      return;
    }
    if (method === 'hub_connect') {
      const expected = checkConnectAnswer(params, result, this.terms);
      this.opened.set(expected.handle, expected);
    }
    if (method === 'hub_pay' && typeof result.token !== 'string')
      throw new HubClientError('HUB_BAD_RESPONSE', 'the payment answer has no token');
    checkMessages(result.messages, (h) => this.expectation(h), this.o.network);
    checkDelivered(result.delivered);
  }
}
