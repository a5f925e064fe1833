import { describe, expect, test } from 'vitest';
import { parseAmount } from '../../src/messages/amount.js';
import type { PayerContext } from '../../src/machines/context.js';
import { ChannelFaultError, ChannelIoError } from '../../src/runtime/runtime-errors.js';
import { snapshotContext } from '../support/snapshot-context.js';
import { type TestChannel, mine, openTestChannel, settle } from '../support/channel-harness.js';

/** Makes the next `count` calls of `object[method]` fail with `error`, then behave again. */
function failNext<T extends object>(object: T, method: keyof T, error: unknown, count = 1): void {
  const original = (object[method] as (...args: unknown[]) => unknown).bind(object);
  let left = count;
  (object as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
    if (left > 0) {
      left--;
      throw error;
    }
    return original(...args);
  };
}

/** The method through which the runtime writes a channel step to `store`. */
const writeOf = (store: { saveAll?: unknown }): 'saveAll' | 'save' =>
  typeof store.saveAll === 'function' ? 'saveAll' : 'save';

const econnrefused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8332'), {
  code: 'ECONNREFUSED',
});

async function opened(): Promise<TestChannel> {
  const t = await openTestChannel({ verify: false });
  await settle(t);
  await mine(t, 1);
  expect(t.payer.status().state).toBe('open');
  return t;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The amount of the payee's best commit. */
const payeeTransferred = (t: TestChannel) => t.payee.status().transferred;

describe('failing I/O never leaves a channel half-advanced', () => {
  test('a failed save during pay(): typed error, nothing sent, the payer is unchanged and can pay again', async () => {
    const t = await opened();
    await t.payer.pay(1_000n);
    await settle(t);
    const before = t.payer.snapshot();
    failNext(t.payerStore, writeOf(t.payerStore), new Error('disk full'));
    const error = await rejectionOf(t.payer.pay(2_000n));
    expect(error).toBeInstanceOf(ChannelIoError);
    expect(error).toMatchObject({ code: 'STORE_FAILED', recorded: false });
    // The commit that depends on the failed write never goes out, now or at the next block.
    expect(t.link.queue).toEqual([]);
    expect(t.payer.snapshot()).toBe(before);
    await mine(t, 1);
    expect(payeeTransferred(t)).toBe(1_000n);
    // The channel continues from its last durable state.
    await t.payer.pay(2_000n);
    await settle(t);
    expect(payeeTransferred(t)).toBe(3_000n);
    const saved = t.payerStore.versions('test-channel').at(-1)!;
    expect(snapshotContext<PayerContext>(saved).commits.at(-1)?.amount).toBe('3000');
  });

  test('a failed send after the save: typed error, the step is recorded, the payment still arrives', async () => {
    const t = await opened();
    failNext(t.payerEnv.transport, 'send', econnrefused);
    const error = await rejectionOf(t.payer.pay(5_000n));
    expect(error).toMatchObject({ code: 'TRANSPORT_FAILED', recorded: true });
    expect(t.payer.context.commits.map((c) => c.amount)).toEqual(['5000']);
    // The payer resends the unanswered commit at the next block.
    await mine(t, 1);
    expect(payeeTransferred(t)).toBe(5_000n);
  });

  test('an untyped chain failure on close: typed error, the close is durable and is retried', async () => {
    const t = await opened();
    await t.payer.pay(7_000n);
    await settle(t);
    failNext(t.payeeChain, 'broadcast', econnrefused);
    const error = await rejectionOf(t.payee.close());
    expect(error).toBeInstanceOf(ChannelIoError);
    expect(error).toMatchObject({ code: 'CHAIN_FAILED', recorded: true });
    expect(t.payee.status().state).toBe('closing');
    expect(t.payeeStore.versions('test-channel').at(-1)).toContain('"published":{');
    // The node is back: the commit is rebroadcast at the next block and the channel settles.
    await mine(t, 12);
    expect(t.payee.context.outcome).toBe('paid-out');
    expect(parseAmount(t.payee.context.published!.amount)).toBe(7_000n);
  });

  test('an untyped chain failure while syncing: typed error, and the next sync catches up', async () => {
    const t = await opened();
    t.chain.mine(1);
    failNext(t.payerChain, 'getHeight', econnrefused);
    const error = await rejectionOf(t.payer.sync());
    expect(error).toMatchObject({ code: 'CHAIN_FAILED' });
    await t.payer.sync();
    expect(t.payer.status().height).toBe(t.chain.height);
  });

  test('a save failing when the channel is created gives a typed error', async () => {
    const t = await opened();
    failNext(t.payeeStore, writeOf(t.payeeStore), new Error('read-only file system'));
    const { PayeeChannel } = await import('../../src/runtime/channels.js');
    const error = await rejectionOf(
      PayeeChannel.open(
        {
          ...t.payee.context,
          channelId: 'second',
          expireTimeRange: { min: 10, max: 1000 },
          delayTimeRange: { min: 1, max: 100 },
          clearance: 6,
          privateKey: new Uint8Array(32).fill(7),
          destinationScript: new Uint8Array([0x51]),
          height: t.chain.height,
        },
        { ...t.payeeEnv, storeKey: 'second' },
      ),
    );
    expect(error).toMatchObject({ code: 'STORE_FAILED', recorded: false });
  });
});

describe('a machine error is a typed error of the call, never an asynchronous throw', () => {
  test('an event the machine chokes on is undone and reported as MACHINE_FAULT', async () => {
    const t = await opened();
    await t.payer.pay(1_000n);
    await settle(t);
    const before = t.payer.snapshot();
    const error = await rejectionOf(
      t.payer.runtime.dispatch({
        type: 'OUTPOINT_SPENT',
        outpoint: null,
        txid: '00',
        rawTx: 'zz',
        blockHeight: 1,
      }),
    );
    expect(error).toBeInstanceOf(ChannelFaultError);
    expect(error).toMatchObject({ code: 'MACHINE_FAULT' });
    expect(t.payer.snapshot()).toBe(before);
    // Still alive: the channel carries on from its last durable state.
    await t.payer.pay(1_000n);
    await settle(t);
    expect(t.payee.status().transferred).toBe(2_000n);
    // Give any stray timer-thrown error a chance to surface as an unhandled error.
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
});

describe('the embedded MemoryStore', () => {
  test('keeps only the latest snapshot unless asked to keep versions', async () => {
    const { MemoryStore } = await import('../../src/runtime/store.js');
    const store = new MemoryStore();
    await store.save('k', 'a');
    await store.save('k', 'b');
    expect(await store.load('k')).toBe('b');
    expect(() => store.versions('k')).toThrow(
      expect.objectContaining({ code: 'STORE_NO_HISTORY' }),
    );
    const kept = new MemoryStore({ keepVersions: true });
    await kept.save('k', 'a');
    await kept.save('k', 'b');
    expect(kept.versions('k')).toEqual(['a', 'b']);
  });
});
