import type { PayeeContext, PayerContext } from '../machines/context.js';
import {
  type CompactPayeeCommit,
  type CompactPayeeRevoked,
  type CompactPayerCommit,
  compactPayeeCommit,
  compactPayeeRevoked,
  compactPayerCommit,
  compactRequested,
  expandPayeeCommit,
  expandPayeeRevoked,
  expandPayerCommit,
  expandRequested,
  revokeIndexOfHash,
  revokeSecretAt,
} from './compact-commits.js';
import { SnapshotError } from './errors.js';
import {
  expectedRevokeIndex,
  payeeCommitArray,
  payeeCommitObject,
  payeeRevokedArray,
  payeeRevokedObject,
  payerCommitArray,
  payerCommitObject,
} from './compact-arrays.js';
import { unpackHex } from './packed-hex.js';
import {
  type ChannelPersistedSnapshot,
  SNAPSHOT_VERSION,
  SNAPSHOT_VERSION_UNPACKED,
} from './schema.js';

/**
 * Versions 3 and 4 of the snapshot: the machine snapshot with its commit records in compact form
 * (`compact-commits.ts`), everything else as version 2 has it; version 4 also writes the
 * payee's `activeDepth` as an offset from its revoke counter, and packs its hex
 * (`packed-hex.ts`, applied by the codec around these functions).
 *
 * @module
 */

const CONTEXT = '/machine/context';

/**
 * The persisted machine snapshot as version 4 writes it (before its hex is packed): commit
 * records compact where they rebuild, as arrays (`compact-arrays.ts`).
 */
export function compactSnapshot(persisted: ChannelPersistedSnapshot): unknown {
  const compact = compactRecords(persisted) as { context: Record<string, unknown> };
  const { context } = compact;
  const list = (name: string) => context[name] as unknown[];
  const active = list('activeCommits');
  const expected = (position: number) =>
    expectedRevokeIndex(
      context.revokeCounter as number,
      list('requestedRevokes').length,
      active.length,
      position,
    );
  const arrays =
    context.role === 'payer'
      ? {
          commits: list('commits').map(payerCommitArray),
          nextRevokeHash: nextHashStored(persisted.context as PayerContext),
        }
      : {
          activeCommits: active.map((c, position) => payeeCommitArray(c, expected(position))),
          revokedCommits: list('revokedCommits').map(payeeRevokedArray),
        };
  return { ...compact, context: { ...context, ...arrays } };
}

/**
 * The machine snapshot of a version 4 text (hex unpacked) with its array records as the
 * objects of version 3, for the compact schema to check; anything else is left as it is, for
 * the schema to refuse.
 *
 * @throws {@link SnapshotError} `SNAPSHOT_SCHEMA` for an array record of the wrong length.
 */
export function compactRecordObjects(machine: unknown): unknown {
  if (typeof machine !== 'object' || machine === null) return machine;
  const context = (machine as { context?: unknown }).context;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) return machine;
  const fields = context as Record<string, unknown>;
  const mapped: Record<string, unknown> = {};
  const each = (name: string, read: (entry: unknown, path: string) => unknown) => {
    const list = fields[name];
    if (Array.isArray(list)) mapped[name] = list.map((e, i) => read(e, `${CONTEXT}/${name}/${i}`));
  };
  if (fields.role === 'payer') {
    each('commits', payerCommitObject);
    const commits = (mapped.commits ?? fields.commits) as unknown;
    mapped.nextRevokeHash = nextHashRead(fields.nextRevokeHash, commits);
  } else {
    const { revokeCounter, requestedRevokes, activeCommits } = fields;
    const inStep =
      Number.isSafeInteger(revokeCounter) &&
      Array.isArray(requestedRevokes) &&
      Array.isArray(activeCommits);
    each('activeCommits', (entry, path) => {
      const position = Number(path.slice(path.lastIndexOf('/') + 1));
      const expected = inStep
        ? expectedRevokeIndex(
            revokeCounter as number,
            (requestedRevokes as unknown[]).length,
            (activeCommits as unknown[]).length,
            position,
          )
        : undefined;
      return payeeCommitObject(entry, path, expected);
    });
    each('revokedCommits', payeeRevokedObject);
  }
  return { ...machine, context: { ...fields, ...mapped } };
}

/**
 * The payer's outstanding revoke hash as version 4 stores it. None outstanding is written as the
 * newest commit's revoke hash, the one that was outstanding until that commit was signed, so a
 * payment does not change the field; a hash outstanding that is the newest commit's (a payer
 * never takes a hash twice, but the text must say what the context holds) is written `[hash]`.
 */
function nextHashStored(context: PayerContext): unknown {
  const newest = context.commits.at(-1)?.revokeSecretHash;
  if (context.nextRevokeHash === null) return newest ?? null;
  return context.nextRevokeHash === newest ? [newest] : context.nextRevokeHash;
}

/** The payer's outstanding revoke hash from its version 4 form; anything else as it is. */
function nextHashRead(stored: unknown, commits: unknown): unknown {
  if (Array.isArray(stored)) return stored.length === 1 ? stored[0] : stored;
  const newest = Array.isArray(commits)
    ? (commits.at(-1) as { h?: unknown; revokeSecretHash?: unknown } | undefined)
    : undefined;
  const hash = newest?.h ?? newest?.revokeSecretHash;
  return typeof stored === 'string' && stored === hash ? null : stored;
}

/** The persisted machine snapshot with its commit records compact where they rebuild (version 3). */
function compactRecords(persisted: ChannelPersistedSnapshot): unknown {
  const context = persisted.context as PayerContext | PayeeContext;
  if (context.role === 'payer') {
    // The top unrevoked commit is nearly always in the window: its position there then stands for it.
    let top = context.commits.length - 1;
    while (top >= 0 && context.commits[top]!.revokeSecretHash !== context.topUnrevoked) top--;
    // What the payee holds is then the amount of that commit: `true` stands for it.
    const topAmount = top >= 0 && context.commits[top]!.amount === context.transferred;
    return {
      ...persisted,
      context: {
        ...context,
        commits: context.commits.map((c) => compactPayerCommit(c, context)),
        topUnrevoked: top >= 0 ? top : context.topUnrevoked,
        transferred: topAmount ? true : context.transferred,
      },
    };
  }
  // As an offset from the revoke counter, it stays the same while payments come in.
  const top = context.activeTop && revokeIndexOfHash(context, context.activeTop);
  const activeTop = typeof top === 'number' ? top - context.revokeCounter : null;
  return {
    ...persisted,
    context: {
      ...context,
      requestedRevokes: context.requestedRevokes.map((r) => compactRequested(r, context)),
      activeCommits: context.activeCommits.map((c) => compactPayeeCommit(c, context)),
      activeTop: activeTop ?? context.activeTop,
      // As an offset from the revoke counter, it too stays the same while payments come in.
      activeDepth:
        context.activeDepth <= context.revokeCounter
          ? context.activeDepth - context.revokeCounter - 1
          : context.activeDepth,
      revokedCommits: context.revokedCommits.map((c) => compactPayeeRevoked(c, context)),
    },
  };
}

/**
 * The machine snapshot of a version 3 or 4 text (hex unpacked, already checked against its
 * schema) with every commit record rebuilt whole.
 *
 * @throws {@link SnapshotError} when a compact record cannot be rebuilt.
 */
export function expandSnapshot(stored: ChannelPersistedSnapshot): ChannelPersistedSnapshot {
  const context = stored.context as PayerContext | PayeeContext;
  if (context.role === 'payer') {
    const commits = (
      context.commits as readonly (CompactPayerCommit | PayerContext['commits'][0])[]
    ).map((c, i) => expandPayerCommit(c, context, `${CONTEXT}/commits/${i}`));
    const top = context.topUnrevoked as string | number | null;
    if (typeof top === 'number' && !commits[top])
      throw new SnapshotError(
        'SNAPSHOT_FIELD_INVALID',
        'no such commit',
        `${CONTEXT}/topUnrevoked`,
      );
    const transferred = context.transferred as string | true;
    if (transferred === true && typeof top !== 'number')
      throw new SnapshotError(
        'SNAPSHOT_FIELD_INVALID',
        'no top commit in the window',
        `${CONTEXT}/transferred`,
      );
    return {
      ...stored,
      context: {
        ...context,
        commits,
        topUnrevoked: typeof top === 'number' ? commits[top]!.revokeSecretHash : top,
        transferred: transferred === true ? commits[top as number]!.amount : transferred,
      },
    } as ChannelPersistedSnapshot;
  }
  const requested = context.requestedRevokes as readonly (
    | number
    | PayeeContext['requestedRevokes'][0]
  )[];
  const active = context.activeCommits as readonly (
    | CompactPayeeCommit
    | PayeeContext['activeCommits'][0]
  )[];
  const revoked = context.revokedCommits as readonly (
    | CompactPayeeRevoked
    | PayeeContext['revokedCommits'][0]
  )[];
  const activeTop = context.activeTop as string | number | null;
  const activeDepth =
    context.activeDepth < 0 ? context.revokeCounter + 1 + context.activeDepth : context.activeDepth;
  if (activeDepth < 0)
    throw new SnapshotError(
      'SNAPSHOT_FIELD_INVALID',
      'beyond the revoke counter',
      `${CONTEXT}/activeDepth`,
    );
  return {
    ...stored,
    context: {
      ...context,
      activeDepth,
      activeTop:
        typeof activeTop === 'number'
          ? revokeSecretAt(context, context.revokeCounter + activeTop, `${CONTEXT}/activeTop`).hash
          : activeTop,
      requestedRevokes: requested.map((r, i) =>
        expandRequested(r, context, `${CONTEXT}/requestedRevokes/${i}`),
      ),
      activeCommits: active.map((c, i) =>
        expandPayeeCommit(c, context, `${CONTEXT}/activeCommits/${i}`),
      ),
      revokedCommits: revoked.map((c, i) =>
        expandPayeeRevoked(c, context, `${CONTEXT}/revokedCommits/${i}`),
      ),
    },
  } as ChannelPersistedSnapshot;
}

/**
 * The machine snapshot inside a snapshot text, commit records whole whatever the version,
 * without the checks of `decodeChannelSnapshot`: for reading one's own stored snapshots in
 * tools and tests, never for restoring from text of unknown origin.
 *
 * @throws {@link SnapshotError} or `SyntaxError` when the text is not a snapshot.
 */
export function readSnapshotMachine(text: string): ChannelPersistedSnapshot {
  const envelope = JSON.parse(text) as { version?: unknown; machine: ChannelPersistedSnapshot };
  if (envelope.version === SNAPSHOT_VERSION)
    return expandSnapshot(
      compactRecordObjects(unpackHex(envelope.machine, '/machine')) as ChannelPersistedSnapshot,
    );
  return envelope.version === SNAPSHOT_VERSION_UNPACKED
    ? expandSnapshot(envelope.machine)
    : envelope.machine;
}
