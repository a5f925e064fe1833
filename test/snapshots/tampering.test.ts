import { beforeAll, describe, expect, test } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bytes.js';
import { completeCommit } from '../../src/transactions/commit-transaction.js';
import { PAYEE_SIGNATURE_PLACEHOLDER } from '../../src/transactions/p2sh-signing.js';
import { payeeMachine } from '../../src/machines/payee-machine.js';
import { payerMachine } from '../../src/machines/payer-machine.js';
import { decodeChannelSnapshot } from '../../src/snapshots/codec.js';
import { SnapshotError, type SnapshotErrorCode } from '../../src/snapshots/errors.js';
import { MAX_SNAPSHOT_BYTES, type SnapshotRole } from '../../src/snapshots/schema.js';
import { type RealSnapshot, asVersion2, realSnapshots } from './fixtures.js';

const machines = { payer: payerMachine, payee: payeeMachine } as const;

// biome-ignore lint/suspicious/noExplicitAny: tampering reaches into arbitrary JSON.
type Json = any;

let all: RealSnapshot[];
beforeAll(async () => {
  // Tampered as version 2 has them, every record whole: version 3 rebuilds its compact records
  // into exactly these before the same checks run (its own fields: compact-records.test.ts).
  all = (await realSnapshots()).map((s) => ({ ...s, text: asVersion2(s.text) }));
});

/** The last real snapshot of `role` in `scenario` whose context satisfies `pick`. */
function find(role: SnapshotRole, scenario: string, pick: (context: Json, value: Json) => boolean) {
  const found = all
    .filter((s) => s.role === role && s.scenario === scenario)
    .reverse()
    .find((s) => {
      const machine = JSON.parse(s.text).machine;
      return pick(machine.context, machine.value);
    });
  if (!found) throw new Error(`no ${role} snapshot in ${scenario} as asked`);
  return found;
}

function tamper(snapshot: RealSnapshot, change: (envelope: Json) => void): string {
  const envelope = JSON.parse(snapshot.text);
  change(envelope);
  return JSON.stringify(envelope);
}

/** A change that sets the field at a dotted path (`machine.context.commits.0.amount`). */
function set(dotted: string, value: unknown): (envelope: Json) => void {
  return (envelope) => {
    const keys = dotted.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce((node, key) => node[key], envelope);
    parent[last] = value;
  };
}

/** A change that removes the field at a dotted path. */
function remove(dotted: string): (envelope: Json) => void {
  return (envelope) => {
    const keys = dotted.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce((node, key) => node[key], envelope);
    delete parent[last];
  };
}

/** Byte range of the payee's signature slot (the placeholder) in a payer-signed commit. */
function payeeSlot(rawTx: string): { start: number; end: number } {
  const at = rawTx.indexOf(bytesToHex(PAYEE_SIGNATURE_PLACEHOLDER));
  expect(at % 2).toBe(0);
  return { start: at / 2, end: at / 2 + PAYEE_SIGNATURE_PLACEHOLDER.length };
}

/** Flips the bits of byte `index` of a hex string (negative: from the end). */
function flipByte(hex: string, index = 0): string {
  const i = index < 0 ? hex.length / 2 + index : index;
  const byte = (Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16) ^ 0x01)
    .toString(16)
    .padStart(2, '0');
  return hex.slice(0, 2 * i) + byte + hex.slice(2 * i + 2);
}

function refusal(text: string, role: SnapshotRole, options?: { maxBytes?: number }): SnapshotError {
  try {
    decodeChannelSnapshot(text, role, machines[role], options);
  } catch (error) {
    if (error instanceof SnapshotError) return error;
    throw error;
  }
  throw new Error('the snapshot was accepted');
}

function expectRefused(
  text: string,
  role: SnapshotRole,
  code: SnapshotErrorCode,
  path?: string,
): SnapshotError {
  const error = refusal(text, role);
  expect(error.code, error.message).toBe(code);
  if (path !== undefined) expect(error.path, error.message).toBe(path);
  expect(error.message).toContain(code);
  return error;
}

const payerOpen = () => find('payer', 'happy', (c, v) => v === 'open' && c.commits.length === 3);
const payeeOpen = () =>
  find('payee', 'happy', (c, v) => v === 'open' && c.activeCommits.length === 3);
const C = '/machine/context';

describe('size and syntax', () => {
  test('oversized text is refused before parsing', () => {
    const text = payerOpen().text;
    expectRefused(text + ' '.repeat(MAX_SNAPSHOT_BYTES), 'payer', 'SNAPSHOT_TOO_LARGE');
    // The limit is in bytes of UTF-8: two-byte characters count twice.
    const padded = `${text.slice(0, -1)},"x":"${'é'.repeat(100)}"}`;
    const limit = text.length + 150;
    expect(padded.length).toBeLessThan(limit);
    expect(refusal(padded, 'payer', { maxBytes: limit }).code).toBe('SNAPSHOT_TOO_LARGE');
    expect(refusal(padded, 'payer', { maxBytes: limit + 200 }).code).toBe('SNAPSHOT_FORMAT');
  });

  test('truncated text at any point is not JSON', () => {
    const text = payeeOpen().text;
    for (let cut = 0; cut < text.length; cut += 97) {
      expectRefused(text.slice(0, cut), 'payee', 'SNAPSHOT_NOT_JSON');
    }
    expectRefused(text.slice(0, -1), 'payee', 'SNAPSHOT_NOT_JSON');
  });

  test.each(['', 'hello', '{', "{'format':1}", '{"a":1,}', 'undefined', 'NaN'])(
    'non-JSON %j',
    (text) => {
      expectRefused(text, 'payer', 'SNAPSHOT_NOT_JSON');
    },
  );

  test('a non-string is refused with a typed error', () => {
    expect(refusal(42 as unknown as string, 'payer').code).toBe('SNAPSHOT_NOT_JSON');
  });

  test('hostile nesting is refused without exhausting the stack', () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const text = tamper(payerOpen(), (e) => {
      e.machine.value = 0;
    }).replace('"value":0', `"value":${deep}`);
    expectRefused(text, 'payer', 'SNAPSHOT_SCHEMA', '/machine');
  });
});

describe('envelope, version and role', () => {
  test('the unversioned snapshot the runtime wrote before is not a snapshot envelope', () => {
    const raw = JSON.stringify(JSON.parse(payerOpen().text).machine);
    expectRefused(raw, 'payer', 'SNAPSHOT_FORMAT', '/format');
  });

  test.each([
    ['wrong format', set('format', 'other')],
    ['missing format', remove('format')],
    ['extra field', set('extra', 1)],
    ['version as text', set('version', '1')],
    ['version 0', set('version', 0)],
    ['missing version', remove('version')],
    ['unknown role', set('role', 'hub')],
    ['machine not an object', set('machine', [])],
  ])('%s', (_name, change) => {
    expectRefused(tamper(payerOpen(), change), 'payer', 'SNAPSHOT_FORMAT');
  });

  test.each([null, [], 1, '"text"'])('top-level %j', (value) => {
    expectRefused(JSON.stringify(value), 'payer', 'SNAPSHOT_FORMAT');
  });

  test('another version gets its own code', () => {
    // Version 1 kept every commit in the snapshot; 2 keeps the newest and history records; 3
    // compacts them; 4 packs their hex.
    for (const version of [1, 5]) {
      const text = tamper(payerOpen(), (e) => {
        e.version = version;
      });
      const error = expectRefused(text, 'payer', 'SNAPSHOT_VERSION', '/version');
      expect(error.message).toContain(`version ${version}`);
    }
  });

  test('a payer snapshot restored as a payee, and the reverse', () => {
    expectRefused(payerOpen().text, 'payee', 'SNAPSHOT_ROLE', '/role');
    expectRefused(payeeOpen().text, 'payer', 'SNAPSHOT_ROLE', '/role');
    // Relabelled envelope: the context still says whose it is.
    const relabelled = tamper(payerOpen(), (e) => {
      e.role = 'payee';
    });
    expectRefused(relabelled, 'payee', 'SNAPSHOT_ROLE', `${C}/role`);
  });

  test('a machine of the other role is refused', () => {
    expect(() => decodeChannelSnapshot(payerOpen().text, 'payer', payeeMachine)).toThrow(
      SnapshotError,
    );
  });
});

describe('schema', () => {
  test('every context field removed is refused, naming it', () => {
    for (const snapshot of [payerOpen(), payeeOpen()]) {
      const fields = Object.keys(JSON.parse(snapshot.text).machine.context);
      expect(fields.length).toBeGreaterThan(20);
      for (const field of fields) {
        const text = tamper(snapshot, (e) => void delete e.machine.context[field]);
        const error = expectRefused(text, snapshot.role, 'SNAPSHOT_SCHEMA');
        expect(error.message).toContain(field);
      }
    }
  });

  test('new context fields are required', () => {
    for (const [snapshot, field] of [
      [payerOpen(), 'minDelayTime'],
      [payerOpen(), 'maxExpireTime'],
      [payeeOpen(), 'fundingTimeout'],
      [payeeOpen(), 'offerHeight'],
    ] as const) {
      const text = tamper(snapshot, (e) => void delete e.machine.context[field]);
      expectRefused(text, snapshot.role, 'SNAPSHOT_SCHEMA');
    }
  });

  test.each([
    ['a removed nested field', remove('machine.context.commits.1.rawTx')],
    ['an extra context field', set('machine.context.extra', null)],
    ['an amount as a number', set('machine.context.depositAmount', 1000000)],
    ['an amount with a leading zero', set('machine.context.depositAmount', '01')],
    [
      'upper-case hex',
      (e: Json) => {
        e.machine.context.payerPubkey = e.machine.context.payerPubkey.toUpperCase();
      },
    ],
    ['a height as text', set('machine.context.height', '103')],
    ['a fractional height', set('machine.context.height', 103.5)],
    ['an unknown network', set('machine.context.network', 'signet')],
    [
      'an unknown broadcast label',
      (e: Json) => {
        e.machine.context.broadcasts.payout = e.machine.context.broadcasts.deposit;
      },
    ],
    ['an unknown watch label', set('machine.context.watches.txids.0.label', 'x')],
    ['a child actor', set('machine.children', { x: {} })],
    ['a history value', set('machine.historyValue', { x: [] })],
    ['the error status', set('machine.status', 'error')],
    ['an error field', set('machine.error', 'boom')],
    ['a removed status', remove('machine.status')],
    ['minDelayTime 0', set('machine.context.minDelayTime', 0)],
    ['maxExpireTime beyond 65535', set('machine.context.maxExpireTime', 65536)],
  ])('%s', (_name, change) => {
    expectRefused(tamper(payerOpen(), change), 'payer', 'SNAPSHOT_SCHEMA');
  });

  test.each([
    ['fundingTimeout 0', set('machine.context.fundingTimeout', 0)],
    ['negative offerHeight', set('machine.context.offerHeight', -1)],
    ['clearance below 3', set('machine.context.clearance', 2)],
  ])('payee: %s', (_name, change) => {
    expectRefused(tamper(payeeOpen(), change), 'payee', 'SNAPSHOT_SCHEMA');
  });

  test('a __proto__ key in the text is an unknown field, not a prototype', () => {
    const text = payerOpen().text.replace(
      '"context":{',
      '"context":{"__proto__":{"role":"payee"},',
    );
    expectRefused(text, 'payer', 'SNAPSHOT_SCHEMA');
  });

  test('the error message names the field path', () => {
    const text = tamper(payerOpen(), set('machine.context.commits.2.amount', 5));
    expectRefused(text, 'payer', 'SNAPSHOT_SCHEMA', `${C}/commits/2/amount`);
  });
});

describe('state value', () => {
  test.each([
    ['an unknown state', 'nope'],
    ['an unknown region state', { settling: { commitOutput: 'nope', remainder: 'waiting' } }],
    ['a missing region', { settling: { commitOutput: 'awaitingPayout' } }],
    ['an extra region', { settling: { commitOutput: 'done', remainder: 'done', x: 'done' } }],
    ['a parallel state by name only', 'settling'],
    ['a leaf state as an object', { open: 'x' }],
    ['two active children', { open: 'x', funding: 'y' }],
    ['a prototype key', 'constructor'],
    ['an empty object', {}],
  ])('%s', (_name, value) => {
    const text = tamper(payerOpen(), set('machine.value', value));
    expectRefused(text, 'payer', 'SNAPSHOT_STATE');
  });

  test('status and outcome agree with the state', () => {
    const done = find('payer', 'happy', (_c, v) => v === 'settled');
    expectRefused(
      tamper(done, set('machine.status', 'active')),
      'payer',
      'SNAPSHOT_STATE',
      '/machine/status',
    );
    expectRefused(tamper(payerOpen(), set('machine.status', 'done')), 'payer', 'SNAPSHOT_STATE');
    expectRefused(
      tamper(done, set('machine.context.outcome', 'expired')),
      'payer',
      'SNAPSHOT_STATE',
      `${C}/outcome`,
    );
    expectRefused(tamper(done, set('machine.context.outcome', null)), 'payer', 'SNAPSHOT_STATE');
    expectRefused(
      tamper(payerOpen(), set('machine.context.outcome', 'settled')),
      'payer',
      'SNAPSHOT_STATE',
      `${C}/outcome`,
    );
  });

  test('a state needs the records it can only be entered with', () => {
    const early = find('payer', 'aborted', (_c, v) => v === 'awaitingOffer');
    expectRefused(tamper(early, set('machine.value', 'open')), 'payer', 'SNAPSHOT_STATE');
    expectRefused(
      tamper(payerOpen(), set('machine.value', 'awaitingOffer')),
      'payer',
      'SNAPSHOT_STATE',
    );
    expectRefused(
      tamper(payeeOpen(), set('machine.value', 'payingOut')),
      'payee',
      'SNAPSHOT_STATE',
    );
  });

  test('a waiting state keeps the transaction it waits for', () => {
    const revoking = find('payer', 'revoked', (_c, v) => v.settling?.commitOutput === 'revoking');
    expectRefused(
      tamper(revoking, remove('machine.context.broadcasts.revoke')),
      'payer',
      'SNAPSHOT_STATE',
      '/machine/value',
    );
    const recovering = find('payer', 'happy', (_c, v) => v.settling?.remainder === 'recovering');
    expectRefused(
      tamper(recovering, (e) => {
        delete e.machine.context.broadcasts.change;
        delete e.machine.context.broadcasts.expire;
      }),
      'payer',
      'SNAPSHOT_STATE',
      '/machine/value',
    );
    const payingOut = find('payee', 'happy', (_c, v) => v === 'payingOut');
    expectRefused(
      tamper(payingOut, set('machine.context.payout', null)),
      'payee',
      'SNAPSHOT_STATE',
      '/machine/value',
    );
    const closing = find('payee', 'happy', (_c, v) => v === 'closing');
    expectRefused(
      tamper(closing, set('machine.context.published', null)),
      'payee',
      'SNAPSHOT_STATE',
      '/machine/value',
    );
  });
});

describe('keys', () => {
  test('a flipped byte in a party key', () => {
    for (let i = 1; i < 33; i += 8) {
      expectRefused(
        tamper(payerOpen(), (e) => {
          e.machine.context.payerPubkey = flipByte(e.machine.context.payerPubkey, i);
        }),
        'payer',
        'SNAPSHOT_KEY_MISMATCH',
        `${C}/payerPubkey`,
      );
      expectRefused(
        tamper(payeeOpen(), (e) => {
          e.machine.context.payeePubkey = flipByte(e.machine.context.payeePubkey, i);
        }),
        'payee',
        'SNAPSHOT_KEY_MISMATCH',
        `${C}/payeePubkey`,
      );
    }
  });

  test('a flipped private key no longer matches its public key', () => {
    expectRefused(
      tamper(payeeOpen(), (e) => {
        e.machine.context.payeePrivateKey = flipByte(e.machine.context.payeePrivateKey, -1);
      }),
      'payee',
      'SNAPSHOT_KEY_MISMATCH',
      `${C}/payeePubkey`,
    );
    expectRefused(
      tamper(payerOpen(), (e) => {
        e.machine.context.payerPrivateKey = 'ff'.repeat(32);
      }),
      'payer',
      'SNAPSHOT_KEY_MISMATCH',
      `${C}/payerPrivateKey`,
    );
  });

  test("the counterparty's key must be on the curve and differ from ours", () => {
    expectRefused(
      tamper(payeeOpen(), (e) => {
        e.machine.context.payerPubkey = `02${'00'.repeat(32)}`;
      }),
      'payee',
      'SNAPSHOT_KEY_MISMATCH',
      `${C}/payerPubkey`,
    );
    expectRefused(
      tamper(payeeOpen(), (e) => {
        e.machine.context.payerPubkey = e.machine.context.payeePubkey;
      }),
      'payee',
      'SNAPSHOT_KEY_MISMATCH',
      `${C}/payerPubkey`,
    );
  });
});

describe('scripts', () => {
  test('a flipped byte in the deposit script, either role', () => {
    for (const snapshot of [payerOpen(), payeeOpen()]) {
      for (const i of [0, 5, 40, -1]) {
        expectRefused(
          tamper(snapshot, (e) => {
            e.machine.context.depositScript = flipByte(e.machine.context.depositScript, i);
          }),
          snapshot.role,
          'SNAPSHOT_SCRIPT_MISMATCH',
          `${C}/depositScript`,
        );
      }
    }
  });

  test("a flipped byte in the counterparty's key or the expire time breaks the deposit script", () => {
    const error = refusal(tamper(payerOpen(), set('machine.context.expireTime', 31)), 'payer');
    expect(error.code).toBe('SNAPSHOT_SCRIPT_MISMATCH');
    expect(error.path).toBe(`${C}/depositScript`);
    const key = refusal(
      tamper(payerOpen(), (e) => {
        e.machine.context.payeePubkey = flipByte(e.machine.context.payeePubkey, 20);
      }),
      'payer',
    );
    expect(['SNAPSHOT_KEY_MISMATCH', 'SNAPSHOT_SCRIPT_MISMATCH']).toContain(key.code);
  });

  test('a flipped byte in a commit script', () => {
    expectRefused(
      tamper(payeeOpen(), (e) => {
        const commit = e.machine.context.activeCommits[1];
        commit.commitScript = flipByte(commit.commitScript, 10);
      }),
      'payee',
      'SNAPSHOT_SCRIPT_MISMATCH',
      `${C}/activeCommits/1/commitScript`,
    );
    expectRefused(
      tamper(payerOpen(), (e) => {
        const commit = e.machine.context.commits[0];
        commit.revokeSecretHash = flipByte(commit.revokeSecretHash, 3);
      }),
      'payer',
      'SNAPSHOT_SCRIPT_MISMATCH',
      `${C}/commits/0/commitScript`,
    );
  });

  test('a given-back commit keeps the script of its secret', () => {
    const snapshot = find('payee', 'happy', (c) => c.revokedCommits.length > 0);
    expectRefused(
      tamper(snapshot, (e) => {
        const commit = e.machine.context.revokedCommits[0];
        commit.commitScript = flipByte(commit.commitScript, -3);
      }),
      'payee',
      'SNAPSHOT_SCRIPT_MISMATCH',
      `${C}/revokedCommits/0/commitScript`,
    );
  });
});

describe('secrets', () => {
  test("a flipped byte in the payee's spend secret", () => {
    for (const snapshot of all.filter((s) => s.role === 'payee').slice(0, 40)) {
      expectRefused(
        tamper(snapshot, (e) => {
          e.machine.context.spendSecret = flipByte(e.machine.context.spendSecret, 7);
        }),
        'payee',
        'SNAPSHOT_SECRET_MISMATCH',
        `${C}/spendSecret`,
      );
    }
  });

  test('the spend secret the payer read from the payout', () => {
    const snapshot = find('payer', 'happy', (c) => c.spendSecret !== null);
    expectRefused(
      tamper(snapshot, (e) => {
        e.machine.context.spendSecret = flipByte(e.machine.context.spendSecret, 0);
      }),
      'payer',
      'SNAPSHOT_SECRET_MISMATCH',
      `${C}/spendSecret`,
    );
  });

  test('revoke secrets hash to their hashes', () => {
    const payer = find('payer', 'happy', (c) => c.commits.some((x: Json) => x.revokeSecret));
    expectRefused(
      tamper(payer, (e) => {
        const commit = e.machine.context.commits.find((x: Json) => x.revokeSecret);
        commit.revokeSecret = flipByte(commit.revokeSecret, 31);
      }),
      'payer',
      'SNAPSHOT_SECRET_MISMATCH',
    );
    expectRefused(
      tamper(payeeOpen(), (e) => {
        const requested = e.machine.context.requestedRevokes[0];
        requested.hash = flipByte(requested.hash, 1);
      }),
      'payee',
      'SNAPSHOT_SECRET_MISMATCH',
      `${C}/requestedRevokes/0/secret`,
    );
    expectRefused(
      tamper(payeeOpen(), (e) => {
        const commit = e.machine.context.activeCommits[0];
        commit.revokeSecretHash = flipByte(commit.revokeSecretHash, 1);
      }),
      'payee',
      'SNAPSHOT_SECRET_MISMATCH',
      `${C}/activeCommits/0/revokeSecret`,
    );
  });

  test("the payee's revoke secrets are derived from its seed, each once", () => {
    expectRefused(
      tamper(payeeOpen(), (e) => {
        e.machine.context.revokeSeed = flipByte(e.machine.context.revokeSeed, 2);
      }),
      'payee',
      'SNAPSHOT_SECRET_MISMATCH',
      `${C}/requestedRevokes/0/secret`,
    );
    const stolen = tamper(payeeOpen(), (e) => {
      const [a, b] = e.machine.context.activeCommits;
      b.revokeSecret = a.revokeSecret;
      b.revokeSecretHash = a.revokeSecretHash;
    });
    expectRefused(stolen, 'payee', 'SNAPSHOT_SECRET_MISMATCH', `${C}/activeCommits/1/revokeSecret`);
    expectRefused(
      tamper(payeeOpen(), (e) => {
        e.machine.context.revokeCounter += 1;
      }),
      'payee',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/revokeCounter`,
    );
  });
});

describe('commits', () => {
  test('a flipped byte anywhere in the best commit transaction', () => {
    const snapshot = payeeOpen();
    const rawTx: string = JSON.parse(snapshot.text).machine.context.activeCommits[2].rawTx;
    const slot = payeeSlot(rawTx);
    let flipped = 0;
    // Every other byte keeps the run short; each field of the transaction is still hit.
    for (let i = 0; i < rawTx.length / 2; i += 2) {
      if (i >= slot.start && i < slot.end) continue;
      flipped++;
      expectRefused(
        tamper(snapshot, (e) => {
          const best = e.machine.context.activeCommits[2];
          best.rawTx = flipByte(best.rawTx, i);
        }),
        'payee',
        'SNAPSHOT_COMMIT_INVALID',
        `${C}/activeCommits/2/rawTx`,
      );
    }
    expect(flipped).toBeGreaterThan(150);
  });

  test("the payee's slot, covered by no signature, is replaced when completing", () => {
    const snapshot = payeeOpen();
    const context = JSON.parse(snapshot.text).machine.context;
    const best = context.activeCommits[2];
    const slot = payeeSlot(best.rawTx);
    const complete = (rawTx: string) =>
      bytesToHex(
        completeCommit(
          hexToBytes(rawTx),
          hexToBytes(context.depositScript),
          hexToBytes(context.payeePrivateKey),
        ),
      );
    const text = tamper(snapshot, (e) => {
      const commit = e.machine.context.activeCommits[2];
      commit.rawTx = flipByte(commit.rawTx, slot.start + 10);
    });
    const decoded = decodeChannelSnapshot(text, 'payee', payeeMachine);
    const altered = decoded.context.activeCommits[2]!.rawTx;
    expect(altered).not.toBe(best.rawTx);
    expect(complete(altered)).toBe(complete(best.rawTx));
    // The payer made its own commits: there the slot must hold the placeholder.
    const payer = payerOpen();
    expectRefused(
      tamper(payer, (e) => {
        const commit = e.machine.context.commits[2];
        commit.rawTx = flipByte(commit.rawTx, payeeSlot(commit.rawTx).start + 10);
      }),
      'payer',
      'SNAPSHOT_COMMIT_INVALID',
      `${C}/commits/2/rawTx`,
    );
  });

  test("a payer commit without the payer's signature, or another commit's transaction", () => {
    const snapshot = payerOpen();
    expectRefused(
      tamper(snapshot, (e) => {
        const [a, b] = e.machine.context.commits;
        b.rawTx = a.rawTx;
      }),
      'payer',
      'SNAPSHOT_COMMIT_INVALID',
      `${C}/commits/1/rawTx`,
    );
  });

  test('the best commit claiming 95000 instead of 50000', () => {
    const text = tamper(payeeOpen(), (e) => {
      e.machine.context.activeCommits[2].amount = '95000';
    });
    const error = expectRefused(text, 'payee', 'SNAPSHOT_COMMIT_INVALID');
    expect(error.message).toContain('95000');
  });

  test('the published commit must verify', () => {
    const snapshot = find('payee', 'happy', (c) => c.published !== null);
    expectRefused(
      tamper(snapshot, (e) => {
        const published = e.machine.context.published;
        published.rawTx = e.machine.context.activeCommits[0].rawTx;
      }),
      'payee',
      'SNAPSHOT_COMMIT_INVALID',
      `${C}/published/txid`,
    );
  });
});

describe('amounts', () => {
  test('a tampered amount: 95000 instead of 15000', () => {
    const text = tamper(payeeOpen(), (e) => {
      expect(e.machine.context.activeCommits[0].amount).toBe('15000');
      e.machine.context.activeCommits[0].amount = '95000';
    });
    expectRefused(text, 'payee', 'SNAPSHOT_AMOUNT_INCONSISTENT', `${C}/activeCommits/1/amount`);
    const payer = tamper(payerOpen(), (e) => {
      e.machine.context.commits[0].amount = '95000';
    });
    expectRefused(payer, 'payer', 'SNAPSHOT_COMMIT_INVALID', `${C}/commits/0/rawTx`);
  });

  test('commits above the deposit, and a deposit of another value', () => {
    expectRefused(
      tamper(payeeOpen(), set('machine.context.activeCommits.2.amount', '1000001')),
      'payee',
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      `${C}/activeCommits/2/amount`,
    );
    expectRefused(
      tamper(payerOpen(), set('machine.context.deposit.value', '999999')),
      'payer',
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      `${C}/deposit/value`,
    );
    expectRefused(
      tamper(payerOpen(), set('machine.context.commits.1.amount', '0')),
      'payer',
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      `${C}/commits/1/amount`,
    );
  });

  test('the published commit and its remainder', () => {
    const payer = find('payer', 'happy', (c) => c.published?.remainder);
    expectRefused(
      tamper(payer, set('machine.context.published.amount', '95000')),
      'payer',
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      `${C}/published/amount`,
    );
    expectRefused(
      tamper(payer, set('machine.context.published.remainder.value', '1')),
      'payer',
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      `${C}/published/remainder`,
    );
    const payee = find('payee', 'happy', (c) => c.published !== null);
    expectRefused(
      tamper(payee, set('machine.context.published.amount', '15000')),
      'payee',
      'SNAPSHOT_AMOUNT_INCONSISTENT',
      `${C}/published/amount`,
    );
  });
});

describe('records', () => {
  test.each([
    [
      'a deposit watch of another output',
      (e: Json) => {
        e.machine.context.watches.outpoints[0].outpoint.vout = 1;
      },
    ],
    [
      'a watched txid that is not the deposit',
      (e: Json) => {
        e.machine.context.watches.txids[0].txid = '00'.repeat(32);
      },
    ],
    [
      'a deposit broadcast of another transaction',
      (e: Json) => {
        e.machine.context.broadcasts.deposit.rawTx = e.machine.context.commits[0].rawTx;
      },
    ],
    ['a terms field missing', set('machine.context.delayTime', null)],
    [
      'a reused revoke hash',
      (e: Json) => {
        e.machine.context.nextRevokeHash = e.machine.context.commits[0].revokeSecretHash;
      },
    ],
  ])('payer: %s', (_name, change) => {
    expectRefused(tamper(payerOpen(), change), 'payer', 'SNAPSHOT_FIELD_INVALID');
  });

  test("payer: agreed times within the payer's bounds, and bounds that fit its preferences", () => {
    const cases: [string, (e: Json) => void, string][] = [
      [
        'a delay below the minimum',
        (e) => {
          e.machine.context.minDelayTime = 6;
          e.machine.context.preferredDelayTime = 6;
        },
        'delayTime',
      ],
      [
        'an expire time above the maximum',
        (e) => {
          e.machine.context.maxExpireTime = 29;
          e.machine.context.preferredExpireTime = 29;
        },
        'expireTime',
      ],
      [
        'a preferred delay below the minimum',
        set('machine.context.minDelayTime', 6),
        'preferredDelayTime',
      ],
      [
        'a preferred expiry above the maximum',
        set('machine.context.maxExpireTime', 29),
        'preferredExpireTime',
      ],
      ['an empty span of bounds', set('machine.context.minDelayTime', 5000), 'minDelayTime'],
    ];
    for (const [name, change, field] of cases) {
      const error = refusal(tamper(payerOpen(), change), 'payer');
      expect(error.code, name).toBe('SNAPSHOT_FIELD_INVALID');
      expect(error.path, name).toBe(`${C}/${field}`);
    }
  });

  test('watches: none missing, none twice', () => {
    const payer = find('payer', 'happy', (c) => c.published?.remainder);
    for (const label of ['deposit', 'commit-output', 'remainder']) {
      expectRefused(
        tamper(payer, (e) => {
          const list = e.machine.context.watches.outpoints;
          list.splice(
            list.findIndex((w: Json) => w.label === label),
            1,
          );
        }),
        'payer',
        'SNAPSHOT_FIELD_INVALID',
        `${C}/watches/outpoints`,
      );
    }
    expectRefused(
      tamper(payer, (e) => {
        e.machine.context.watches.txids = [];
      }),
      'payer',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/watches/txids`,
    );
    const payee = find('payee', 'happy', (c) => c.published !== null);
    expectRefused(
      tamper(payee, (e) => {
        const list = e.machine.context.watches.outpoints;
        list.push(list[0]);
      }),
      'payee',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/watches/outpoints/2`,
    );
    expectRefused(
      tamper(payee, (e) => {
        const list = e.machine.context.watches.outpoints;
        list.push({ label: 'remainder', outpoint: list[0].outpoint });
      }),
      'payee',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/watches/outpoints/2`,
    );
  });

  test('payer: a deposit id that is not the broadcast one', () => {
    const snapshot = find('payer', 'happy', (c, v) => v === 'open' && c.commits.length === 0);
    expectRefused(
      tamper(snapshot, (e) => {
        e.machine.context.deposit.txid = flipByte(e.machine.context.deposit.txid, 4);
      }),
      'payer',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/broadcasts/deposit`,
    );
  });

  test('payer: recovery broadcasts spend what their label says', () => {
    const snapshot = find('payer', 'revoked', (c) => c.broadcasts.revoke !== undefined);
    expectRefused(
      tamper(snapshot, (e) => {
        e.machine.context.broadcasts.revoke.txid = flipByte(
          e.machine.context.broadcasts.revoke.txid,
        );
      }),
      'payer',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/broadcasts/revoke/txid`,
    );
    expectRefused(
      tamper(snapshot, (e) => {
        e.machine.context.broadcasts.change = e.machine.context.broadcasts.revoke;
      }),
      'payer',
      'SNAPSHOT_FIELD_INVALID',
      `${C}/broadcasts/change`,
    );
  });

  test.each([
    [
      'a payout without a published commit',
      (e: Json) => {
        e.machine.context.published = null;
      },
    ],
    [
      'a payout of another output',
      (e: Json) => {
        e.machine.context.payout.rawTx = e.machine.context.published.rawTx;
        e.machine.context.payout.txid = e.machine.context.published.txid;
      },
    ],
    [
      'a published commit that is not active',
      (e: Json) => {
        e.machine.context.published.commitScript = e.machine.context.revokedCommits[0].commitScript;
      },
    ],
    [
      'an expire time outside the offered range',
      (e: Json) => {
        e.machine.context.expireTimeRange = { min: 31, max: 1000 };
      },
    ],
    ['an empty offered range', set('machine.context.delayTimeRange.min', 101)],
  ])('payee: %s', (_name, change) => {
    const snapshot = find('payee', 'happy', (c) => c.payout !== null);
    expectRefused(tamper(snapshot, change), 'payee', 'SNAPSHOT_FIELD_INVALID');
  });
});

describe('coverage', () => {
  // Fields no check can tie to the rest of the snapshot: where funds go (any script is the
  // embedder's choice), the revoke hash the payee sent last (only the payee knows its secret),
  // and the revoke seed before any secret was derived from it.
  const unverifiable = (path: string[], context: Json) =>
    path[0] === 'destinationScript' ||
    path[0] === 'nextRevokeHash' ||
    (path[0] === 'revokeSeed' && context.revokeCounter === 0);

  function hexLeaves(value: Json, path: string[] = [], out: string[][] = []): string[][] {
    if (typeof value === 'string' && /^(?:[0-9a-f]{2})+$/.test(value)) out.push(path);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) hexLeaves(child, [...path, key], out);
    }
    return out;
  }

  test('a flipped first or last byte of every other hex field is refused, in every state', () => {
    let checked = 0;
    // One snapshot per role and state (the latest), so that every kind of record is covered.
    const perState = new Map(all.map((s) => [`${s.role}:${s.state}`, s]));
    for (const snapshot of perState.values()) {
      const context = JSON.parse(snapshot.text).machine.context;
      for (const path of hexLeaves(context)) {
        if (unverifiable(path, context)) continue;
        // First and last bytes alternate across fields and states, one decode per field.
        const index = checked % 2 === 0 ? 0 : -1;
        const text = tamper(snapshot, (e) => {
          const parent = path.slice(0, -1).reduce((n: Json, k) => n[k], e.machine.context);
          const key = path[path.length - 1]!;
          parent[key] = flipByte(parent[key], index);
        });
        const error = refusal(text, snapshot.role);
        expect(error.code, `${snapshot.state} ${path.join('/')}`).not.toBe('SNAPSHOT_SCHEMA');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
