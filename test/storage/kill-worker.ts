/**
 * Child process of the kill -9 test: restores a payer and a payee from the store under test,
 * lets them catch up (resends after a crash), then pays forever. Each time the payee has
 * persisted a higher amount it prints `ack <amount>`: the payment is acknowledged. The parent
 * kills this process at random moments.
 */
import { transferredAmount } from '../../src/machines/bookkeeping.js';
import { PayeeChannel, PayerChannel } from '../../src/runtime/channels.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { PostgresStore } from '../../src/storage/postgres-store.js';
import {
  CHANNEL_ID,
  PAYEE_KEY,
  PAYER_KEY,
  PAYMENT,
  type WorkerSpec,
  openStore,
  rebuiltChain,
} from './kill-scenario.js';

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.KILL_WORKER_SPEC!) as WorkerSpec;
  const store = await openStore(spec.store);
  if (store instanceof PostgresStore) {
    // The previous child's leases go when the server notices its connections died.
    await store.lockChannel(PAYER_KEY, { waitMs: 10_000 });
    await store.lockChannel(PAYEE_KEY, { waitMs: 10_000 });
  }
  const { chain, wallet } = await rebuiltChain(spec.depositTx);
  const link = new MemoryLink();
  let acked = -1n;
  const payee = await PayeeChannel.restore((await store.load(PAYEE_KEY))!, {
    chain,
    transport: link.endpoint('payee'),
    store,
    storeKey: PAYEE_KEY,
    onEffect: (effect) => {
      if (effect.type !== 'persist') return;
      // Called after the effect was carried out: the save has resolved, the state is durable.
      const amount = transferredAmount(payee.context.activeCommits);
      if (amount > acked) {
        acked = amount;
        process.stdout.write(`ack ${amount}\n`);
      }
    },
  });
  const payer = await PayerChannel.restore((await store.load(PAYER_KEY))!, {
    chain,
    transport: link.endpoint('payer'),
    store,
    storeKey: PAYER_KEY,
    wallet,
  });
  if (payer.context.deposit?.txid !== payee.context.deposit?.txid)
    throw new Error('deposit mismatch');
  acked = transferredAmount(payee.context.activeCommits);
  link.attach('payer', (text) => payer.receive(text).then(() => undefined));
  link.attach('payee', (text) => payee.receive(text).then(() => undefined));
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await payer.sync();
      await payee.sync();
      if ((await link.deliver()) === 0) return;
    }
  };
  await settle();
  process.stdout.write(
    `ready ${payer.status().transferred} ${payee.status().transferred} ${CHANNEL_ID}\n`,
  );
  for (;;) {
    await payer.pay(PAYMENT);
    await link.deliver();
  }
}

main().catch((error: unknown) => {
  process.stdout.write(`error ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
