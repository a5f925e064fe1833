/**
 * Commit creation (payer) and acceptance (payee): the pure `checkCommit` guard and the full
 * payee machine receiving COMMIT events.
 */
import { type Actor, createActor } from 'xstate';
import { checkCommit } from '../src/guards/payee-guards.js';
import type { Effect } from '../src/machines/effects.js';
import { payeeMachine } from '../src/machines/payee-machine.js';
import { createCommit } from '../src/transactions/commit-transaction.js';
import type { CommitFixture } from './fixtures.js';
import type { Benchmark } from './harness.js';

/** Commits per machine sample: a channel of this many payments. */
export const MACHINE_COMMITS_PER_SAMPLE = 100;

/** Payer commit creation: build and sign with `createCommit`. */
export function createCommitBenchmark(fixture: CommitFixture): Benchmark<void> {
  const params = fixture.createParams;
  return {
    name: 'createCommit (payer: build + sign)',
    run: (n) => {
      for (let i = 0; i < n; i++)
        createCommit({ ...params, amount: params.amount + BigInt(i & 1023) });
    },
  };
}

/** Payee acceptance, pure path: the `checkCommit` guard (decode, every check, verification). */
export function checkCommitBenchmark(fixture: CommitFixture): Benchmark<void> {
  const message = fixture.commits[0]!;
  return {
    name: 'checkCommit (payee guard, pure)',
    run: (n) => {
      for (let i = 0; i < n; i++) {
        const check = checkCommit(fixture.payeeContext, message);
        if (!check.ok) throw new Error(`commit refused: ${check.code} ${check.reason}`);
      }
    },
  };
}

interface MachineSample {
  readonly actor: Actor<typeof payeeMachine>;
  readonly effects: Effect[];
}

/**
 * Payee acceptance, machine path: an actor restored in the open state receives successive
 * COMMIT events (guard, context update, emitted persist/send effects, next revoke hash).
 */
export function machineCommitBenchmark(fixture: CommitFixture): Benchmark<MachineSample> {
  const snapshot: unknown = (JSON.parse(fixture.payeeSnapshot) as { machine: unknown }).machine;
  return {
    name: `payee machine COMMIT (${MACHINE_COMMITS_PER_SAMPLE} per actor)`,
    operations: MACHINE_COMMITS_PER_SAMPLE,
    prepare: () => {
      const actor = createActor(payeeMachine, {
        snapshot: snapshot as never,
        input: fixture.payeeContext,
      });
      const effects: Effect[] = [];
      actor.on('*', (effect) => effects.push(effect as Effect));
      actor.start();
      return { actor, effects };
    },
    run: (n, { actor, effects }) => {
      for (let i = 0; i < n; i++) actor.send({ type: 'COMMIT', message: fixture.commits[i]! });
      const refused = effects.find((e) => e.type === 'rejected');
      if (refused) throw new Error(`machine refused a commit: ${JSON.stringify(refused)}`);
      // The newest commits stay in the context; older ones moved to history records.
      const { activeCommits, activeDepth } = actor.getSnapshot().context;
      if (activeCommits.length + activeDepth !== n) {
        throw new Error('machine did not accept every commit');
      }
    },
  };
}
