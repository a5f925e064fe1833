import { describe, expect, test } from 'vitest';
import { HISTORY_WINDOW } from '../../src/machines/history.js';
import type { StoreWrite } from '../../src/runtime/store.js';
import { mine, openTestChannel, settle } from '../support/channel-harness.js';

/** Every write call a store received, in order: its method and the keys it carried. */
type Call = { readonly method: 'save' | 'saveAll'; readonly keys: readonly string[] };

function recordCalls(store: {
  save(key: string, text: string): Promise<void>;
  saveAll?(writes: readonly StoreWrite[]): Promise<void>;
}): Call[] {
  const calls: Call[] = [];
  const save = store.save.bind(store);
  const saveAll = store.saveAll!.bind(store);
  store.save = (key, text) => {
    calls.push({ method: 'save', keys: [key] });
    return save(key, text);
  };
  store.saveAll = (writes) => {
    calls.push({ method: 'saveAll', keys: writes.map((w) => w.key) });
    return saveAll(writes);
  };
  return calls;
}

describe('one channel step is one atomic store write', () => {
  test('payments past the history window: each step writes its snapshot and history records in one saveAll', async () => {
    const t = await openTestChannel({ expireTime: 100, delayTime: 5 });
    await settle(t);
    await mine(t, 1);
    const payerCalls = recordCalls(t.payerStore);
    const payeeCalls = recordCalls(t.payeeStore);
    const payments = HISTORY_WINDOW + 6;
    for (let i = 0; i < payments; i++) {
      await t.payer.pay(1_000n);
      await settle(t);
    }
    expect(t.payee.status().transferred).toBe(BigInt(payments) * 1_000n);
    for (const calls of [payerCalls, payeeCalls]) {
      // Nothing is written one key at a time while the store can take a group.
      expect(calls.filter((c) => c.method === 'save')).toEqual([]);
      // Every group holds the channel's snapshot; the steps that moved a commit out of the
      // window carry its history record in the same group.
      for (const c of calls) expect(c.keys.filter((k) => !k.includes('#'))).toHaveLength(1);
      const withHistory = calls.filter((c) => c.keys.some((k) => k.includes('#')));
      expect(withHistory.length).toBeGreaterThanOrEqual(payments - HISTORY_WINDOW);
    }
  });
});
