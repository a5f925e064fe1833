import { TypeCompiler } from '@sinclair/typebox/compiler';
import { PaymentEvent, type PaymentEventJson } from '../hub/schemas/events.js';
import { HubClientError } from './errors.js';

const eventCheck = TypeCompiler.Compile(PaymentEvent);

/** A payment queued for the subscribed connection, as pushed by the hub. */
export interface IncomingPayment {
  readonly token: string;
  readonly from: string;
  readonly to: string;
  readonly amount: bigint;
  readonly memo?: string;
}

/** Options of `HubClient.subscribe`. */
export interface SubscribeOptions {
  /** Called for each payment queued for the connection. */
  readonly onPayment: (payment: IncomingPayment) => void;
  /** Called for an event that does not match its schema (it is skipped) or a broken stream. */
  readonly onError?: (error: HubClientError) => void;
  /** Lifetime of the subscription token, seconds (the hub accepts at most 3600). */
  readonly expirySeconds?: number;
}

/** A live subscription. */
export interface HubSubscription {
  /** Resolves when the hub confirmed the subscription; rejects with a typed error if refused. */
  readonly ready: Promise<void>;
  /** Resolves when the stream ended, for whatever reason. */
  readonly closed: Promise<void>;
  /** Ends the subscription. */
  close(): void;
}

/** Longest event frame accepted, characters: a hub cannot make the client buffer without end. */
const MAX_FRAME = 64_000;

function parseFrame(frame: string): { event: string; data: string } | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? null : { event, data: data.join('\n') };
}

/** Opens `GET url` as a server-sent event stream of payment events. */
export function openSubscription(
  url: string,
  fetcher: typeof fetch,
  options: SubscribeOptions,
): HubSubscription {
  const abort = new AbortController();
  let markReady!: () => void;
  let refuse!: (error: unknown) => void;
  const ready = new Promise<void>((ok, fail) => {
    markReady = ok;
    refuse = fail;
  });
  // A caller that never awaits `ready` gets no unhandled rejection.
  ready.catch(() => undefined);
  const report = (error: HubClientError) => options.onError?.(error);

  function dispatch(frame: string): void {
    const parsed = parseFrame(frame);
    if (!parsed) return;
    if (parsed.event === 'ready') {
      markReady();
      return;
    }
    if (parsed.event !== 'payment') return;
    let value: unknown;
    try {
      value = JSON.parse(parsed.data);
    } catch {
      report(new HubClientError('HUB_BAD_RESPONSE', 'a payment event is not JSON'));
      return;
    }
    if (!eventCheck.Check(value)) {
      report(new HubClientError('HUB_BAD_RESPONSE', 'a payment event does not match its schema'));
      return;
    }
    const e = value as PaymentEventJson;
    options.onPayment({
      token: e.token,
      from: e.from,
      to: e.to,
      amount: BigInt(e.amount),
      ...(e.memo !== undefined ? { memo: e.memo } : {}),
    });
  }

  async function run(): Promise<void> {
    let response: Response;
    try {
      response = await fetcher(url, {
        headers: { accept: 'text/event-stream' },
        signal: abort.signal,
      });
    } catch (error) {
      throw new HubClientError(
        'HUB_UNREACHABLE',
        `no event stream: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (response.status !== 200 || !response.body) {
      const text = await response.text().catch(() => '');
      let code: string | undefined;
      try {
        const c = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
        if (typeof c === 'string') code = c;
      } catch {
        // Not JSON: no hub code to report.
      }
      throw new HubClientError(
        'HUB_RPC_ERROR',
        `the hub refused the subscription (HTTP ${response.status})`,
        code,
      );
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
      if (buffer.length > MAX_FRAME) {
        abort.abort();
        throw new HubClientError('HUB_BAD_RESPONSE', 'an event frame is too long');
      }
    }
  }

  const closed = run().then(
    () => refuse(new HubClientError('HUB_UNREACHABLE', 'the event stream ended')),
    (error: unknown) => {
      if (abort.signal.aborted && !(error instanceof HubClientError)) {
        refuse(new HubClientError('HUB_UNREACHABLE', 'the subscription was closed'));
        return;
      }
      const typed =
        error instanceof HubClientError
          ? error
          : new HubClientError('HUB_UNREACHABLE', `the event stream broke: ${String(error)}`);
      refuse(typed);
      report(typed);
    },
  );
  return { ready, closed, close: () => abort.abort() };
}
