import { describe, expect, it } from 'vitest';
import { decodeChannelIndex, encodeChannelIndex } from '../../src/manager/channel-index.js';
import { ChannelManager } from '../../src/manager/channel-manager.js';
import type { ManagerError } from '../../src/manager/errors.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { TwoSides, payeeConfig } from './harness.js';

describe('ChannelManager: the channel index and restore', () => {
  it('restores every channel after a restart and carries on, repeating no event', async () => {
    const w = await TwoSides.create();
    await w.openChannel('one', 100_000n);
    await w.openChannel('two', 120_000n);
    await w.payerSide.pay('one', 2_000n);
    await w.settle();
    await w.payerSide.pay('two', 3_000n);
    await w.settle();
    await w.payerSide.stop();
    await w.payeeSide.stop();
    const seen = w.events.length;

    await w.restart();
    expect(w.events.length).toBe(seen);
    expect(w.payeeSide.channelIds().sort()).toEqual(['one', 'two']);
    expect(w.payerSide.payer('two').status().transferred).toBe(3_000n);
    // Without any sync loop, the restored channels follow new blocks and take payments.
    await w.mine(1);
    expect(w.payeeSide.payee('one').status().height).toBe(w.chain.height);
    await w.payerSide.pay('one', 1_500n);
    await w.settle();
    const received = w.eventsOf('payment-received', 'one');
    expect(received.map((e) => [e.amount, e.transferred])).toEqual([
      [2_000n, 2_000n],
      [1_500n, 3_500n],
    ]);
    expect(w.eventsOf('channel-opened').length).toBe(4);
    expect(w.eventsOf('channel-error')).toEqual([]);
  });

  it('keeps every saved index version valid, and coalesces the saves of concurrent opens', async () => {
    const chain = new SimulatedChain();
    const store = new MemoryStore({ keepVersions: true });
    const link = new MemoryLink();
    const manager = await ChannelManager.start({
      chain,
      store,
      transport: () => link.endpoint('payee'),
    });
    const ids = Array.from({ length: 200 }, (_, i) => `ch-${i}`);
    await Promise.all(ids.map((id) => manager.openPayee(payeeConfig(id, chain.height))));
    const versions = store.versions(manager.indexKey);
    for (const text of versions) decodeChannelIndex(text);
    expect(versions.length).toBeLessThan(10);
    const last = decodeChannelIndex(versions.at(-1)!);
    expect(last.map((e) => e.channelId).sort()).toEqual([...ids].sort());
    expect(last.every((e) => e.role === 'payee' && e.since === chain.height)).toBe(true);
    // Every offer went out after the index listing it was saved.
    expect(link.queue.length).toBe(200);
  });

  it('drops a listed channel that never saved a snapshot, and reports one that cannot be restored', async () => {
    const chain = new SimulatedChain();
    const store = new MemoryStore();
    const link = new MemoryLink();
    const first = await ChannelManager.start({
      chain,
      store,
      transport: () => link.endpoint('payee'),
    });
    await first.openPayee(payeeConfig('good', chain.height));
    await first.openPayee(payeeConfig('broken', chain.height));
    await first.stop();
    const index = decodeChannelIndex((await store.load(first.indexKey))!);
    await store.save(
      first.indexKey,
      encodeChannelIndex([...index, { channelId: 'never-saved', role: 'payee', since: 100 }]),
    );
    const snapshot = (await store.load(first.storeKeyOf('broken')))!;
    await store.save(
      first.storeKeyOf('broken'),
      snapshot.replace('"network":"regtest"', '"network":"moon"'),
    );

    const events: string[] = [];
    const second = await ChannelManager.start(
      { chain, store, transport: () => link.endpoint('payee') },
      (e) => events.push(`${e.type}:${e.channelId}:${e.type === 'channel-error' ? e.phase : ''}`),
    );
    expect(second.channelIds()).toEqual(['good']);
    expect(second.unrestored).toEqual(['broken']);
    expect(events).toEqual(['channel-error:broken:restore']);
    const saved = decodeChannelIndex((await store.load(second.indexKey))!).map((e) => e.channelId);
    // The broken channel stays listed (its funds are not forgotten); the unsaved one is gone.
    expect(saved.sort()).toEqual(['broken', 'good']);
  });

  it('refuses a corrupt index at start with INDEX_CORRUPT', async () => {
    const chain = new SimulatedChain();
    const good = encodeChannelIndex([{ channelId: 'a', role: 'payee', since: 1 }]);
    const hostile = [
      'not json',
      '[]',
      'null',
      '{}',
      good.replace('"version":1', '"version":2'),
      good.replace('picopayments-channel-index', 'other'),
      good.replace('"payee"', '"boss"'),
      good.replace('"a"', '"a b"'),
      good.replace(',1]]', ',-1]]'),
      good.replace(',1]]', ',1.5]]'),
      good.replace('[["a","payee",1]]', '[["a","payee",1],["a","payer",2]]'),
      good.replace('[["a","payee",1]]', '[["a","payee"]]'),
      good.replace('"channels"', '"extra":0,"channels"'),
      good.slice(0, -3),
    ];
    for (const text of hostile) {
      const store = new MemoryStore({ keepVersions: true });
      await store.save('picopayments:index', text);
      const started = ChannelManager.start({
        chain,
        store,
        transport: () => new MemoryLink().endpoint('payee'),
      });
      await expect(started, text).rejects.toMatchObject({
        code: 'INDEX_CORRUPT',
      } satisfies Partial<ManagerError>);
      expect(store.versions('picopayments:index')).toEqual([text]);
    }
  });

  it('keeps two managers apart in one store by namespace, and refuses bad options', async () => {
    const chain = new SimulatedChain();
    const store = new MemoryStore();
    const link = new MemoryLink();
    const a = await ChannelManager.start({
      chain,
      store,
      namespace: 'a',
      transport: () => link.endpoint('payee'),
    });
    const b = await ChannelManager.start({
      chain,
      store,
      namespace: 'b',
      transport: () => link.endpoint('payee'),
    });
    await a.openPayee(payeeConfig('same', chain.height));
    await b.openPayee(payeeConfig('same', chain.height));
    expect(a.storeKeyOf('same')).not.toBe(b.storeKeyOf('same'));
    const again = await ChannelManager.start({
      chain,
      store,
      namespace: 'a',
      transport: () => link.endpoint('payee'),
    });
    expect(again.channelIds()).toEqual(['same']);
    for (const bad of [
      { concurrency: 0 },
      { concurrency: 1.5 },
      { watchMargin: -1 },
      { namespace: 'a:b' },
      { namespace: '' },
    ])
      await expect(
        ChannelManager.start({ chain, store, transport: () => link.endpoint('payee'), ...bad }),
      ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
