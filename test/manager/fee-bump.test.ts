import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BitcoinCoreChain } from '../../src/chain/bitcoin-core/bitcoin-core-chain.js';
import { SimulatedChain } from '../../src/chain/simulated-chain.js';
import { ChannelManager, type ChannelManagerOptions } from '../../src/manager/channel-manager.js';
import type { ManagerEvent } from '../../src/manager/events.js';
import {
  type BumpSituation,
  feeBumpPolicy,
  nextFeeRate,
} from '../../src/manager/fee-bump-policy.js';
import { readBumpableSpend } from '../../src/manager/fee-bump-spend.js';
import { buildCommitScript } from '../../src/scripts/commit-script.js';
import { hash160 } from '../../src/scripts/hash.js';
import { buildAssetRevokeTransaction } from '../../src/transactions/asset-spends.js';
import { publicKeyOf } from '../../src/transactions/keys.js';
import { decodeTransaction, encodeTransaction } from '../../src/transactions/raw-transaction.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { MemoryLink } from '../../src/runtime/transport.js';
import { SingleKeyWallet } from '../../src/runtime/wallet.js';
import { type Simnet, startSimnet } from '../../src/simnet/index.js';
import { bitcoreScriptVerifier } from '../support/bitcore-verifier.js';
import { propertyConfig } from '../support/property-config.js';
import { PAYEE_SCRIPT, PAYER_KEY, PAYER_SCRIPT, payeeConfig, payerConfig } from './harness.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const policy = feeBumpPolicy();

describe('fee bump schedule', () => {
  it('waits `patience` blocks without a deadline, then steps up by `step`, the estimate or the floor', () => {
    const base = { currentRate: 2, blocksLeft: null, estimate: null, relayFloor: 1 };
    expect(nextFeeRate({ ...base, waited: 1 }, policy)).toBeNull();
    expect(nextFeeRate({ ...base, waited: 2 }, policy)).toBe(3);
    expect(nextFeeRate({ ...base, waited: 2, estimate: 12 }, policy)).toBe(12);
    expect(nextFeeRate({ ...base, waited: 2, relayFloor: 5 }, policy)).toBe(7);
    expect(nextFeeRate({ ...base, currentRate: 500, waited: 9 }, policy)).toBeNull();
  });

  it('with a deadline: bumps at every block and reaches the ceiling in the last one', () => {
    const base = { currentRate: 2, waited: 1, estimate: null, relayFloor: 1 };
    expect(nextFeeRate({ ...base, waited: 0, blocksLeft: 1 }, policy)).toBeNull();
    expect(nextFeeRate({ ...base, blocksLeft: 1 }, policy)).toBe(500);
    expect(nextFeeRate({ ...base, blocksLeft: 0 }, policy)).toBe(500);
    expect(nextFeeRate({ ...base, blocksLeft: 2 }, policy)).toBe(250);
    expect(nextFeeRate({ ...base, blocksLeft: 100 }, policy)).toBe(3);
  });

  it('refuses bad options', () => {
    expect(() => feeBumpPolicy({ patience: 0 })).toThrow(RangeError);
    expect(() => feeBumpPolicy({ step: 1 })).toThrow(RangeError);
    expect(() => feeBumpPolicy({ maxFeeRate: Number.NaN })).toThrow(RangeError);
  });

  it('every bump pays more than the last by the relay floor, and sooner deadlines never pay less', () => {
    const situation = fc.record({
      currentRate: fc.double({ min: 0, max: 600, noNaN: true }),
      waited: fc.integer({ min: 0, max: 20 }),
      blocksLeft: fc.option(fc.integer({ min: -3, max: 300 }), { nil: null }),
      estimate: fc.option(fc.double({ min: 0, max: 800, noNaN: true }), { nil: null }),
      relayFloor: fc.double({ min: 0, max: 20, noNaN: true }),
    });
    fc.assert(
      fc.property(situation, (s: BumpSituation) => {
        const rate = nextFeeRate(s, policy);
        if (rate !== null) {
          expect(rate).toBeGreaterThan(s.currentRate);
          expect(rate).toBeLessThanOrEqual(policy.maxFeeRate);
          if (rate < policy.maxFeeRate)
            expect(rate).toBeGreaterThanOrEqual(s.currentRate + s.relayFloor - 1e-9);
        } else if (s.currentRate < policy.maxFeeRate - 0.01) {
          // Only an undue spend is left alone below the ceiling.
          expect(s.blocksLeft === null ? s.waited < policy.patience : s.waited < 1).toBe(true);
        }
        if (s.blocksLeft !== null && s.blocksLeft > -3 && rate !== null) {
          const sooner = nextFeeRate({ ...s, blocksLeft: s.blocksLeft - 1 }, policy);
          expect(sooner ?? 0).toBeGreaterThanOrEqual(rate);
        }
      }),
      propertyConfig('manager: fee bump schedule', 300),
    );
  });
});

function core(node: Simnet): BitcoinCoreChain {
  const chain = new BitcoinCoreChain({
    url: node.url,
    auth: { cookieFile: node.cookieFile },
    timeoutMs: 5000,
    retry: { retries: 0, delayMs: 10 },
    pollIntervalMs: 3_600_000,
  });
  cleanup.push(async () => chain.close());
  return chain;
}

/** A payer and a payee manager, each over its own BitcoinCoreChain to one simnet. */
async function world(extra: Partial<ChannelManagerOptions> = {}) {
  const sim = new SimulatedChain({ replaceByFee: true, verifyScript: bitcoreScriptVerifier });
  const node = await startSimnet({ chain: sim });
  cleanup.push(() => node.close());
  const payerChain = core(node);
  const payeeChain = core(node);
  const wallet = new SingleKeyWallet(payerChain, PAYER_KEY);
  wallet.addCoin(sim.fund(wallet.outputScript, 5_000_000n), 5_000_000n);
  await payerChain.sync();
  await payeeChain.sync();
  const link = new MemoryLink();
  const events: ManagerEvent[] = [];
  const payeeStore = new MemoryStore({ keepVersions: true });
  const payerStore = new MemoryStore();
  const start = async (role: 'payer' | 'payee') =>
    ChannelManager.start(
      role === 'payer'
        ? {
            chain: payerChain,
            store: payerStore,
            transport: () => link.endpoint('payer'),
            wallet,
            ...extra,
          }
        : {
            chain: payeeChain,
            store: payeeStore,
            transport: () => link.endpoint('payee'),
            ...extra,
          },
      (e) => events.push(e),
    );
  const w = {
    sim,
    node,
    link,
    events,
    payeeStore,
    payer: await start('payer'),
    payee: await start('payee'),
    async restartPayee() {
      await w.payee.stop();
      w.payee = await start('payee');
    },
    /** A new payer manager from the same store: bump versions held in memory are gone. */
    async restartPayer() {
      await w.payer.stop();
      w.payer = await start('payer');
    },
    async settle() {
      for (let i = 0; i < 50; i++) {
        await w.payer.syncAll();
        await w.payee.syncAll();
        if ((await link.deliver()) === 0) return;
      }
      throw new Error('messages kept flowing');
    },
    async mine(count = 1) {
      for (let i = 0; i < count; i++) {
        sim.mine(1);
        await w.settle();
      }
    },
    of<T extends ManagerEvent['type']>(type: T) {
      return events.filter((e): e is Extract<ManagerEvent, { type: T }> => e.type === type);
    },
  };
  link.attach('payer', (text) => w.payer.receive(text).then(() => undefined));
  link.attach('payee', (text) => w.payee.receive(text).then(() => undefined));
  cleanup.push(async () => {
    await w.payer.stop();
    await w.payee.stop();
  });
  return w;
}

async function openChannel(
  w: Awaited<ReturnType<typeof world>>,
  id: string,
  deposit: bigint,
  delayTime = 5,
) {
  // Final after one confirmation: the tests are about reaching it, not about reorganisations.
  const finalityDepth = 1;
  await w.payer.createPayer({
    ...payerConfig(id, w.sim.height, deposit),
    delayTime,
    finalityDepth,
  });
  await w.payee.openPayee({ ...payeeConfig(id, w.sim.height), finalityDepth });
  await w.settle();
  await w.mine(1);
  expect(w.payer.payer(id).status().state).toBe('open');
}

describe('ChannelManager: fee bumping over BitcoinCoreChain (simnet on loopback, full RBF)', () => {
  it('re-signs a late revoke faster as its deadline nears; it confirms before the payout could', async () => {
    const w = await world();
    await openChannel(w, 'bump-revoke', 400_000n, 9);
    for (const amount of [10_000n, 20_000n, 30_000n]) {
      await w.payer.pay('bump-revoke', amount);
      await w.settle();
    }
    const key = w.payee.storeKeyOf('bump-revoke');
    const stale = w.payeeStore.versions(key).at(-1)!;
    await w.payee.revokeUntil('bump-revoke', 10_000n);
    await w.settle();
    // The payee comes back from a stale snapshot and publishes the commit it gave back.
    await w.payeeStore.save(key, stale);
    await w.restartPayee();
    await w.payee.close('bump-revoke');
    const published = w.payee.payee('bump-revoke').context.published!;
    // The commit confirms before the payer looks; then blocks fill up with 40 sat/vB and more.
    w.sim.mine(1);
    const commitHeight = w.sim.height;
    w.sim.miningFeeRate = 40;
    await w.settle();
    const payer = () => w.payer.payer('bump-revoke');
    const first = payer().context.broadcasts.revoke!;
    expect(first.confirmedHeight).toBeNull();
    const deadline = commitHeight + payer().context.delayTime! - 1;
    const revoked = () => payer().status().state.includes('commitOutput.done');
    let restartedAt = -1;
    for (let i = 0; i < 20 && !revoked(); i++) {
      await w.mine(1);
      // After the first bump the payer restarts: the schedule goes on from the machine's bytes.
      if (restartedAt < 0 && w.of('fee-bumped').length > 0) {
        restartedAt = w.events.length;
        await w.restartPayer();
      }
    }
    expect(restartedAt).toBeGreaterThan(0);

    const bumps = w.of('fee-bumped').filter((e) => e.channelId === 'bump-revoke');
    expect(bumps.length).toBeGreaterThan(0);
    expect(bumps.every((e) => e.role === 'payer' && e.label === 'revoke')).toBe(true);
    expect(bumps[0]!.replaced).toBe(first.txid);
    for (let i = 1; i < bumps.length; i++) {
      expect(bumps[i]!.feeRate).toBeGreaterThan(bumps[i - 1]!.feeRate);
      // The previous bump, or (after the restart forgot it) the machine's own version.
      expect([bumps[i - 1]!.txid, first.txid]).toContain(bumps[i]!.replaced);
    }
    // Several bumps, each about twice the last: the ramp towards the deadline.
    expect(bumps.length).toBeGreaterThanOrEqual(3);
    expect(payer().status().state).toContain('commitOutput.done');
    const revoke = payer().context.broadcasts.revoke!;
    // The bumped version confirmed, in time, and the machine took it for its own.
    expect(revoke.txid).toBe(bumps.at(-1)!.txid);
    expect(revoke.confirmedHeight).toBeLessThanOrEqual(deadline);
    const recovered = w.of('funds-recovered').find((e) => e.label === 'revoke')!;
    expect(recovered.amount + bumps.at(-1)!.fee).toBe(BigInt(published.amount));
    expect(w.sim.balanceOf(PAYEE_SCRIPT)).toBe(0n);
    expect(w.of('channel-error')).toEqual([]);
    // Until the restart no version was refused; after it, only the machine's own bytes were
    // (a cheaper spend than the one the mempool holds), and the next bump went through.
    const refused = w.events.filter((e) => e.type === 'broadcast-refused');
    expect(refused.filter((e) => w.events.indexOf(e) < restartedAt)).toEqual([]);
    expect(refused.every((e) => e.type === 'broadcast-refused' && e.txid === first.txid)).toBe(
      true,
    );
  }, 60_000);

  it('bumps a payout and a change without a deadline after `patience` blocks, to the fee estimate', async () => {
    const w = await world({ feeBumping: { patience: 2 } });
    await openChannel(w, 'bump-close', 300_000n);
    await w.payer.pay('bump-close', 50_000n);
    await w.settle();
    await w.payee.close('bump-close');
    await w.settle();
    await w.mine(1);
    // From now on blocks take 12 sat/vB and more; the node's estimate says so too.
    w.sim.miningFeeRate = 12;
    w.node.setFeeRate(12);
    const payee = () => w.payee.payee('bump-close');
    const payer = () => w.payer.payer('bump-close');
    for (let i = 0; i < 30 && !(payee().done && payer().done); i++) await w.mine(1);

    expect(payee().status().outcome).toBe('paid-out');
    expect(payer().status().outcome).toBe('settled');
    const bumps = w.of('fee-bumped');
    const payout = bumps.filter((e) => e.label === 'payout');
    const change = bumps.filter((e) => e.label === 'change');
    expect(payout.map((e) => [e.role, e.feeRate])).toEqual([['payee', 12]]);
    expect(change.map((e) => [e.role, e.feeRate])).toEqual([['payer', 12]]);
    // Each was offered `patience` blocks after the machine's own version.
    expect(payee().context.payout!.txid).toBe(payout[0]!.txid);
    expect(payer().context.broadcasts.change!.txid).toBe(change[0]!.txid);
    const paid = w.of('funds-recovered').find((e) => e.label === 'payout')!;
    expect(paid.amount + payout[0]!.fee).toBe(50_000n);
    expect(w.sim.balanceOf(PAYEE_SCRIPT)).toBe(paid.amount);
    expect(w.sim.balanceOf(PAYER_SCRIPT)).toBeGreaterThan(0n);
    expect(w.of('channel-error')).toEqual([]);
  }, 60_000);
});

describe('readBumpableSpend', () => {
  it('re-signs an asset-mode spend at a higher rate with the same classic send', () => {
    const payerKey = new Uint8Array(32).fill(7);
    const payeeKey = new Uint8Array(32).fill(9);
    const commitScript = buildCommitScript({
      payerPubkey: publicKeyOf(payerKey),
      payeePubkey: publicKeyOf(payeeKey),
      spendSecretHash: new Uint8Array(20).fill(1),
      revokeSecretHash: hash160(new Uint8Array(32).fill(3)),
      delayTime: 5,
    });
    const revoke = buildAssetRevokeTransaction({
      outpoint: { txid: 'ab'.repeat(32), vout: 0 },
      value: 30_000n,
      destinationScript: PAYER_SCRIPT,
      feeRate: 2,
      privateKey: payerKey,
      commitScript,
      revokeSecret: new Uint8Array(32).fill(3),
      quantity: 1_234n,
      terms: { asset: 'PICOTOKEN' },
    });
    const spend = readBumpableSpend(revoke.rawTx)!;
    expect(spend.kind).toBe('revoke');
    const bumped = spend.resign(30_000n, 10, payerKey);
    expect(bumped.fee).toBeGreaterThan(revoke.fee);
    const before = decodeTransaction(revoke.rawTx).outputs;
    const after = decodeTransaction(bumped.rawTx).outputs;
    expect(after).toHaveLength(2);
    expect(after[1]).toEqual(before[1]);
    expect(after[0]!.script).toEqual(before[0]!.script);
    // A second output that is not a classic send makes it no spend of a channel.
    const tx = decodeTransaction(revoke.rawTx);
    const foreign = encodeTransaction({
      ...tx,
      outputs: [tx.outputs[0]!, { value: 0n, script: Uint8Array.of(0x6a, 1, 0) }],
    });
    expect(readBumpableSpend(foreign)).toBeNull();
  });

  it('reads only single-signer channel spends, and nothing from hostile bytes', () => {
    expect(readBumpableSpend(new Uint8Array())).toBeNull();
    expect(readBumpableSpend(new Uint8Array(300).fill(0xff))).toBeNull();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(readBumpableSpend(bytes)).toBeNull();
      }),
      propertyConfig('manager: bumpable spend from random bytes', 200),
    );
  });
});
