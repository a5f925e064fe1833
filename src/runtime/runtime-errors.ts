import { PicopaymentsError } from '../errors.js';

/** Codes of {@link ChannelIoError}: which adapter failed. */
export type ChannelIoErrorCode =
  /** `Store.save` failed: the step is not durable and was undone. */
  | 'STORE_FAILED'
  /** `Transport.send` failed. */
  | 'TRANSPORT_FAILED'
  /** A chain call failed for a reason other than the chain refusing a transaction. */
  | 'CHAIN_FAILED'
  /** The wallet failed with an error that does not say whether it funded the deposit. */
  | 'WALLET_FAILED'
  /** Asset mode: reading the Counterparty ledger or a channel address failed, or no asset view is set. */
  | 'LEDGER_FAILED';

/**
 * An adapter (store, transport, chain, wallet) failed while a step was carried out. The effects
 * after the failed one were dropped, and the channel continues from its last durable state:
 * `recorded` tells whether that state includes the step (its persist succeeded before the
 * failure, so what failed is retried by the machine, e.g. a broadcast at the next block) or not
 * (the step was undone and may be tried again).
 */
export class ChannelIoError extends PicopaymentsError<ChannelIoErrorCode> {
  /** True when the step's new state was saved before the failure. */
  readonly recorded: boolean;
  /** The adapter's own error. */
  override readonly cause: unknown;

  constructor(code: ChannelIoErrorCode, message: string, recorded: boolean, cause: unknown) {
    super(code, message);
    this.recorded = recorded;
    this.cause = cause;
  }
}

/** Codes of {@link ChannelFaultError}. */
export type ChannelFaultErrorCode = 'MACHINE_FAULT';

/**
 * The machine threw while handling an event (a bug or a state no check foresaw). The event is
 * undone: the channel is back at its last durable state and still accepts events.
 */
export class ChannelFaultError extends PicopaymentsError<ChannelFaultErrorCode> {
  /** What the machine threw. */
  override readonly cause: unknown;

  constructor(message: string, cause: unknown) {
    super('MACHINE_FAULT', message);
    this.cause = cause;
  }
}

/** The message of any thrown value. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
