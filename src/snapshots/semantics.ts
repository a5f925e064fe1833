import type { AnyStateMachine } from 'xstate';
import { SnapshotError } from './errors.js';
import { checkPayeeContext } from './payee-semantics.js';
import { checkPayerContext } from './payer-semantics.js';
import type { ChannelPersistedSnapshot } from './schema.js';
import { resolveStateValue } from './state-value.js';

type Context = ChannelPersistedSnapshot['context'];

// What a top-level state can only be entered with: the records the transitions into it set.
// States not listed (final ones among them) require nothing beyond the context checks.
const REQUIREMENTS: {
  readonly [role: string]: { readonly [state: string]: (c: Context) => string | null };
} = {
  payer: {
    awaitingOffer: (c) => (c.depositScript === null ? null : 'no terms before the offer'),
    funding: (c) =>
      c.depositScript !== null && c.deposit === null ? null : 'terms and no deposit yet',
    awaitingConfirmation: (c) => (c.deposit !== null ? null : 'a deposit'),
    open: (c) => (c.deposit !== null ? null : 'a deposit'),
    expiring: (c) => (c.deposit !== null ? null : 'a deposit'),
    settling: (c) => (c.published !== null ? null : 'a published commit'),
  },
  payee: {
    offering: (c) => (c.depositScript === null ? null : 'no deposit script before the deposit'),
    awaitingFunding: (c) =>
      c.depositScript !== null && c.deposit === null ? null : 'a deposit script and no deposit yet',
    awaitingConfirmation: (c) => (c.deposit !== null ? null : 'a deposit'),
    open: (c) => (c.deposit !== null ? null : 'a deposit'),
    closing: (c) => (c.deposit !== null ? null : 'a deposit'),
    awaitingDelay: (c) => (c.published !== null ? null : 'a published commit'),
    payingOut: (c) => (c.published !== null ? null : 'a published commit'),
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
  const missing = requirement ? requirement(context) : null;
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
