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

/**
 * Whether the payer may count a revoked commit as given back. A payout may spend any output at
 * the commit address that is `delay_time` old, and moves the address's balance whichever
 * output it spends; so a revocation learned while another output sits at the commit address
 * can be raced by a payee who publishes the commit and pays out of that output at once. The
 * payer keeps such a commit in its exposure and sweeps the output with the revoke path (no
 * timelock) as soon as it sees it; an output that appears later is swept before it is
 * `delay_time` old.
 *
 * @param outputs the unspent outputs at the commit address when the revoke secret arrived.
 * @param commitOutput the commit transaction's own output, when it is already published.
 */
export function assetRevocationTrusted(
  outputs: readonly AddressOutput[],
  commitOutput: Outpoint | null = null,
): boolean {
  return outputs.every(
    (output) =>
      commitOutput !== null &&
      output.txid === commitOutput.txid &&
      output.vout === commitOutput.vout,
  );
}
