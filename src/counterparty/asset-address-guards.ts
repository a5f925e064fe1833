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
 * revoke (or sweep) of every output at the commit address, sent now, is first: no output there
 * may be spendable by a payout in the next block, and a published commit's own output must still
 * be unspent. An untrusted give-back stays in the payer's exposure; the payer still sweeps
 * whatever it can, and sweeps an output that appears later before it is `delay_time` old.
 *
 * @param outputs the unspent outputs at the commit address when the secret arrived.
 */
export function assetRevocationTrusted(
  outputs: readonly AddressOutput[],
  context: RevocationContext,
): boolean {
  const own = context.commitOutput ?? null;
  if (
    own !== null &&
    !outputs.some((output) => output.txid === own.txid && output.vout === own.vout)
  ) {
    return false;
  }
  return outputs.every(
    (output) =>
      output.blockHeight === null || context.height + 1 - output.blockHeight < context.delayTime,
  );
}
