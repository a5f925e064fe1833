import type { Outpoint } from '../chain/chain.js';
import { CounterpartyError } from './errors.js';

/**
 * An unspent output at a channel address, as a node lists them (Bitcoin Core's `scantxoutset`
 * with `addr(...)`, or the simulated chain's `listUnspent`).
 */
export interface AddressOutput extends Outpoint {
  /** Height of the block holding it; `null` in the mempool. */
  readonly blockHeight: number | null;
}

/**
 * The payee's check of an asset deposit. Counterparty moves an address's whole balance when
 * any output at that address is spent first, but a relative timelock counts from the output
 * spent: an output at the deposit address older than the deposit would let the payer expire
 * the asset before the deposit itself expires. So no other unspent output at the deposit
 * address may have confirmed before the deposit output (later ones expire later and are
 * harmless).
 *
 * @throws {@link CounterpartyError} `CHANNEL_ADDRESS_REUSED` naming the older output, or
 *   `INVALID_ARGUMENT` when the deposit is not confirmed.
 */
export function checkAssetDepositAddress(
  outputs: readonly AddressOutput[],
  deposit: Outpoint,
  depositHeight: number,
): void {
  if (!Number.isSafeInteger(depositHeight)) {
    throw new CounterpartyError('INVALID_ARGUMENT', 'the deposit must be confirmed');
  }
  for (const output of outputs) {
    if (output.txid === deposit.txid && output.vout === deposit.vout) continue;
    if (output.blockHeight !== null && output.blockHeight < depositHeight) {
      throw new CounterpartyError(
        'CHANNEL_ADDRESS_REUSED',
        `${output.txid}:${output.vout} at the deposit address confirmed before the deposit`,
      );
    }
  }
}

/** The transaction that spent an output, as an address history reports it. */
export interface AddressSpend {
  readonly txid: string;
  /** Height of the block holding it; `null` in the mempool. */
  readonly blockHeight: number | null;
}

/**
 * An output an address received, spent or not, as an address history lists it (Esplora's
 * `/address/:address/txs` with `/tx/:txid/outspends`, Electrum's `get_history`, a watch-only
 * descriptor wallet, or the simulated chain's blocks and mempool). A list of unspent outputs
 * is not enough: an output already spent by a payout no longer shows there.
 */
export interface AddressHistoryOutput extends AddressOutput {
  /** The transaction that spent it (mempool or confirmed); `null` while unspent. */
  readonly spentBy: AddressSpend | null;
}

/** What the payer knows when a revoke secret arrives. */
export interface RevocationContext {
  /** The commit transaction's own output when that commit spent the deposit, spent or not. */
  readonly commitOutput?: Outpoint | null;
  /** Height of the chain tip when the secret arrived. */
  readonly height: number;
  /** The channel's `delay_time`. */
  readonly delayTime: number;
}

/**
 * Whether the payer may count a given-back commit as revoked. A payout may spend any output at
 * the commit address that is `delay_time` old and moves the address's balance whichever output
 * it spends; the revoke path has no timelock. So the give-back is safe only when the payer's
 * revoke (or sweep) of every output at the commit address, sent now, is first:
 *
 * - no unspent output there may be spendable by a payout in the next block;
 * - no output there may have been spent already, unless its spender confirmed in a block below
 *   the commit's (an unconfirmed or unpublished commit comes after every confirmed block). Until
 *   the secret arrives only the payee can spend there, by a payout, and BTC it parked before the
 *   commit confirmed is old enough to pay out with the asset as soon as the commit credits the
 *   address: a spender in the mempool may be mined after the commit's send, and one in the
 *   commit's own block may follow it in block order;
 * - a published commit's own output must be in the history and still unspent.
 *
 * An untrusted give-back stays in the payer's exposure; the payer still sweeps whatever it can,
 * and sweeps an output that appears later before it is `delay_time` old.
 *
 * Heights are those of the chain when the secret arrived; a reorganisation can reorder a
 * spender and the commit, so a verdict is only as final as the blocks it read.
 *
 * @param history every output the commit address received, confirmed or in the mempool, when
 *   the secret arrived: at least every one still unspent and every one spent since the deposit
 *   confirmed (BTC parked before the deposit counts too).
 */
export function assetRevocationTrusted(
  history: readonly AddressHistoryOutput[],
  context: RevocationContext,
): boolean {
  const own = context.commitOutput ?? null;
  let commitHeight = Number.POSITIVE_INFINITY;
  if (own !== null) {
    const entry = history.find((output) => output.txid === own.txid && output.vout === own.vout);
    if (entry === undefined || entry.spentBy !== null) return false;
    // Unconfirmed, the commit's send comes after every confirmed spender.
    if (entry.blockHeight !== null) commitHeight = entry.blockHeight;
  }
  return history.every((output) => {
    const spender = output.spentBy;
    if (spender !== null) return spender.blockHeight !== null && spender.blockHeight < commitHeight;
    return (
      output.blockHeight === null || context.height + 1 - output.blockHeight < context.delayTime
    );
  });
}
