import { PicopaymentsError } from '../errors.js';
import { transferredAmount } from '../machines/bookkeeping.js';
import type { ChannelOutcome, PayeeContext, PayerContext } from '../machines/context.js';
import {
  type PayeeChannelConfig,
  type PayerChannelConfig,
  newPayeeContext,
  newPayerContext,
} from '../machines/initial-context.js';
import { payeeMachine } from '../machines/payee-machine.js';
import { payerMachine } from '../machines/payer-machine.js';
import { depositBlocksLeft } from '../guards/payee-guards.js';
import { payerTransferred } from '../guards/payer-guards.js';
import { formatAmount, parseAmount } from '../messages/amount.js';
import { ChannelRuntime, type Rejection, type RuntimeEnvironment } from './channel-runtime.js';

/** Codes of {@link ChannelCommandError}: the code of the guard that refused the command. */
export type ChannelCommandErrorCode = string;

/** A command (pay, give back, close) was refused; the channel is unchanged. */
export class ChannelCommandError extends PicopaymentsError<ChannelCommandErrorCode> {}

function throwIfRejected(rejections: readonly Rejection[]): void {
  const [first] = rejections;
  if (first) throw new ChannelCommandError(first.code, first.reason);
}

/** A readable summary of a channel, for UIs and logs. */
export interface ChannelStatus {
  readonly role: 'payer' | 'payee';
  readonly state: string;
  readonly outcome: ChannelOutcome | null;
  /** Highest unrevoked commit amount, satoshis. */
  readonly transferred: bigint;
  readonly depositValue: bigint | null;
  readonly depositTxid: string | null;
  readonly height: number;
  /** Blocks before the payer may expire the deposit; null before it confirms. */
  readonly blocksUntilExpiry: number | null;
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => `${key}.${stateName(inner)}`)
    .join(',');
}

function statusOf(runtime: ChannelRuntime, transferred: bigint): ChannelStatus {
  const context = runtime.context;
  return {
    role: context.role,
    state: stateName(runtime.state),
    outcome: context.outcome,
    transferred,
    depositValue: context.deposit ? parseAmount(context.deposit.value) : null,
    depositTxid: context.deposit?.txid ?? null,
    height: context.height,
    blocksUntilExpiry: depositBlocksLeft(context),
  };
}

/** Common surface of both channel ends. */
abstract class ChannelEnd {
  protected constructor(readonly runtime: ChannelRuntime) {}

  /** Hands a message text from the counterparty to the channel; resolves with any refusals. */
  receive(text: string): Promise<Rejection[]> {
    return this.runtime.receive(text);
  }

  /** Catches up with the chain: confirmations, spends of watched outputs, the new height. */
  sync(): Promise<void> {
    return this.runtime.sync();
  }

  /** True once the channel reached a final state. */
  get done(): boolean {
    return this.runtime.done;
  }

  /** The persisted snapshot (JSON text). */
  snapshot(): string {
    return this.runtime.snapshotText();
  }
}

/** The payee's end of a channel: makes the offer, accepts commits, gives value back, closes. */
export class PayeeChannel extends ChannelEnd {
  /** Opens a channel as payee: the offer is persisted and sent at once. */
  static async open(config: PayeeChannelConfig, env: RuntimeEnvironment): Promise<PayeeChannel> {
    return new PayeeChannel(await ChannelRuntime.start(payeeMachine, newPayeeContext(config), env));
  }

  /** Restores a payee channel from a persisted snapshot. */
  static async restore(snapshot: string, env: RuntimeEnvironment): Promise<PayeeChannel> {
    return new PayeeChannel(await ChannelRuntime.restore(payeeMachine, snapshot, env));
  }

  /** The machine context (JSON). */
  get context(): PayeeContext {
    return this.runtime.context as PayeeContext;
  }

  /**
   * Gives value back: revokes commits down to `amount` (PROTOCOL.md §6), sending their revoke
   * secrets. With `surpass`, may go below `amount` rather than stay above it.
   *
   * @throws {@link ChannelCommandError} e.g. `NOTHING_TO_REVOKE`, `UNEXPECTED_EVENT`.
   */
  async revokeUntil(amount: bigint, options: { surpass?: boolean } = {}): Promise<void> {
    throwIfRejected(
      await this.runtime.dispatch({
        type: 'REVOKE_UNTIL',
        amount: formatAmount(amount),
        surpass: options.surpass ?? false,
      }),
    );
  }

  /** Closes now: publishes the best commit (before the channel opened: gives it up). */
  async close(): Promise<void> {
    throwIfRejected(await this.runtime.dispatch({ type: 'CLOSE' }));
  }

  /** Current status. */
  status(): ChannelStatus {
    // The highest active commit is always in the context: history holds only lower ones.
    return statusOf(this.runtime, transferredAmount(this.context.activeCommits));
  }
}

/** The payer's end of a channel: funds the deposit, pays, and recovers its funds on close. */
export class PayerChannel extends ChannelEnd {
  /** Creates the payer's end; it acts when the payee's offer arrives. */
  static async create(config: PayerChannelConfig, env: RuntimeEnvironment): Promise<PayerChannel> {
    return new PayerChannel(await ChannelRuntime.start(payerMachine, newPayerContext(config), env));
  }

  /** Restores a payer channel from a persisted snapshot. */
  static async restore(snapshot: string, env: RuntimeEnvironment): Promise<PayerChannel> {
    return new PayerChannel(await ChannelRuntime.restore(payerMachine, snapshot, env));
  }

  /** The machine context (JSON). */
  get context(): PayerContext {
    return this.runtime.context as PayerContext;
  }

  /**
   * Pays `amount` more satoshis: signs and sends a commit for the new cumulative total.
   *
   * @throws {@link ChannelCommandError} e.g. `NO_REVOKE_HASH`, `AMOUNT_INVALID`, `DEPOSIT_UNCONFIRMED`.
   */
  async pay(amount: bigint): Promise<void> {
    if (typeof amount !== 'bigint' || amount <= 0n)
      throw new ChannelCommandError('AMOUNT_INVALID', 'amount must be a positive bigint');
    throwIfRejected(await this.runtime.dispatch({ type: 'PAY', amount: formatAmount(amount) }));
  }

  /** Asks the payee to close the channel (the payer itself can only wait for expiry). */
  async close(): Promise<void> {
    throwIfRejected(await this.runtime.dispatch({ type: 'CLOSE' }));
  }

  /** Current status. */
  status(): ChannelStatus {
    return statusOf(this.runtime, payerTransferred(this.context));
  }
}
