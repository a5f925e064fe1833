import { describe, expect, it } from 'vitest';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { ChannelManager } from '../../src/manager/channel-manager.js';
import { MemoryStore } from '../../src/runtime/store.js';
import type { Transport } from '../../src/runtime/transport.js';
import { TwoSides, payeeConfig } from './harness.js';

const IDLE = 10_000;

describe('ChannelManager: 10^4 channels', () => {
  it('follows blocks for 10^4 offered channels and two open ones, restores them all, and keeps paying', async () => {
    const sim = new SimulatedChain();
    const w = await TwoSides.create({}, sim);
    await w.openChannel('busy-a');
    await w.openChannel('busy-b');
    // Offers nobody answers: sent into a transport that drops them.
    const sink: Transport = { send: async () => undefined };
    const store = new MemoryStore();
    const idle = await ChannelManager.start({ chain: sim, store, transport: () => sink });
    const ids = Array.from({ length: IDLE }, (_, i) => `idle-${i}`);
    const started = performance.now();
    for (let i = 0; i < ids.length; i += 1000)
      await Promise.all(
        ids.slice(i, i + 1000).map((id) => idle.openPayee(payeeConfig(id, sim.height))),
      );
    const openedMs = performance.now() - started;
    expect(idle.size).toBe(IDLE);

    const blocksFrom = performance.now();
    for (let b = 0; b < 3; b++) {
      await w.payerSide.pay(b % 2 === 0 ? 'busy-a' : 'busy-b', 1_000n);
      await w.mine(1);
      await idle.idle();
    }
    const perBlockMs = (performance.now() - blocksFrom) / 3;
    for (const id of ids) expect(idle.channel(id)!.status().height).toBe(sim.height);
    expect(w.payeeSide.payee('busy-a').status().transferred).toBe(2_000n);
    expect(w.payeeSide.payee('busy-b').status().transferred).toBe(1_000n);
    await idle.stop();

    const restoredFrom = performance.now();
    const again = await ChannelManager.start({ chain: sim, store, transport: () => sink });
    const restoreMs = performance.now() - restoredFrom;
    expect(again.size).toBe(IDLE);
    sim.mine(1);
    await again.idle();
    expect(again.channel('idle-9999')!.status().height).toBe(sim.height);
    console.log(
      `10^4 channels: opened in ${openedMs.toFixed(0)} ms, ${perBlockMs.toFixed(0)} ms per block, restored and synced in ${restoreMs.toFixed(0)} ms`,
    );
  }, 180_000);
});
