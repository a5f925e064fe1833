import { unpackHex } from '../../src/snapshots/packed-hex.js';
import { describe, expect, test } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import { commitScriptHash } from '../../src/machines/commit-keys.js';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import {
  HISTORY_WINDOW,
  type HistoryRecord,
  payeeCommitKey,
  payeeHexScriptKey,
  payeeScriptKey,
  payerCommitKey,
  payerHexScriptKey,
  payerScriptKey,
  scriptIndexKey,
} from '../../src/machines/history.js';
import { deriveRevokeSecret } from '../../src/machines/revoke-secrets.js';
import { p2shOutputScript } from '../../src/scripts/p2sh.js';
import { readSnapshotMachine } from '../../src/snapshots/compact-snapshot.js';
import { historyStoreKey } from '../../src/runtime/channel-runtime.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { SnapshotError } from '../../src/snapshots/errors.js';
import { decodeHistoryRecord } from '../../src/snapshots/history-codec.js';
import type { MemoryStore } from '../../src/runtime/store.js';
import {
  type TestChannel,
  destinationOf,
  mine,
  openTestChannel,
  settle,
  testPrivateKey,
} from '../support/channel-harness.js';

const EACH = 1_000n;

async function openedChannel(): Promise<TestChannel> {
  const t = await openTestChannel({ expireTime: 100, delayTime: 5 });
  await settle(t);
  await mine(t, 1);
  return t;
}

async function payTimes(t: TestChannel, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await t.payer.pay(EACH);
    await settle(t);
  }
}

function expectNoRejections(t: TestChannel): void {
  expect(t.payer.runtime.rejections).toEqual([]);
  expect(t.payee.runtime.rejections).toEqual([]);
}

/** Closes through the payee, mines until both finish, and checks that every satoshi is accounted for. */
async function closeAndBalance(t: TestChannel, transferred: bigint): Promise<void> {
  await t.payee.close();
  await settle(t);
  await mine(t, 12);
  expect(t.payee.status().outcome).toBe('paid-out');
  expect(t.payer.status().outcome).toBe('settled');
  const payeeGot = t.chain.balanceOf(destinationOf(testPrivateKey(2)));
  const payerGot = t.chain.balanceOf(destinationOf(testPrivateKey(1)));
  expect(payeeGot).toBeLessThan(transferred);
  expect(payeeGot).toBeGreaterThan(transferred - 1_000n);
  expect(payerGot + payeeGot + t.chain.totalFeesPaid()).toBe(t.funding);
}

describe('channel history: the context keeps only the newest commits', () => {
  test('many payments: the window stays small, the snapshot stops growing, older commits are records', async () => {
    const t = await openedChannel();
    await payTimes(t, 10);
    const sizeAt10 = t.payee.runtime.snapshotText().length;
    await payTimes(t, 20);
    expectNoRejections(t);
    expect(t.payer.context.commits).toHaveLength(HISTORY_WINDOW);
    expect(t.payer.context.historyCommits).toBe(30 - HISTORY_WINDOW);
    expect(t.payee.context.activeCommits).toHaveLength(HISTORY_WINDOW);
    expect(t.payee.context.activeDepth).toBe(30 - HISTORY_WINDOW);
    expect(t.payer.status().transferred).toBe(30n * EACH);
    expect(t.payee.status().transferred).toBe(30n * EACH);
    // Amounts grow by a digit at most: the snapshot is the same size within a few bytes.
    expect(Math.abs(t.payee.runtime.snapshotText().length - sizeAt10)).toBeLessThan(64);
    const oldest = t.payer.context.commits[0]!.below!;
    const key = payerScriptKey(commitScriptHash(t.payer.context, oldest)!);
    const stored = await t.payerStore.load(historyStoreKey('test-channel', key));
    // Stored compact (amount and links in an array, hex packed; the script is rebuilt), read
    // back whole.
    expect(unpackHex(JSON.parse(stored!))).toEqual([
      Number(26n * EACH),
      oldest,
      expect.any(String),
    ]);
    expect(JSON.parse(stored!)[1]).toMatch(/^~[A-Za-z0-9_-]{27}$/);
    // One record per commit: no script index beside it.
    const script = bytesToHex(
      p2shOutputScript(hexToBytes(t.payer.context.commits[0]!.commitScript)),
    );
    expect(await t.payerStore.load(historyStoreKey('test-channel', scriptIndexKey(script)))).toBe(
      null,
    );
    expect(decodeHistoryRecord(key, stored!, t.payer.context)).toMatchObject({
      kind: 'payer-commit',
      revokeSecretHash: oldest,
      commitScript: expect.stringMatching(/^63/),
    });
  });

  test('a deep give-back reads the lower commits from history on both sides, then payments go on', async () => {
    const t = await openedChannel();
    await payTimes(t, 20);
    await t.payee.revokeUntil(5n * EACH);
    await settle(t);
    expectNoRejections(t);
    expect(t.payee.status().transferred).toBe(5n * EACH);
    expect(t.payer.status().transferred).toBe(5n * EACH);
    // The commits kept came back into the payee's window; the give-back reached into history.
    expect(t.payee.context.activeCommits.at(-1)!.amount).toBe('5000');
    expect(t.payee.context.activeDepth + t.payee.context.activeCommits.length).toBe(5);
    expect(t.payee.context.unackedRevokeSecrets).toEqual([]);
    await payTimes(t, 7);
    expect(t.payer.status().transferred).toBe(12n * EACH);
    expect(t.payee.status().transferred).toBe(12n * EACH);
    // And once more, down through commits made before and after the first give-back.
    await t.payee.revokeUntil(3n * EACH);
    await settle(t);
    expectNoRejections(t);
    expect(t.payer.status().transferred).toBe(3n * EACH);
    await closeAndBalance(t, 3n * EACH);
  });

  test('both parties restored from their stores after a deep give-back carry on and settle', async () => {
    const t = await openedChannel();
    await payTimes(t, 12);
    await t.payee.revokeUntil(2n * EACH);
    await settle(t);
    const payer = await PayerChannel.restore(
      (await t.payerStore.load('test-channel'))!,
      t.payerEnv,
    );
    const payee = await PayeeChannel.restore(
      (await t.payeeStore.load('test-channel'))!,
      t.payeeEnv,
    );
    t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
    t.link.attach('payee', (text) => payee.receive(text).then(() => undefined));
    const r = { ...t, payer, payee };
    await payTimes(r, 6);
    await r.payee.revokeUntil(1n * EACH);
    await settle(r);
    // A restarted payee repeats its outstanding revoke hash; if the payer already paid with it,
    // the late copy is refused as used. Nothing else may be refused.
    // Likewise the payer repeats its last commit, which the payee may have accepted already.
    const benign = (x: { code: string }) =>
      x.code !== 'REVOKE_HASH_REUSED' && x.code !== 'AMOUNT_NOT_INCREASING';
    expect(payer.runtime.rejections.filter(benign)).toEqual([]);
    expect(payee.runtime.rejections.filter(benign)).toEqual([]);
    expect(payer.status().transferred).toBe(1n * EACH);
    await closeAndBalance(r, 1n * EACH);
  });

  test('a stale payee publishing an old revoked commit is found under the key of its script and revoked', async () => {
    const t = await openedChannel();
    await payTimes(t, 10);
    const stale = (await t.payeeStore.load('test-channel'))!;
    await t.payee.revokeUntil(2n * EACH);
    await settle(t);
    await payTimes(t, 6);
    // The commit for 10,000 is revoked and has left the payer's window.
    expect(t.payer.context.commits.some((c) => c.amount === '10000')).toBe(false);
    const cheat = await PayeeChannel.restore(stale, t.payeeEnv);
    t.link.attach('payee', (text) => cheat.receive(text).then(() => undefined));
    await cheat.close();
    const c = { ...t, payee: cheat };
    for (let i = 0; i < 12; i++) {
      t.chain.mine(1);
      await settle(c);
    }
    expect(t.payer.context.published?.amount).toBe('10000');
    expect(t.payer.context.published?.revokeSecret).not.toBeNull();
    expect(t.payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
    // The remainder comes back by expiry, once the commit has been confirmed for expire_time.
    for (let i = 0; i < 110 && !t.payer.done; i++) {
      t.chain.mine(1);
      await settle(c);
    }
    expect(t.payer.status().outcome).toBe('settled');
    expect(cheat.status().outcome).toBe('revoked-by-payer');
    // The payer took everything back but the fees.
    const payerGot = t.chain.balanceOf(destinationOf(testPrivateKey(1)));
    expect(payerGot + t.chain.totalFeesPaid()).toBe(t.funding);
  });

  test('a corrupt history record is refused with a typed error and changes nothing', async () => {
    const t = await openedChannel();
    await payTimes(t, 8);
    const deep = t.payer.context.commits[0]!.below!;
    await t.payerStore.save(
      historyStoreKey('test-channel', payerScriptKey(commitScriptHash(t.payer.context, deep)!)),
      '{"kind":"payer-commit"',
    );
    const before = t.payer.runtime.snapshotText();
    await t.payee.revokeUntil(1n * EACH);
    await expect(t.link.deliver()).rejects.toBeInstanceOf(SnapshotError);
    expect(t.payer.runtime.snapshotText()).toBe(before);
  });

  test('a channel stored before (version 2, records under revoke hashes, a script index) restores, gives back deep and catches an old commit', async () => {
    const t = await openedChannel();
    await payTimes(t, 10);
    const stale = asVersion2((await t.payeeStore.load('test-channel'))!);
    expect(await toLegacyHistory(t)).toEqual({
      payer: 10 - HISTORY_WINDOW,
      payee: 10 - HISTORY_WINDOW,
    });
    const payer = await PayerChannel.restore(
      asVersion2((await t.payerStore.load('test-channel'))!),
      t.payerEnv,
    );
    const payee = await PayeeChannel.restore(
      asVersion2((await t.payeeStore.load('test-channel'))!),
      t.payeeEnv,
    );
    t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
    t.link.attach('payee', (text) => payee.receive(text).then(() => undefined));
    const r = { ...t, payer, payee };
    // Down through records of the old form, on both sides.
    await r.payee.revokeUntil(2n * EACH);
    await settle(r);
    expect(payer.status().transferred).toBe(2n * EACH);
    expect(payee.status().transferred).toBe(2n * EACH);
    // A commit given back is forgotten under its old key too.
    const given = deriveRevokeSecret(payee.context.revokeSeed, 4).hash;
    const old = await t.payeeStore.load(historyStoreKey('test-channel', payeeCommitKey(given)));
    expect(decodeHistoryRecord(payeeCommitKey(given), old!, payee.context).kind).toBe(
      'payee-revoked',
    );
    await payTimes(r, 6);
    expect(payer.status().transferred).toBe(8n * EACH);
    // The old payee publishes its commit for 10,000, revoked, known to the payer only by its
    // record of the old form and the old script index.
    const cheat = await PayeeChannel.restore(stale, t.payeeEnv);
    t.link.attach('payee', (text) => cheat.receive(text).then(() => undefined));
    await cheat.close();
    const c = { ...r, payee: cheat };
    for (let i = 0; i < 12; i++) {
      t.chain.mine(1);
      await settle(c);
    }
    expect(payer.context.published?.amount).toBe('10000');
    expect(payer.context.published?.revokeSecret).not.toBeNull();
    expect(payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
  });

  test('a channel stored with hex script-hash keys (cs/, as/) gives back deep, forgets under both keys and catches an old commit', async () => {
    const t = await openedChannel();
    await payTimes(t, 10);
    const stale = (await t.payeeStore.load('test-channel'))!;
    expect(await toHexKeyHistory(t)).toEqual({
      payer: 10 - HISTORY_WINDOW,
      payee: 10 - HISTORY_WINDOW,
    });
    const payer = await PayerChannel.restore(
      (await t.payerStore.load('test-channel'))!,
      t.payerEnv,
    );
    const payee = await PayeeChannel.restore(
      (await t.payeeStore.load('test-channel'))!,
      t.payeeEnv,
    );
    t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
    t.link.attach('payee', (text) => payee.receive(text).then(() => undefined));
    const r = { ...t, payer, payee };
    await r.payee.revokeUntil(2n * EACH);
    await settle(r);
    expect(payer.status().transferred).toBe(2n * EACH);
    expect(payee.status().transferred).toBe(2n * EACH);
    // A commit given back is forgotten under its hex key too.
    const given = deriveRevokeSecret(payee.context.revokeSeed, 4).hash;
    const hexKey = payeeHexScriptKey(commitScriptHash(payee.context, given)!);
    const old = await t.payeeStore.load(historyStoreKey('test-channel', hexKey));
    expect(decodeHistoryRecord(hexKey, old!, payee.context).kind).toBe('payee-revoked');
    await payTimes(r, 6);
    const cheat = await PayeeChannel.restore(stale, t.payeeEnv);
    t.link.attach('payee', (text) => cheat.receive(text).then(() => undefined));
    await cheat.close();
    const c = { ...r, payee: cheat };
    for (let i = 0; i < 12; i++) {
      t.chain.mine(1);
      await settle(c);
    }
    expect(payer.context.published?.amount).toBe('10000');
    expect(payer.context.published?.revokeSecret).not.toBeNull();
    expect(payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
  });

  test('a payer stored before finds an old revoked commit on chain through its script index', async () => {
    const t = await openedChannel();
    await payTimes(t, 10);
    const stale = (await t.payeeStore.load('test-channel'))!;
    await t.payee.revokeUntil(2n * EACH);
    await settle(t);
    await payTimes(t, 6);
    // The revoked commit for 10,000 now lives only in a record of the old form.
    expect((await toLegacyHistory(t)).payer).toBe(16 - HISTORY_WINDOW);
    const payer = await PayerChannel.restore(
      asVersion2((await t.payerStore.load('test-channel'))!),
      t.payerEnv,
    );
    t.link.attach('payer', (text) => payer.receive(text).then(() => undefined));
    const cheat = await PayeeChannel.restore(stale, t.payeeEnv);
    t.link.attach('payee', (text) => cheat.receive(text).then(() => undefined));
    await cheat.close();
    const c = { ...t, payer, payee: cheat };
    for (let i = 0; i < 12; i++) {
      t.chain.mine(1);
      await settle(c);
    }
    expect(payer.context.published?.amount).toBe('10000');
    expect(payer.context.published?.revokeSecret).not.toBeNull();
    expect(payer.context.broadcasts.revoke?.confirmedHeight).not.toBeNull();
  });
});

/** The same snapshot as version 2 stored it: every commit record whole. */
function asVersion2(text: string): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify({ ...parsed, version: 2, machine: readSnapshotMachine(text) });
}

/** One history record of a party, found under its script-hash key. */
interface FoundRecord {
  readonly store: MemoryStore;
  readonly context: PayerContext | PayeeContext;
  /** The record's revoke hash and the HASH160 of its commit script. */
  readonly hash: string;
  readonly scriptHash: string;
  /** Its stored text. */
  readonly text: string;
}

/**
 * Calls `rewrite` for every history record both parties hold under a script-hash key (one per
 * revoke secret the payee issued), then deletes it there; counts them per party.
 */
async function rewriteHistory(
  t: TestChannel,
  rewrite: (found: FoundRecord) => Promise<void>,
): Promise<{ payer: number; payee: number }> {
  const payee = t.payee.context as PayeeContext;
  const parties = [
    { store: t.payerStore, context: t.payer.context as PayerContext, key: payerScriptKey },
    { store: t.payeeStore, context: payee, key: payeeScriptKey },
  ] as const;
  const moved = { payer: 0, payee: 0 };
  for (let i = 0; i < payee.revokeCounter; i++) {
    const hash = deriveRevokeSecret(payee.revokeSeed, i).hash;
    for (const { store, context, key } of parties) {
      const scriptHash = commitScriptHash(context, hash)!;
      const at = historyStoreKey('test-channel', key(scriptHash));
      const text = await store.load(at);
      if (text === null) continue;
      await rewrite({ store, context, hash, scriptHash, text });
      await (store as MemoryStore).delete(at);
      moved[context.role]++;
    }
  }
  return moved;
}

/** Moves both parties' history records to the hex script-hash keys channels used before. */
function toHexKeyHistory(t: TestChannel): Promise<{ payer: number; payee: number }> {
  return rewriteHistory(t, async ({ store, context, scriptHash, text }) => {
    const hex = context.role === 'payer' ? payerHexScriptKey : payeeHexScriptKey;
    await store.save(historyStoreKey('test-channel', hex(scriptHash)), text);
  });
}

/**
 * Rewrites both parties' history as channels stored it before script-hash keys: every
 * commit whole under its revoke hash, and an index entry from its P2SH output script.
 */
function toLegacyHistory(t: TestChannel): Promise<{ payer: number; payee: number }> {
  return rewriteHistory(t, async ({ store, context, hash, scriptHash, text }) => {
    const key = context.role === 'payer' ? payerScriptKey : payeeScriptKey;
    const legacy = context.role === 'payer' ? payerCommitKey : payeeCommitKey;
    const record = decodeHistoryRecord(key(scriptHash), text, context) as HistoryRecord & {
      commitScript: string;
    };
    const script = bytesToHex(p2shOutputScript(hexToBytes(record.commitScript)));
    await store.save(historyStoreKey('test-channel', legacy(hash)), JSON.stringify(record));
    await store.save(
      historyStoreKey('test-channel', scriptIndexKey(script)),
      JSON.stringify({ kind: 'script-index', revokeSecretHash: hash }),
    );
  });
}
