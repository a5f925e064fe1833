import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { PayeeContext, PayerContext } from '../../src/machines/context.js';
import { payeeMachine } from '../../src/machines/payee-machine.js';
import { payerMachine } from '../../src/machines/payer-machine.js';
import { commitScriptHash } from '../../src/machines/commit-keys.js';
import {
  type HistoryRecord,
  payeeCommitKey,
  payeeScriptKey,
  payerCommitKey,
  payerScriptKey,
} from '../../src/machines/history.js';
import { deriveRevokeSecret } from '../../src/machines/revoke-secrets.js';
import { signHash } from '../../src/transactions/signatures.js';
import { decodeChannelSnapshot, encodeChannelSnapshot } from '../../src/snapshots/codec.js';
import { compactSignature, expandSignature } from '../../src/snapshots/compact-signature.js';
import { readSnapshotMachine } from '../../src/snapshots/compact-snapshot.js';
import { SnapshotError, type SnapshotErrorCode } from '../../src/snapshots/errors.js';
import { historyObject } from '../../src/snapshots/compact-arrays.js';
import { decodeHistoryRecord, encodeHistoryRecord } from '../../src/snapshots/history-codec.js';
import { unpackHex } from '../../src/snapshots/packed-hex.js';
import type { SnapshotRole } from '../../src/snapshots/schema.js';
import { propertyConfig } from '../support/property-config.js';
import { type RealSnapshot, asVersion2, asVersion3, realSnapshots } from './fixtures.js';

const machines = { payer: payerMachine, payee: payeeMachine } as const;
const C = '/machine/context';

// biome-ignore lint/suspicious/noExplicitAny: tampering reaches into arbitrary JSON.
type Json = any;

let all: RealSnapshot[];
beforeAll(async () => {
  all = await realSnapshots();
});

function find(role: SnapshotRole, pick: (context: Json) => boolean): RealSnapshot {
  const found = [...all]
    .reverse()
    .find(
      (s) => s.role === role && s.scenario === 'happy' && pick(JSON.parse(s.text).machine.context),
    );
  if (!found) throw new Error(`no ${role} snapshot as asked`);
  return found;
}

const payerOpen = () => find('payer', (c) => c.commits.length === 3 && c.outcome === null);
const payeeOpen = () => find('payee', (c) => c.activeCommits.length === 3 && c.outcome === null);

/** The snapshot changed as version 3 has it (objects, hex): version 4 reads into exactly that. */
function tamper(snapshot: RealSnapshot, change: (context: Json) => void): string {
  const envelope = JSON.parse(asVersion3(snapshot.text));
  change(envelope.machine.context);
  return JSON.stringify(envelope);
}

function refusal(text: string, role: SnapshotRole): SnapshotError {
  try {
    decodeChannelSnapshot(text, role, machines[role]);
  } catch (error) {
    if (error instanceof SnapshotError) return error;
    throw error;
  }
  throw new Error('the snapshot was accepted');
}

function expectRefused(text: string, role: SnapshotRole, code: SnapshotErrorCode, path?: string) {
  const error = refusal(text, role);
  expect(error.code, error.message).toBe(code);
  if (path !== undefined) expect(error.path, error.message).toBe(path);
}

describe('versions 3 and 4 store commits compact', () => {
  test('every commit record of real channels is stored compact, and issued secrets as indexes', () => {
    let commits = 0;
    for (const snapshot of all) {
      const context = JSON.parse(snapshot.text).machine.context;
      const records = [
        ...(context.commits ?? []),
        ...(context.activeCommits ?? []),
        ...(context.revokedCommits ?? []),
      ];
      commits += records.length;
      for (const record of records) expect(Object.keys(record)).not.toContain('commitScript');
      for (const requested of context.requestedRevokes ?? [])
        expect(typeof requested).toBe('number');
    }
    expect(commits).toBeGreaterThan(100);
  });

  test('the version 2 and 3 texts of every real snapshot decode to the same machine snapshot, and are written back as version 4', () => {
    let shorter = 0;
    for (const snapshot of all) {
      const machine = machines[snapshot.role];
      const fromV4 = decodeChannelSnapshot(snapshot.text, snapshot.role, machine);
      const v3 = asVersion3(snapshot.text);
      expect(JSON.parse(v3).version).toBe(3);
      const fromV3 = decodeChannelSnapshot(v3, snapshot.role, machine);
      const fromV2 = decodeChannelSnapshot(asVersion2(snapshot.text), snapshot.role, machine);
      expect(fromV3).toEqual(fromV4);
      expect(fromV2).toEqual(fromV4);
      expect(encodeChannelSnapshot(fromV2, snapshot.role)).toBe(snapshot.text);
      expect(snapshot.text.length).toBeLessThan(v3.length);
      if (snapshot.text.length * 10 < v3.length * 9) shorter++;
    }
    // Keys, scripts and transactions are much of a snapshot: packed, they take a third less.
    expect(shorter).toBeGreaterThan(all.length / 2);
  });

  test('version 4 packs hex: no string of 40 hex digits or more is left in real snapshots', () => {
    for (const snapshot of all) {
      expect(JSON.parse(snapshot.text).version).toBe(4);
      expect(snapshot.text).not.toMatch(/"(?:[0-9a-f]{2}){20,}"/);
    }
  });

  test('a packed string that is not what packing writes is refused with its path', () => {
    const snapshot = payerOpen();
    for (const bad of ['~', '~*notbase64*', '~AAAA'])
      expectRefused(
        JSON.stringify(
          ((e) => {
            e.machine.context.payeePubkey = bad;
            return e;
          })(JSON.parse(snapshot.text)),
        ),
        'payer',
        'SNAPSHOT_FIELD_INVALID',
        `${C}/payeePubkey`,
      );
  });

  test('version 4 records are arrays; one of the wrong length fails the schema, naming it', () => {
    const payer = JSON.parse(payerOpen().text);
    expect(payer.machine.context.commits[1]).toHaveLength(3);
    payer.machine.context.commits[1].push('x', 'y');
    expectRefused(JSON.stringify(payer), 'payer', 'SNAPSHOT_SCHEMA', `${C}/commits/1`);
    const payee = JSON.parse(payeeOpen().text);
    // In step, the revoke secret index is left out: three fields.
    expect(payee.machine.context.activeCommits[1]).toHaveLength(3);
    payee.machine.context.activeCommits[1].pop();
    expectRefused(JSON.stringify(payee), 'payee', 'SNAPSHOT_SCHEMA', `${C}/activeCommits/1`);
    // Real channels hold both: in step, and out of step after give-backs (the index kept).
    const lengths = new Set(
      all
        .filter((x) => x.role === 'payee')
        .flatMap((x) => JSON.parse(x.text).machine.context.activeCommits)
        .filter(Array.isArray)
        .map((entry: unknown[]) => entry.length),
    );
    expect([...lengths].sort()).toEqual([3, 4]);
    const amount = JSON.parse(payeeOpen().text);
    amount.machine.context.activeCommits[1][0] = -5;
    expectRefused(JSON.stringify(amount), 'payee', 'SNAPSHOT_SCHEMA');
  });

  test("the payer's outstanding revoke hash: none is stored as the newest commit's, so a payment leaves it as it was", () => {
    const decoded = readSnapshotMachine(payerOpen().text);
    const context = decoded.context as PayerContext;
    const newest = context.commits.at(-1)!.revokeSecretHash;
    const stored = (next: string | null) => {
      const snapshot = { ...decoded, context: { ...context, nextRevokeHash: next } };
      const text = encodeChannelSnapshot(snapshot, 'payer');
      expect(readSnapshotMachine(text)).toEqual(snapshot);
      return unpackHex(JSON.parse(text).machine.context.nextRevokeHash);
    };
    expect(stored(null)).toBe(newest);
    expect(stored('ab'.repeat(20))).toBe('ab'.repeat(20));
    // Never taken twice by a payer, but written so that it reads back as it was.
    expect(stored(newest)).toEqual([newest]);
  });

  test('a record that does not rebuild is kept whole beside compact ones', () => {
    const snapshot = payerOpen();
    const whole = JSON.parse(asVersion2(snapshot.text)).machine.context.commits[1];
    const text = tamper(snapshot, (c) => {
      c.commits[1] = whole;
    });
    const decoded = decodeChannelSnapshot(text, 'payer', payerMachine);
    expect(decoded).toEqual(decodeChannelSnapshot(snapshot.text, 'payer', payerMachine));
  });

  test('truncated version 4 text at any point is refused as not JSON', () => {
    const text = payeeOpen().text;
    for (let cut = 0; cut < text.length; cut += 61)
      expect(refusal(text.slice(0, cut), 'payee').code).toBe('SNAPSHOT_NOT_JSON');
  });
});

describe('tampered compact fields are refused with typed errors', () => {
  test("the payer's signature, the fee or the amount of a payee commit: the rebuilt commit does not verify", () => {
    const snapshot = payeeOpen();
    const flipSignature = (g: string) =>
      `${g.slice(0, 10)}${g[10] === 'A' ? 'B' : 'A'}${g.slice(11)}`;
    for (const change of [
      (c: Json) => {
        c.activeCommits[2].g = flipSignature(c.activeCommits[2].g);
      },
      (c: Json) => {
        c.activeCommits[2].f = String(Number(c.activeCommits[2].f) + 1);
      },
      (c: Json) => {
        c.activeCommits[2].a = String(Number(c.activeCommits[2].a) + 1);
      },
    ])
      expect(refusal(tamper(snapshot, change), 'payee').code).toBe('SNAPSHOT_COMMIT_INVALID');
  });

  test('another commit’s revoke index: the script no longer matches what the payer signed', () => {
    const snapshot = payeeOpen();
    const text = tamper(snapshot, (c) => {
      c.activeCommits[2].i = c.activeCommits[1].i;
    });
    expect(refusal(text, 'payee').code).not.toBe('SNAPSHOT_SCHEMA');
  });

  test('a revoke index not yet derived, for a commit, an issued secret or the active top', () => {
    const snapshot = payeeOpen();
    const beyond = (c: Json) => c.revokeCounter;
    expectRefused(
      tamper(snapshot, (c) => {
        c.activeCommits[0].i = beyond(c);
      }),
      'payee',
      'SNAPSHOT_SECRET_MISMATCH',
      `${C}/activeCommits/0/i`,
    );
    // Issued secrets and the active top count back from the counter: before the first secret.
    expectRefused(
      tamper(snapshot, (c) => {
        c.requestedRevokes[0] = -beyond(c) - 1;
      }),
      'payee',
      'SNAPSHOT_SECRET_MISMATCH',
      `${C}/requestedRevokes/0`,
    );
    expectRefused(
      tamper(snapshot, (c) => {
        c.activeTop = -beyond(c) - 1;
      }),
      'payee',
      'SNAPSHOT_SECRET_MISMATCH',
      `${C}/activeTop`,
    );
  });

  test('malformed compact fields fail the schema', () => {
    const payee = payeeOpen();
    for (const change of [
      (c: Json) => {
        c.activeCommits[0].g = 'zz';
      },
      (c: Json) => {
        c.activeCommits[0].g = `${c.activeCommits[0].g}A`;
      },
      (c: Json) => {
        c.activeCommits[0].i = -1;
      },
      (c: Json) => {
        c.activeCommits[0].extra = 1;
      },
      (c: Json) => {
        delete c.activeCommits[0].f;
      },
      (c: Json) => {
        c.requestedRevokes[0] = -1.5;
      },
      (c: Json) => {
        c.requestedRevokes[0] = 0;
      },
    ])
      expect(refusal(tamper(payee, change), 'payee').code).toBe('SNAPSHOT_SCHEMA');
    const payer = payerOpen();
    for (const change of [
      (c: Json) => {
        c.commits[0].h = 'ab';
      },
      (c: Json) => {
        c.commits[0].s = null;
      },
      (c: Json) => {
        c.topUnrevoked = 4;
      },
      (c: Json) => {
        c.transferred = false;
      },
    ])
      expect(refusal(tamper(payer, change), 'payer').code).toBe('SNAPSHOT_SCHEMA');
  });

  test('a window position beyond the window, and compact commits without the terms', () => {
    const payer = payerOpen();
    expectRefused(
      tamper(payer, (c) => {
        c.topUnrevoked = 3;
      }),
      'payer',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/topUnrevoked`,
    );
    expectRefused(
      tamper(payer, (c) => {
        c.topUnrevoked = null;
        c.transferred = true;
      }),
      'payer',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/transferred`,
    );
    expectRefused(
      tamper(payer, (c) => {
        c.depositScript = null;
      }),
      'payer',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/commits/0`,
    );
    expectRefused(
      tamper(payeeOpen(), (c) => {
        c.payerPubkey = null;
      }),
      'payee',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/activeCommits/0`,
    );
  });
});

describe('compact history records', () => {
  const payerContext = () => readSnapshotMachine(payerOpen().text).context as PayerContext;
  const payeeContext = () => readSnapshotMachine(payeeOpen().text).context as PayeeContext;

  function payerRecord() {
    const context = payerContext();
    const commit = context.commits[1]!;
    const record: HistoryRecord = {
      kind: 'payer-commit',
      amount: commit.amount,
      commitScript: commit.commitScript,
      revokeSecretHash: commit.revokeSecretHash,
      revokeSecret: commit.revokeSecret,
      below: commit.below,
    };
    const key = payerScriptKey(commitScriptHash(context, commit.revokeSecretHash)!);
    return { context, record, key };
  }

  function payeeRecord() {
    const context = payeeContext();
    const commit = context.activeCommits[1]!;
    const record: HistoryRecord = { kind: 'payee-active', ...commit, below: null };
    const key = payeeScriptKey(commitScriptHash(context, commit.revokeSecretHash)!);
    return { context, record, key };
  }

  function historyRefusal(key: string, text: string, context?: PayerContext | PayeeContext) {
    try {
      decodeHistoryRecord(key, text, context);
    } catch (error) {
      if (error instanceof SnapshotError) return error;
      throw error;
    }
    throw new Error('the record was accepted');
  }

  test('both roles: written compact, read back whole, under the new key and the old one', () => {
    for (const { context, record, key } of [payerRecord(), payeeRecord()]) {
      const text = encodeHistoryRecord(record, context);
      expect(JSON.parse(text)).toHaveLength(record.kind === 'payer-commit' ? 3 : 5);
      expect(text.length).toBeLessThan(JSON.stringify(record).length / 2);
      expect(decodeHistoryRecord(key, text, context)).toEqual(record);
      // Records of channels stored before are read as they are.
      const legacy = (record.kind === 'payer-commit' ? payerCommitKey : payeeCommitKey)(
        record.revokeSecretHash,
      );
      expect(decodeHistoryRecord(legacy, JSON.stringify(record), context)).toEqual(record);
      expect(decodeHistoryRecord(key, JSON.stringify(record), context)).toEqual(record);
    }
    const { context, record } = payeeRecord();
    const revoked: HistoryRecord = {
      kind: 'payee-revoked',
      amount: record.amount,
      commitScript: (record as { commitScript: string }).commitScript,
      revokeSecretHash: (record as { revokeSecretHash: string }).revokeSecretHash,
      revokeSecret: (record as { revokeSecret: string }).revokeSecret,
    };
    const text = encodeHistoryRecord(revoked, context);
    expect(JSON.parse(text)).toEqual([Number(record.amount), expect.any(Number)]);
    expect(decodeHistoryRecord(payeeRecord().key, text, context)).toEqual(revoked);
  });

  test('refused with typed errors: wrong key, other role, no channel, truncated, oversized, hostile', () => {
    const payer = payerRecord();
    const payee = payeeRecord();
    const payerText = encodeHistoryRecord(payer.record, payer.context);
    const payeeText = encodeHistoryRecord(payee.record, payee.context);
    // Changed as the object form has it (records stored before are read as objects too).
    const asObject = (text: string, key: string) =>
      historyObject(unpackHex(JSON.parse(text)), key, '') as Json;
    const otherKey = payerScriptKey('00'.repeat(20));
    expect(historyRefusal(otherKey, payerText, payer.context).code).toBe('SNAPSHOT_FIELD_INVALID');
    // A payer's record under a payee's key: as an array it has no payee record's length.
    expect(historyRefusal(payee.key, payerText, payer.context).code).toBe('SNAPSHOT_SCHEMA');
    expect(
      historyRefusal(payee.key, JSON.stringify(asObject(payerText, payer.key)), payer.context).code,
    ).toBe('SNAPSHOT_FIELD_INVALID');
    expect(historyRefusal(payer.key, payerText, payee.context).code).toBe('SNAPSHOT_FIELD_INVALID');
    expect(historyRefusal(payer.key, payerText).code).toBe('SNAPSHOT_FIELD_INVALID');
    expect(historyRefusal(payee.key, payeeText).code).toBe('SNAPSHOT_FIELD_INVALID');
    // Another commit's secret index under this commit's key.
    const moved = JSON.stringify({
      ...asObject(payeeText, payee.key),
      i: asObject(payeeText, payee.key).i + 1,
    });
    expect(historyRefusal(payee.key, moved, payee.context).code).toBe('SNAPSHOT_FIELD_INVALID');
    const ahead = JSON.stringify({
      ...asObject(payeeText, payee.key),
      i: payee.context.revokeCounter,
    });
    expect(historyRefusal(payee.key, ahead, payee.context).code).toBe('SNAPSHOT_SECRET_MISMATCH');
    const badSecret = JSON.stringify({ ...asObject(payerText, payer.key), s: '11'.repeat(32) });
    expect(historyRefusal(payer.key, badSecret, payer.context).code).toBe(
      'SNAPSHOT_SECRET_MISMATCH',
    );
    for (let cut = 0; cut < payeeText.length; cut += 7)
      expect(historyRefusal(payee.key, payeeText.slice(0, cut), payee.context).code).toBe(
        'SNAPSHOT_NOT_JSON',
      );
    expect(historyRefusal(payee.key, ' '.repeat(70_000), payee.context).code).toBe(
      'SNAPSHOT_TOO_LARGE',
    );
    for (const hostile of [
      { ...asObject(payeeText, payee.key), g: 'zz' },
      { ...asObject(payeeText, payee.key), extra: true },
      { ...asObject(payeeText, payee.key), k: 'x' },
      { k: 'c', a: '1' },
      [],
      [1],
      [1, 2, 3],
      [1, 2, 3, 4, 5, 6],
      ['1', 2, '3', 'not a signature'],
      null,
    ])
      expect(historyRefusal(payee.key, JSON.stringify(hostile), payee.context).code).toBe(
        'SNAPSHOT_SCHEMA',
      );
  });
});

describe('compact signatures', () => {
  test('r || s gives back every strict-DER SIGHASH_ALL signature byte for byte (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 0xffff }),
        (hash, seed) => {
          const key = new Uint8Array(32);
          new DataView(key.buffer).setUint32(28, seed);
          const pushed = signHash(hash, key);
          const compact = compactSignature(pushed);
          expect(compact).toMatch(/^[A-Za-z0-9_-]{86}$/);
          expect(expandSignature(compact!)).toEqual(pushed);
        },
      ),
      propertyConfig('compact signatures', 200),
    );
  });

  test('anything else is left as it is', () => {
    const pushed = signHash(new Uint8Array(32).fill(7), deriveKey());
    const otherHashType = Uint8Array.of(...pushed.subarray(0, -1), 0x81);
    // A non-minimal integer (a needless leading zero) does not come back the same.
    const body = pushed.subarray(0, -1);
    const rLength = body[3]!;
    const padded = Uint8Array.of(
      0x30,
      body[1]! + 1,
      0x02,
      rLength + 1,
      0x00,
      ...body.subarray(4),
      0x01,
    );
    for (const odd of [otherHashType, padded, pushed.subarray(0, 20), new Uint8Array(0)])
      expect(compactSignature(odd)).toBeNull();
    expect(() => expandSignature('AAAA')).toThrow();
  });
});

function deriveKey(): Uint8Array {
  return Uint8Array.from(Buffer.from(deriveRevokeSecret('01'.repeat(32), 0).secret, 'hex'));
}
