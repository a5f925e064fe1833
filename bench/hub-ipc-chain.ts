/**
 * The hub bench's simulated chain, shared with client processes over the Node IPC channel: the
 * parent serves its {@link SimulatedChain} ({@link serveChain}), a child reads and writes it
 * through a {@link Chain} of its own ({@link IpcChain}). Blocks are announced to the children
 * as they are mined. Messages use the `advanced` serialization (bytes and bigints as they are).
 */
import type { ChildProcess } from 'node:child_process';
import type {
  Chain,
  ChainOutput,
  ChainTransaction,
  Outpoint,
  RelayPolicy,
} from '../src/chain/chain.js';
import { ChainError, type ChainErrorCode } from '../src/chain/errors.js';
import type { SimulatedChain } from '../src/chain/simulated-chain.js';

/** The chain calls a child may make (the Chain interface, plus the faucet). */
const METHODS = [
  'getHeight',
  'broadcast',
  'getTransaction',
  'getSpender',
  'getOutput',
  'estimateFeeRate',
  'relayPolicy',
  'fund',
];

/** A call from a child. */
export interface ChainCall {
  readonly kind: 'chain';
  readonly id: number;
  readonly method: string;
  readonly args: unknown[];
}

/** The answer to a {@link ChainCall}. */
export interface ChainReply {
  readonly kind: 'chain-reply';
  readonly id: number;
  readonly value?: unknown;
  readonly error?: { name: string; code?: string; message: string; rejectReason?: string };
}

/** A block announced to the children. */
export interface BlockNotice {
  readonly kind: 'block';
  readonly height: number;
}

/** Serves `sim` to `child`: answers its chain calls and announces every block. Returns an unsubscribe. */
export function serveChain(sim: SimulatedChain, child: ChildProcess): () => void {
  child.on('message', (message: ChainCall) => {
    if (message?.kind !== 'chain') return;
    void (async () => {
      let reply: ChainReply;
      try {
        if (!METHODS.includes(message.method)) throw new Error(`no chain method ${message.method}`);
        const f = (sim as unknown as Record<string, (...a: unknown[]) => unknown>)[message.method]!;
        reply = { kind: 'chain-reply', id: message.id, value: await f.apply(sim, message.args) };
      } catch (e) {
        const error = e as ChainError;
        reply = {
          kind: 'chain-reply',
          id: message.id,
          error: {
            name: error.name,
            code: error.code,
            message: error.message,
            ...(error.rejectReason ? { rejectReason: error.rejectReason } : {}),
          },
        };
      }
      if (child.connected) child.send(reply);
    })();
  });
  return sim.onBlock((height) => {
    if (child.connected) child.send({ kind: 'block', height } satisfies BlockNotice);
  });
}

/** A child's view of the parent's simulated chain. */
export class IpcChain implements Chain {
  private next = 0;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  private readonly listeners = new Set<(height: number) => void>();

  constructor() {
    process.on('message', (message: ChainReply | BlockNotice) => {
      if (message?.kind === 'block') for (const l of [...this.listeners]) l(message.height);
      if (message?.kind !== 'chain-reply') return;
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (!message.error) waiting.resolve(message.value);
      else if (message.error.name === 'ChainError')
        waiting.reject(
          new ChainError(message.error.code as ChainErrorCode, message.error.message, {
            ...(message.error.rejectReason ? { rejectReason: message.error.rejectReason } : {}),
          }),
        );
      else waiting.reject(new Error(message.error.message));
    });
  }

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      process.send!({ kind: 'chain', id, method, args } satisfies ChainCall);
    });
  }

  /** The parent's faucet: a new confirmed-or-mempool output paying `script`. */
  fund(script: Uint8Array, value: bigint): Promise<Outpoint> {
    return this.call('fund', script, value);
  }

  getHeight(): Promise<number> {
    return this.call('getHeight');
  }

  broadcast(rawTx: Uint8Array): Promise<string> {
    return this.call('broadcast', rawTx);
  }

  getTransaction(txid: string): Promise<ChainTransaction | null> {
    return this.call('getTransaction', txid);
  }

  getSpender(outpoint: Outpoint): Promise<ChainTransaction | null> {
    return this.call('getSpender', outpoint);
  }

  getOutput(outpoint: Outpoint): Promise<ChainOutput | null> {
    return this.call('getOutput', outpoint);
  }

  onBlock(listener: (height: number) => void): () => void {
    const subscription = (height: number): void => listener(height);
    this.listeners.add(subscription);
    return () => {
      this.listeners.delete(subscription);
    };
  }

  estimateFeeRate(confTarget?: number): Promise<number> {
    return this.call('estimateFeeRate', confTarget);
  }

  relayPolicy(): Promise<RelayPolicy> {
    return this.call('relayPolicy');
  }
}
