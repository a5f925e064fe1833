import { afterEach, describe, expect, it } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { ChannelManager } from '../../src/manager/channel-manager.js';
import type { ManagerEvent } from '../../src/manager/events.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { PAYER_KEY, payeeConfig, payerConfig } from './harness.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function core(node: Simnet, pollIntervalMs = 60_000): BitcoinCoreChain {
  const chain = new BitcoinCoreChain({
    url: node.url,
    auth: { cookieFile: node.cookieFile },
    timeoutMs: 2000,
    retry: { retries: 0, delayMs: 10 },
    pollIntervalMs,
  });
  cleanup.push(async () => chain.close());
  return chain;
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ChannelManager over BitcoinCoreChain (simnet on loopback)', () => {
  it('hands the watches to the chain, so a deposit confirmed long before the payee heard of it is found', async () => {
    const sim = new SimulatedChain();
    const node = await startSimnet({ chain: sim });
    cleanup.push(() => node.close());
    const payerChain = core(node);
    const payeeChain = core(node, 20);
    await payerChain.getHeight();
    await payeeChain.getHeight();
    const wallet = new SingleKeyWallet(payerChain, PAYER_KEY);
    wallet.addCoin(sim.fund(wallet.outputScript, 5_000_000n), 5_000_000n);
    await payerChain.sync();
    await payeeChain.sync();
    const link = new MemoryLink();
    const events: ManagerEvent[] = [];
    const payer = await ChannelManager.start(
      {
        chain: payerChain,
        store: new MemoryStore(),
        transport: () => link.endpoint('payer'),
        wallet,
      },
      (e) => events.push(e),
    );
    const payee = await ChannelManager.start(
      { chain: payeeChain, store: new MemoryStore(), transport: () => link.endpoint('payee') },
      (e) => events.push(e),
    );
    cleanup.push(async () => {
      await payer.stop();
      await payee.stop();
    });
    link.attach('payer', (text) => payer.receive(text).then(() => undefined));
    link.attach('payee', (text) => payee.receive(text).then(() => undefined));
    const since = sim.height;
    await payer.createPayer(payerConfig('core-1', since, 300_000n));
    await payee.openPayee(payeeConfig('core-1', since));
    // The offer reaches the payer, which funds the deposit; its answers are held back.
    await link.deliverOne(link.queue.shift()!);
    const held = link.queue.splice(0);
    const deposit = payer.payer('core-1').context.deposit!;
    sim.mine(1);
    const depositHeight = sim.height;
    sim.mine(10);
    // A chain that was never told about the deposit does not find it (older than its lookback).
    expect(await core(node).getTransaction(deposit.txid)).toBeNull();

    for (const m of held) await link.deliverOne(m);
    await payee.syncAll();
    expect(payee.payee('core-1').status().state).toBe('open');
    const opened = events.find((e) => e.type === 'channel-opened' && e.role === 'payee');
    expect(opened).toMatchObject({ depositValue: 300_000n, height: depositHeight });

    // The payee's follower polls the node by itself: a new block is seen without any call.
    const before = payee.payee('core-1').status().height;
    sim.mine(1);
    await until(() => payee.payee('core-1').status().height > before, 5000);
    expect(payee.payee('core-1').status().height).toBe(sim.height);
  }, 30_000);
});
