import type { ChannelWorld, Party } from './world.js';

/** A channel transaction as the chain recorded it. */
export interface LedgerTransaction {
  readonly who: Party;
  readonly label: string;
  readonly txid: string;
  /** Height of the confirming block; null while in the mempool. */
  readonly height: number | null;
  readonly fee: bigint;
}

/** Where every satoshi of a channel's world ended up. */
export interface Ledger {
  /** What the payer's wallet started with. */
  readonly funding: bigint;
  readonly deposit: bigint;
  /** The payer's P2WPKH balance: wallet change plus everything recovered from the channel. */
  readonly payer: bigint;
  /** The payee's P2WPKH balance: its payout. */
  readonly payee: bigint;
  /** Fees of every transaction on the chain. */
  readonly fees: bigint;
  /** The payer's balance minus the wallet's change: what came back from the channel. */
  readonly payerRecovered: bigint;
  /** Fees of the channel's own transactions (everything after the deposit). */
  readonly channelFees: bigint;
  readonly transactions: readonly LedgerTransaction[];
}

/** A transaction a party put on the chain, in the order it was first broadcast. */
export interface BroadcastNote {
  readonly who: Party;
  readonly label: string;
  readonly txid: string;
}

/** Reads the final balances and fees of a channel's world from its chain. */
export async function readLedger(
  world: ChannelWorld,
  broadcasts: readonly BroadcastNote[],
): Promise<Ledger> {
  const { chain } = world;
  const deposit = world.payer.context.deposit;
  const notes: BroadcastNote[] = deposit
    ? [{ who: 'payer', label: 'deposit', txid: deposit.txid }, ...broadcasts]
    : [...broadcasts];
  const transactions: LedgerTransaction[] = [];
  for (const note of notes) {
    const tx = await chain.getTransaction(note.txid);
    transactions.push({
      ...note,
      height: tx?.blockHeight ?? null,
      fee: chain.feeOf(note.txid) ?? 0n,
    });
  }
  const depositFee = transactions.find((t) => t.label === 'deposit')?.fee ?? 0n;
  const payer = chain.balanceOf(world.payerScript);
  const change = world.params.funding - world.params.depositAmount - depositFee;
  return {
    funding: world.params.funding,
    deposit: world.params.depositAmount,
    payer,
    payee: chain.balanceOf(world.payeeScript),
    fees: chain.totalFeesPaid(),
    payerRecovered: payer - change,
    channelFees: transactions.filter((t) => t.label !== 'deposit').reduce((s, t) => s + t.fee, 0n),
    transactions,
  };
}

/** Sum of the fees of the transactions with these labels. */
export function feesOf(ledger: Ledger, ...labels: string[]): bigint {
  return ledger.transactions
    .filter((t) => labels.includes(t.label))
    .reduce((sum, t) => sum + t.fee, 0n);
}
