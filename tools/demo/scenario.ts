import type { ChannelOutcome } from '../../src/machines/context.js';
import type { Effect } from '../../src/machines/effects.js';
import type { CheckResult } from './checks.js';
import { sats, shortTxid } from './format.js';
import type { BroadcastNote, Ledger } from './ledger.js';
import type { Reporter } from './reporter.js';
import { type ChannelParams, ChannelWorld, type Party } from './world.js';

/** What a scenario reports back: outcomes, where the money went, and the checks. */
export interface ScenarioResult {
  readonly title: string;
  readonly outcomes: {
    readonly payer: ChannelOutcome | null;
    readonly payee: ChannelOutcome | null;
  };
  readonly ledger: Ledger;
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
}

/** Largest virtual size any channel transaction has here; with the fee rate it bounds a fee. */
export const MAX_CHANNEL_TX_VSIZE = 600n;

/**
 * Creates a channel world whose broadcasts are logged once each (parties re-broadcast until a
 * transaction confirms) and remembered for the ledger.
 */
export async function createLoggedWorld(
  params: ChannelParams,
  reporter: Reporter,
): Promise<{ world: ChannelWorld; broadcasts: BroadcastNote[] }> {
  const broadcasts: BroadcastNote[] = [];
  const seen = new Set<string>();
  let created: ChannelWorld | undefined;
  const world = await ChannelWorld.create(params, (who: Party, effect: Effect) => {
    if (effect.type !== 'broadcast' || seen.has(effect.txid)) return;
    seen.add(effect.txid);
    broadcasts.push({ who, label: effect.label, txid: effect.txid });
    // Broadcasts only happen once the world exists; the tip is where they wait for a block.
    const height = created?.chain.height ?? 0;
    reporter.transaction(who, effect.label, effect.txid, height);
  });
  created = world;
  return { world, broadcasts };
}

/** Offer, deposit and its confirmation: both ends reach `open`. */
export async function openChannel(world: ChannelWorld, reporter: Reporter): Promise<void> {
  const { params } = world;
  await world.settle();
  const deposit = world.payer.context.deposit;
  if (!deposit) throw new Error(`${params.channelId}: the payer did not fund the deposit`);
  reporter.step(
    `payee offers, payer locks ${sats(params.depositAmount)} (expire_time ${world.payer.context.expireTime}, delay_time ${world.payer.context.delayTime} blocks)`,
  );
  reporter.transaction('payer', 'deposit', deposit.txid, world.chain.height);
  await world.mine(1);
  reporter.step(
    `height ${world.chain.height}: deposit ${shortTxid(deposit.txid)} confirmed; payer ${world.payer.status().state}, payee ${world.payee.status().state}`,
  );
}

/** Mines until both ends are final, reporting how long it took. */
export async function mineUntilFinal(
  world: ChannelWorld,
  reporter: Reporter,
  limit: number,
): Promise<void> {
  const from = world.chain.height;
  await world.mineUntil(() => world.payer.done && world.payee.done, limit);
  reporter.step(
    `height ${world.chain.height}: after ${world.chain.height - from} blocks, payer ${world.payer.status().outcome ?? world.payer.status().state}, payee ${world.payee.status().outcome ?? world.payee.status().state}`,
  );
}
