import { hexToBytes } from '../bytes.js';
import type { Chain } from '../chain/chain.js';
import { ChainError } from '../chain/errors.js';
import type { PayeeContext, PayerContext } from '../machines/context.js';
import {
  type BumpableSpend,
  affordableFeeRate,
  paidFeeRate,
  readBumpableSpend,
} from './fee-bump-spend.js';
import { type FeeBumpPolicy, confirmationTarget, nextFeeRate } from './fee-bump-policy.js';

/** One unconfirmed single-signer spend of a channel, as its context records it. */
export interface PendingSpend {
  readonly label: 'payout' | 'revoke' | 'change' | 'expire';
  /** The txid and bytes the machine broadcast (and rebroadcasts). */
  readonly txid: string;
  readonly rawTx: string;
  /** Last height at which it still wins its race, `null` when it races nothing. */
  readonly deadline: number | null;
}

/**
 * The single-signer spends of a channel that wait for confirmation. A revoke's deadline is
 * the block before the payee's payout of the revoked commit becomes valid: the commit's
 * confirmation height plus its delay, minus one.
 */
export function pendingSpends(context: PayerContext | PayeeContext): PendingSpend[] {
  if (context.role === 'payee') {
    const payout = context.payout;
    return payout && payout.confirmedHeight === null
      ? [{ label: 'payout', txid: payout.txid, rawTx: payout.rawTx, deadline: null }]
      : [];
  }
  const pending: PendingSpend[] = [];
  for (const label of ['revoke', 'change', 'expire'] as const) {
    const record = context.broadcasts[label];
    if (!record || record.confirmedHeight !== null) continue;
    const confirmed = context.published?.confirmedHeight ?? null;
    const deadline =
      label === 'revoke' && confirmed !== null && context.delayTime !== null
        ? confirmed + context.delayTime - 1
        : null;
    pending.push({ label, txid: record.txid, rawTx: record.rawTx, deadline });
  }
  return pending;
}

/** What one bump did, for the manager's `fee-bumped` event. */
export interface BumpReport {
  readonly label: PendingSpend['label'];
  /** The version replaced (the machine's own or an earlier bump). */
  readonly replaced: string;
  readonly txid: string;
  readonly feeRate: number;
  readonly fee: bigint;
  /** `null`: accepted; otherwise the chain's refusal (the next block tries higher). */
  readonly refusal: ChainError | null;
}

/** The newest version offered of one spend. */
interface Offered {
  /** The machine's txid this version stands for. */
  readonly original: string;
  readonly txid: string;
  /** Its bytes, `null` while it is the machine's own version. */
  readonly rawTx: Uint8Array | null;
  readonly rate: number;
  /** Height at which it was offered (or first seen unconfirmed). */
  readonly since: number;
}

/**
 * Re-signs the single-signer spends of channels at higher fee rates while they stay
 * unconfirmed (see {@link nextFeeRate}). It keeps only the newest version offered of each
 * spend, in memory: after a restart the schedule starts again from the machine's own bytes,
 * and a deadline's rate depends only on the blocks left, so nothing is lost.
 *
 * The machines need not know: when a replacement confirms, they recognise it as their own
 * spend by its unlocking script and record it.
 */
export class FeeBumper {
  private readonly offered = new Map<string, Offered>();

  constructor(
    private readonly chain: Chain,
    private readonly policy: FeeBumpPolicy,
  ) {}

  /**
   * Looks at one channel's unconfirmed spends at tip `height`; re-signs and broadcasts those
   * that are due. Chain failures other than a refusal are thrown.
   */
  async bump(
    channelId: string,
    context: PayerContext | PayeeContext,
    height: number,
  ): Promise<BumpReport[]> {
    const pending = pendingSpends(context);
    const live = new Set(pending.map((p) => `${channelId}:${p.label}`));
    for (const key of this.offered.keys())
      if (key.startsWith(`${channelId}:`) && !live.has(key)) this.offered.delete(key);
    const reports: BumpReport[] = [];
    const key =
      context.role === 'payer'
        ? hexToBytes(context.payerPrivateKey)
        : hexToBytes(context.payeePrivateKey);
    for (const spend of pending) {
      const report = await this.bumpOne(`${channelId}:${spend.label}`, spend, key, height);
      if (report) reports.push(report);
    }
    return reports;
  }

  /** True while some spend has a bumped version offered. */
  get bumping(): boolean {
    for (const offered of this.offered.values()) if (offered.rawTx) return true;
    return false;
  }

  /**
   * The newest version of the spend whose machine-built txid is `txid`, when a bump replaced
   * it: the machine's rebroadcasts go out as that version (so they are not refused as a
   * replacement paying too little). `null` when nothing replaced it.
   */
  newestVersionOf(txid: string): Uint8Array | null {
    for (const offered of this.offered.values())
      if (offered.original === txid && offered.rawTx) return offered.rawTx;
    return null;
  }

  /** Forgets a channel (it finished or was dropped). */
  forget(channelId: string): void {
    for (const key of this.offered.keys())
      if (key.startsWith(`${channelId}:`)) this.offered.delete(key);
  }

  private async bumpOne(
    slot: string,
    pending: PendingSpend,
    privateKey: Uint8Array,
    height: number,
  ): Promise<BumpReport | null> {
    const spend = readBumpableSpend(hexToBytes(pending.rawTx));
    if (!spend) return null;
    const output = await this.chain.getOutput(spend.outpoint);
    // Spent in a block (by this spend or another): the machine takes it from here.
    if (output === null) return null;
    let offered = this.offered.get(slot);
    if (!offered || offered.original !== pending.txid) {
      offered = {
        original: pending.txid,
        txid: pending.txid,
        rawTx: null,
        rate: paidFeeRate(spend, output.value),
        since: height,
      };
      this.offered.set(slot, offered);
    }
    const blocksLeft = pending.deadline === null ? null : pending.deadline - height;
    const estimate = this.chain.estimateFeeRate
      ? await this.chain.estimateFeeRate(confirmationTarget(blocksLeft))
      : null;
    const relayFloor = this.chain.relayPolicy
      ? (await this.chain.relayPolicy()).minRelayFeeRate
      : 1;
    const wanted = nextFeeRate(
      {
        currentRate: offered.rate,
        waited: height - offered.since,
        blocksLeft,
        estimate,
        relayFloor,
      },
      this.policy,
    );
    if (wanted === null) return null;
    const rate = Math.min(wanted, affordableFeeRate(spend, output.value));
    if (rate <= offered.rate) return null;
    return this.offer(slot, offered, spend, output.value, rate, privateKey, height);
  }

  private async offer(
    slot: string,
    offered: Offered,
    spend: BumpableSpend,
    value: bigint,
    rate: number,
    privateKey: Uint8Array,
    height: number,
  ): Promise<BumpReport | null> {
    let signed: ReturnType<BumpableSpend['resign']>;
    try {
      signed = spend.resign(value, rate, privateKey);
    } catch {
      return null; // The output cannot pay this rate: the last version stands.
    }
    let refusal: ChainError | null = null;
    try {
      await this.chain.broadcast(signed.rawTx);
    } catch (error) {
      if (!(error instanceof ChainError) || !error.code.startsWith('TX_')) throw error;
      if (error.code !== 'TX_ALREADY_KNOWN') refusal = error;
    }
    // Refused or not, the next bump starts above this rate: a refused replacement paid too
    // little for what the mempool holds.
    this.offered.set(slot, {
      original: offered.original,
      txid: refusal ? offered.txid : signed.txid,
      rawTx: refusal ? offered.rawTx : signed.rawTx,
      rate,
      since: height,
    });
    return {
      label: spend.kind,
      replaced: offered.txid,
      txid: signed.txid,
      feeRate: rate,
      fee: signed.fee,
      refusal,
    };
  }
}
