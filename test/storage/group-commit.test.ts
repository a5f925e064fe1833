import { describe, expect, test } from 'vitest';
import { type BatchOutcome, GroupCommit } from '../../src/storage/group-commit.js';

/** A commit function that records batches and finishes when the test lets it. */
function recorder() {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  const commit = async (batch: readonly number[]): Promise<BatchOutcome<number>[]> => {
    batches.push([...batch]);
    await gate;
    return batch.map((n) =>
      n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 10 },
    );
  };
  return {
    batches,
    commit,
    hold() {
      gate = new Promise<void>((r) => (release = r));
    },
    release: () => release(),
  };
}

describe('GroupCommit', () => {
  test('operations of one turn share a batch, in order; each gets its own outcome', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit);
    const results = await Promise.allSettled([1, 2, -3, 4].map((n) => group.submit(n)));
    expect(r.batches).toEqual([[1, 2, -3, 4]]);
    expect(results.map((x) => (x.status === 'fulfilled' ? x.value : 'rejected'))).toEqual([
      10,
      20,
      'rejected',
      40,
    ]);
  });

  test('nothing resolves before its batch committed; arrivals during a commit form the next batch', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit);
    r.hold();
    let firstDone = false;
    const first = group.submit(1).then(() => {
      firstDone = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toEqual([[1]]);
    const later = [group.submit(2), group.submit(3)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(firstDone).toBe(false);
    expect(r.batches).toEqual([[1]]);
    r.release();
    await first;
    expect(await Promise.all(later)).toEqual([20, 30]);
    expect(r.batches).toEqual([[1], [2, 3]]);
    expect(group.stats).toEqual({ batches: 2, operations: 3, largestBatch: 2 });
  });

  test('batches are capped; a failing batch rejects all of its operations', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, 3);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => group.submit(n)));
    expect(r.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    const failing = new GroupCommit<number, number>(async () => {
      throw new Error('disk on fire');
    });
    const outcomes = await Promise.allSettled([failing.submit(1), failing.submit(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    await failing.drain();
  });
});
