import type { AnyStateMachine } from 'xstate';
import { SnapshotError } from './errors.js';
import { checkPayeeContext } from './payee-semantics.js';
import { checkPayerContext } from './payer-semantics.js';
import type { ChannelPersistedSnapshot } from './schema.js';
import { resolveStateValue } from './state-value.js';

type Context = ChannelPersistedSnapshot['context'];
type Value = ChannelPersistedSnapshot['value'];

// The state of one region of the payer's parallel settling state.
function region(value: Value, name: string): unknown {
  return typeof value === 'object' ? (value.settling as Record<string, unknown>)?.[name] : null;
}

const hasBroadcast = (c: Context, label: string) =>
  c.role === 'payer' && Object.hasOwn(c.broadcasts, label);

// What a top-level state can only be entered with: the records the transitions into it set.
// States not listed (final ones among them) require nothing beyond the context checks.
const REQUIREMENTS: {
  readonly [role: string]: {
    readonly [state: string]: (c: Context, value: Value) => string | null;
  };
} = {
  payer: {
    awaitingOffer: (c) => (c.depositScript === null ? null : 'no terms before the offer'),
    funding: (c) =>
      c.depositScript !== null && c.deposit === null ? null : 'terms and no deposit yet',
    awaitingConfirmation: (c) => (c.deposit !== null ? null : 'a deposit'),
    open: (c) => (c.deposit !== null ? null : 'a deposit'),
    expiring: (c) => (c.deposit !== null ? null : 'a deposit'),
    settling: (c, value) => {
      if (c.published === null) return 'a published commit';
      // Both are entered together with the broadcast they then wait for.
      if (region(value, 'commitOutput') === 'revoking' && !hasBroadcast(c, 'revoke')) {
        return 'its revoke broadcast';
      }
      const recovering = region(value, 'remainder') === 'recovering';
      if (recovering && !hasBroadcast(c, 'change') && !hasBroadcast(c, 'expire')) {
        return 'its change or expire broadcast';
      }
      return null;
    },
  },
  payee: {
    offering: (c) => (c.depositScript === null ? null : 'no deposit script before the deposit'),
    awaitingFunding: (c) =>
      c.depositScript !== null && c.deposit === null ? null : 'a deposit script and no deposit yet',
    awaitingConfirmation: (c) => (c.deposit !== null ? null : 'a deposit'),
    open: (c) => (c.deposit !== null ? null : 'a deposit'),
    // Closing without an active commit ends at once; with one, the best is published on entry.
    closing: (c) => (c.published !== null ? null : 'a published commit'),
    awaitingDelay: (c) => (c.published !== null ? null : 'a published commit'),
    // The payout is built on entry; when it cannot be, the machine ends at once.
    payingOut: (c) => (c.role === 'payee' && c.payout !== null ? null : 'its payout'),
  },
};

/**
 * Checks a persisted snapshot that already matches its role's schema: the state value is a
 * state of `machine`, the status and outcome agree with it, the state has the records it can
 * only be entered with, and the context passes its role's semantic checks.
 *
 * @throws {@link SnapshotError} naming the first offending field.
 */
export function checkSnapshotSemantics(
  snapshot: ChannelPersistedSnapshot,
  machine: AnyStateMachine,
): void {
  const state = resolveStateValue(machine, snapshot.value, '/machine/value');
  const context = snapshot.context;
  if (state.final !== (snapshot.status === 'done')) {
    throw new SnapshotError(
      'SNAPSHOT_STATE',
      `status ${snapshot.status} disagrees with state ${state.top}`,
      '/machine/status',
    );
  }
  const expectedOutcome = state.final ? state.outcome : null;
  const outcomeAgrees = state.final
    ? context.outcome !== null && (expectedOutcome === null || context.outcome === expectedOutcome)
    : context.outcome === null;
  if (!outcomeAgrees) {
    throw new SnapshotError(
      'SNAPSHOT_STATE',
      `outcome ${String(context.outcome)} disagrees with state ${state.top}`,
      '/machine/context/outcome',
    );
  }
  const requirement = REQUIREMENTS[context.role]?.[state.top];
  const missing = requirement ? requirement(context, snapshot.value) : null;
  if (missing !== null) {
    throw new SnapshotError(
      'SNAPSHOT_STATE',
      `state ${state.top} needs ${missing}`,
      '/machine/value',
    );
  }
  if (context.role === 'payer') checkPayerContext(context);
  else checkPayeeContext(context);
}
