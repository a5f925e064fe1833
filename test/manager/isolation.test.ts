import { describe, expect, it } from 'vitest';
import type { Chain, ChainTransaction, Outpoint } from '../../src/chain/chain.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { ChannelManager } from '../../src/manager/channel-manager.js';
import { ChannelIoError } from '../../src/runtime/runtime-errors.js';
import { MemoryStore, type Store } from '../../src/runtime/store.js';
import { TwoSides, payeeConfig, payerConfig } from './harness.js';

/** The simulated chain, unreachable for the transactions and outputs in `broken`. */
class PartlyFailingChain implements Chain {
  readonly broken = new Set<string>();
  /** Reads of these never answer, as a node that accepted the request and went silent. */
  readonly hung = new Set<string>();
  constructor(private readonly inner: SimulatedChain) {}
  getHeight() {
    return this.inner.getHeight();
  }
  broadcast(rawTx: Uint8Array) {
    return this.inner.broadcast(rawTx);
  }
  async getTransaction(txid: string): Promise<ChainTransaction | null> {
    if (this.broken.has(txid)) throw new Error(`node timed out reading ${txid}`);
    if (this.hung.has(txid)) return new Promise(() => undefined);
    return this.inner.getTransaction(txid);
  }
  async getSpender(outpoint: Outpoint): Promise<ChainTransaction | null> {
    if (this.broken.has(outpoint.txid)) throw new Error(`node timed out reading ${outpoint.txid}`);
    return this.inner.getSpender(outpoint);
  }
  getOutput(outpoint: Outpoint) {
    return this.inner.getOutput(outpoint);
  }
  onBlock(listener: (height: number) => void) {
    return this.inner.onBlock(listener);
  }
}

/** A memory store whose saves fail for the keys in `broken`. */
class PartlyFailingStore implements Store {
  readonly broken = new Set<string>();
  readonly inner = new MemoryStore();
  load(key: string) {
    return this.inner.load(key);
  }
  async save(key: string, text: string) {
    if (this.broken.has(key)) throw new Error('disk full');
    return this.inner.save(key, text);
  }
}

describe('ChannelManager: one failing channel stops nothing else', () => {
  it('reports chain failures of one channel at every block and catches it up once they stop', async () => {
    const sim = new SimulatedChain();
    const w = await TwoSides.create({}, sim);
    const faulty = new PartlyFailingChain(sim);
    // The payee side reads the chain through the failing view.
    await w.payeeSide.stop();
    w.payeeSide = await ChannelManager.start(
      { chain: faulty, store: w.payeeStore, transport: () => w.link.endpoint('payee') },
      (e) => w.events.push(e),
    );
    w.link.attach('payee', (text) => w.payeeSide.receive(text).then(() => undefined));
    for (const id of ['sick', 'well']) {
      await w.payerSide.createPayer(payerConfig(id, sim.height));
      await w.payeeSide.openPayee(payeeConfig(id, sim.height));
    }
    await w.settle();
    faulty.broken.add(w.payerSide.payer('sick').context.deposit!.txid);
    await w.mine(3);
    expect(w.payeeSide.payee('well').status().state).toBe('open');
    expect(w.payeeSide.payee('well').status().height).toBe(sim.height);
    expect(w.payeeSide.payee('sick').status().state).toBe('awaitingConfirmation');
    const errors = w.eventsOf('channel-error', 'sick');
    // Once at every block: the follower goes on, and retries the channel each time.
    expect(errors.length).toBe(3);
    for (const e of errors) {
      expect(e.phase).toBe('sync');
      expect(e.error).toBeInstanceOf(ChannelIoError);
      expect((e.error as ChannelIoError).code).toBe('CHAIN_FAILED');
    }
    await w.payerSide.pay('well', 1_000n);
    await w.settle();
    expect(w.payeeSide.payee('well').status().transferred).toBe(1_000n);

    faulty.broken.clear();
    await w.mine(1);
    expect(w.payeeSide.payee('sick').status().state).toBe('open');
    expect(w.eventsOf('channel-opened', 'sick').map((e) => e.role)).toEqual(['payer', 'payee']);
    expect(w.eventsOf('channel-error', 'well')).toEqual([]);
  });

  it('goes on without a channel whose sync hangs, and reports it once', async () => {
    const sim = new SimulatedChain();
    const w = await TwoSides.create({}, sim);
    const faulty = new PartlyFailingChain(sim);
    await w.payeeSide.stop();
    w.payeeSide = await ChannelManager.start(
      {
        chain: faulty,
        store: w.payeeStore,
        transport: () => w.link.endpoint('payee'),
        syncTimeoutMs: 50,
      },
      (e) => w.events.push(e),
    );
    w.link.attach('payee', (text) => w.payeeSide.receive(text).then(() => undefined));
    for (const id of ['stuck', 'well']) {
      await w.payerSide.createPayer(payerConfig(id, sim.height));
      await w.payeeSide.openPayee(payeeConfig(id, sim.height));
    }
    await w.settle();
    faulty.hung.add(w.payerSide.payer('stuck').context.deposit!.txid);
    // Messages to the stuck channel would wait behind its sync, so only the follower runs here.
    for (let i = 0; i < 3; i++) {
      sim.mine(1);
      await w.payeeSide.idle();
    }
    expect(w.payeeSide.payee('well').status().state).toBe('open');
    expect(w.payeeSide.payee('well').status().height).toBe(sim.height);
    const errors = w.eventsOf('channel-error', 'stuck');
    expect(errors.map((e) => (e.error as { code?: string }).code)).toEqual(['SYNC_TIMEOUT']);
  });

  it('reports a store failure of one channel; the message is undone and the others carry on', async () => {
    const store = new PartlyFailingStore();
    const sim = new SimulatedChain();
    const w = await TwoSides.create({}, sim);
    await w.payeeSide.stop();
    w.payeeSide = await ChannelManager.start(
      { chain: sim, store, transport: () => w.link.endpoint('payee') },
      (e) => w.events.push(e),
    );
    w.link.attach('payee', (text) => w.payeeSide.receive(text).then(() => undefined));
    await w.openChannel('sick');
    await w.openChannel('well');
    store.broken.add(w.payeeSide.storeKeyOf('sick'));
    await w.payerSide.pay('sick', 2_000n);
    await w.payerSide.pay('well', 2_000n);
    const messages = w.link.queue.splice(0);
    for (const m of messages) {
      const routed = w.payeeSide.receive(m.text);
      if (m.text.includes('"channelId":"sick"'))
        await expect(routed).rejects.toMatchObject({ code: 'STORE_FAILED' });
      else await routed;
    }
    expect(w.payeeSide.payee('sick').status().transferred).toBe(0n);
    expect(w.payeeSide.payee('well').status().transferred).toBe(2_000n);
    const [error] = w.eventsOf('channel-error', 'sick');
    expect(error?.phase).toBe('receive');
    expect(w.eventsOf('payment-received', 'sick')).toEqual([]);
    // The store recovers; the payer's outstanding commit is sent again at the next block.
    store.broken.clear();
    await w.settle();
    await w.mine(1);
    expect(w.payeeSide.payee('sick').status().transferred).toBe(2_000n);
    expect(w.eventsOf('payment-received', 'sick').map((e) => e.amount)).toEqual([2_000n]);
  });
});

describe('ChannelManager: listeners', () => {
  it('a throwing listener stops neither the follower nor the other listeners', async () => {
    const caught: unknown[] = [];
    const w = await TwoSides.create({ onListenerError: (error) => caught.push(error) });
    w.payeeSide.onEvent(() => {
      throw new Error('listener bug');
    });
    const later: string[] = [];
    w.payeeSide.onEvent((e) => later.push(e.type));
    await w.openChannel('c1');
    await w.payerSide.pay('c1', 1_000n);
    await w.settle();
    await w.mine(2);
    expect(w.payeeSide.payee('c1').status().height).toBe(w.chain.height);
    expect(w.eventsOf('payment-received', 'c1').map((e) => e.amount)).toEqual([1_000n]);
    expect(later).toContain('payment-received');
    expect(caught.length).toBe(later.length);
    expect((caught[0] as Error).message).toBe('listener bug');
  });
});

describe('ChannelManager: index store failures', () => {
  it('refuses to open a channel whose listing cannot be saved: no offer leaves, nothing remains', async () => {
    const store = new PartlyFailingStore();
    const sim = new SimulatedChain();
    const sent: string[] = [];
    const manager = await ChannelManager.start({
      chain: sim,
      store,
      transport: () => ({ send: async (text) => void sent.push(text) }),
    });
    store.broken.add(manager.indexKey);
    await expect(manager.openPayee(payeeConfig('lost', sim.height))).rejects.toMatchObject({
      code: 'INDEX_STORE_FAILED',
    });
    expect(sent).toEqual([]);
    expect(manager.size).toBe(0);
    expect(await store.load(manager.storeKeyOf('lost'))).toBeNull();
    store.broken.clear();
    await manager.openPayee(payeeConfig('kept', sim.height));
    const listed = (await store.load(manager.indexKey))!;
    expect(listed).toContain('"kept"');
    expect(listed).not.toContain('"lost"');
    // The failed id is free again.
    await manager.openPayee(payeeConfig('lost', sim.height));
    expect(manager.channelIds().sort()).toEqual(['kept', 'lost']);
  });
});

describe('ChannelManager: an offer saved but not sent', () => {
  it('keeps the saved channel listed and reports the failure; closing it gives the offer up', async () => {
    const sim = new SimulatedChain();
    const store = new MemoryStore();
    const sent: string[] = [];
    let failNext = true;
    const manager = await ChannelManager.start({
      chain: sim,
      store,
      transport: () => ({
        send: async (text) => {
          if (failNext) {
            failNext = false;
            throw new Error('connection reset');
          }
          sent.push(text);
        },
      }),
    });
    const seen: string[] = [];
    manager.onEvent((e) =>
      seen.push(
        e.type === 'channel-error'
          ? `${e.phase}:${(e.error as { code?: string }).code}`
          : e.type === 'channel-closed'
            ? `closed:${e.outcome}`
            : e.type,
      ),
    );
    const channel = await manager.openPayee(payeeConfig('flaky', sim.height));
    expect(seen).toEqual(['open:TRANSPORT_FAILED']);
    expect(manager.channelIds()).toEqual(['flaky']);
    expect(channel.status().state).toBe('offering');
    expect(await store.load(manager.indexKey)).toContain('"flaky"');
    // The machine does not repeat an offer; the embedder gives it up and may open another.
    await manager.close('flaky');
    expect(seen).toEqual(['open:TRANSPORT_FAILED', 'closed:aborted']);
    expect(sent).toEqual([]);
  });
});
