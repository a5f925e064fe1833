/**
 * Child process of the group-commit kill test: many channels write at once, so that their
 * writes share batches. Each round, every key appends its next record (and now and then
 * compacts); each write prints `ack <key index> <seq>` when its promise resolves, i.e. when the
 * store says it is durable. With `early`, the control, the ack is printed before the write is
 * awaited: a store that acknowledged before committing would look like that, and the parent
 * must catch it. The parent kills this process at a random moment.
 */
import { StoreError } from '../../src/storage/errors.js';
import type { LogStore } from '../../src/storage/log-store.js';
import { type GroupKillSpec, groupKey, headOf } from './group-kill-scenario.js';
import { openStore } from './kill-scenario.js';

/** Retries a write the previous child's dying connection still locks (PostgreSQL only). */
async function retryLocked(write: () => Promise<void>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'STORE_LOCKED') || i > 250) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.GROUP_KILL_SPEC!) as GroupKillSpec;
  const store = (await openStore(spec.store)) as unknown as LogStore;
  const heads = await Promise.all(
    Array.from({ length: spec.keys }, (_, i) => headOf(store, groupKey(i))),
  );
  process.stdout.write('ready\n');
  for (;;) {
    await Promise.all(
      heads.map(async (head, i) => {
        const seq = head + 1;
        const key = groupKey(i);
        const write = async () => {
          await retryLocked(() => store.append(key, seq, `record ${seq}`));
          if (seq % 4 === 0) await retryLocked(() => store.compact(key, `snapshot ${seq}`, seq));
        };
        if (spec.early) {
          process.stdout.write(`ack ${i} ${seq}\n`);
          await write();
        } else {
          await write();
          process.stdout.write(`ack ${i} ${seq}\n`);
        }
        heads[i] = seq;
      }),
    );
  }
}

main().catch((error: unknown) => {
  process.stdout.write(`error ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
