import type { ChannelOutcome } from '../../src/machines/context.js';
import type { Effect } from '../../src/machines/effects.js';
import type { ChannelMessage } from '../../src/messages/schema.js';
import { HONEST_CHANNEL } from '../demo/honest-channel.js';
import { type ChannelParams, ChannelWorld, type Party } from '../demo/world.js';

/**
 * One step of a recorded channel run, holding only what is the same in every run: message
 * types and amounts, transaction labels, block heights and outcomes. Keys, hashes, secrets,
 * signatures and txids differ from run to run (secrets come from the CSPRNG) and never appear.
 */
export type RecordedStep =
  /** A message one party handed to the link. `again` marks a resend of the same text. */
  | {
      readonly kind: 'message';
      readonly from: Party;
      readonly message: ChannelMessage;
      readonly again: boolean;
    }
  /** A transaction a party submitted (the payer's deposit through its wallet). */
  | {
      readonly kind: 'transaction';
      readonly from: Party;
      readonly label: string;
      readonly again: boolean;
    }
  /** A block was mined; `confirms` lists the labels of channel transactions it holds. */
  | { readonly kind: 'block'; readonly height: number; readonly confirms: readonly string[] }
  /** A command the user of one party gave. */
  | { readonly kind: 'command'; readonly party: Party; readonly text: string }
  /** A party's machine reached a final state. */
  | { readonly kind: 'finished'; readonly party: Party; readonly outcome: ChannelOutcome };

/** The honest scenario's shape; the defaults are those of `npm run demo`. */
export interface HonestRunOptions {
  readonly payments: number;
  readonly paymentAmount: bigint;
  readonly givenBack: number;
}

/** What `npm run demo` plays in its honest channel. */
export const DEMO_HONEST_RUN: HonestRunOptions = {
  payments: 25,
  paymentAmount: 2_000n,
  givenBack: 5,
};

/** A recorded run and how it ended. */
export interface HonestRecording {
  readonly params: ChannelParams;
  readonly options: HonestRunOptions;
  readonly steps: readonly RecordedStep[];
  readonly outcomes: {
    readonly payer: ChannelOutcome | null;
    readonly payee: ChannelOutcome | null;
  };
  readonly transferred: bigint;
}

/**
 * Plays the demo's honest channel (same parameters, same world, same steps as
 * `runHonestChannel` in `tools/demo/`) with a recording effect listener: offer and deposit,
 * payments, a give-back with revoke-until, close by the payee, then blocks until both ends are
 * final.
 */
export async function recordHonestChannel(
  options: HonestRunOptions = DEMO_HONEST_RUN,
): Promise<HonestRecording> {
  const steps: RecordedStep[] = [];
  const sentTexts = new Set<string>();
  const txids = new Map<string, string>();
  const record = (party: Party, effect: Effect) => {
    if (effect.type === 'send') {
      const text = `${party}:${JSON.stringify(effect.message)}`;
      steps.push({
        kind: 'message',
        from: party,
        message: effect.message,
        again: sentTexts.has(text),
      });
      sentTexts.add(text);
    } else if (effect.type === 'fund-deposit') {
      // Reported after the wallet funded and broadcast the deposit.
      steps.push({ kind: 'transaction', from: party, label: 'deposit', again: false });
    } else if (effect.type === 'broadcast') {
      steps.push({
        kind: 'transaction',
        from: party,
        label: effect.label,
        again: txids.has(effect.txid),
      });
      txids.set(effect.txid, effect.label);
    } else if (effect.type === 'finished') {
      steps.push({ kind: 'finished', party, outcome: effect.outcome as ChannelOutcome });
    }
  };
  const world = await ChannelWorld.create(HONEST_CHANNEL, record);
  const command = (party: Party, text: string) => steps.push({ kind: 'command', party, text });

  // `world.mine(1)` with the block noted between mining and the parties' reactions to it.
  const mineOne = async () => {
    world.chain.mine(1);
    const height = world.chain.height;
    const deposit = world.payer.context.deposit;
    if (deposit && !txids.has(deposit.txid)) txids.set(deposit.txid, 'deposit');
    const confirms: string[] = [];
    for (const [txid, label] of txids) {
      const tx = await world.chain.getTransaction(txid);
      if (tx?.blockHeight === height) confirms.push(label);
    }
    steps.push({ kind: 'block', height, confirms });
    await world.settle();
  };

  // As `openChannel`: offer, deposit script, funding, then the block that confirms the deposit.
  await world.settle();
  if (!world.payer.context.deposit) throw new Error('the demo payer did not fund its deposit');
  await mineOne();

  for (let i = 1; i <= options.payments; i++) {
    command('payer', `pay ${options.paymentAmount} sat`);
    await world.payer.pay(options.paymentAmount);
    await world.settle();
  }
  const paid = options.paymentAmount * BigInt(options.payments);
  const keep = paid - options.paymentAmount * BigInt(options.givenBack);
  command('payee', `revoke-until ${keep} sat`);
  await world.payee.revokeUntil(keep);
  await world.settle();
  command('payee', 'close');
  await world.payee.close();
  await world.settle();
  // As `mineUntilFinal`, with the demo's limit.
  const limit = HONEST_CHANNEL.delayTime + 20;
  for (let mined = 0; !(world.payer.done && world.payee.done) && mined < limit; mined++) {
    await mineOne();
  }
  return {
    params: HONEST_CHANNEL,
    options,
    steps,
    outcomes: { payer: world.payer.status().outcome, payee: world.payee.status().outcome },
    transferred: world.payee.status().transferred,
  };
}
