import { describe, expect, it } from 'vitest';
import { mergeWatches, pendingWatches } from '../../src/manager/watch-handoff.js';

const deposit = { txid: 'aa'.repeat(32), vout: 1 };
const commit = { txid: 'bb'.repeat(32), vout: 0 };
const watches = {
  txids: [{ label: 'deposit', txid: deposit.txid }],
  outpoints: [
    { label: 'deposit', outpoint: deposit },
    { label: 'commit-output', outpoint: commit },
  ],
};

describe('watch hand-off', () => {
  it('rescans from where the channel began while its deposit is unconfirmed', () => {
    const pending = pendingWatches(watches, new Set(), {
      since: 100,
      height: 180,
      depositConfirmed: false,
      margin: 6,
    });
    expect(pending?.request).toEqual({
      txids: [deposit.txid],
      outpoints: [deposit, commit],
      fromHeight: 100,
    });
    expect(pending?.keys).toEqual([
      `tx:${deposit.txid}`,
      `out:${deposit.txid}:1`,
      `out:${commit.txid}:0`,
    ]);
  });

  it('rescans a margin below the channel height afterwards, never below where it began', () => {
    const at = (height: number) =>
      pendingWatches(watches, new Set([`tx:${deposit.txid}`, `out:${deposit.txid}:1`]), {
        since: 100,
        height,
        depositConfirmed: true,
        margin: 6,
      });
    expect(at(180)?.request).toEqual({ txids: [], outpoints: [commit], fromHeight: 174 });
    expect(at(103)?.request.fromHeight).toBe(100);
  });

  it('hands nothing twice, and merges channels into one request from the lowest height', () => {
    const all = new Set([`tx:${deposit.txid}`, `out:${deposit.txid}:1`, `out:${commit.txid}:0`]);
    const position = { since: 0, height: 3, depositConfirmed: true, margin: 6 };
    expect(pendingWatches(watches, all, position)).toBeNull();
    const a = pendingWatches(watches, new Set(), {
      ...position,
      since: 50,
      depositConfirmed: false,
    });
    const b = pendingWatches(watches, new Set(), {
      ...position,
      since: 20,
      depositConfirmed: false,
    });
    const merged = mergeWatches([a!, b!]);
    expect(merged?.request.fromHeight).toBe(20);
    expect(merged?.keys.length).toBe(6);
    expect(mergeWatches([])).toBeNull();
  });
});
