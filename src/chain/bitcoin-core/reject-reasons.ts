import type { ChainErrorCode } from '../errors.js';

/**
 * The code for one of Bitcoin Core's reject reasons (`testmempoolaccept`'s `reject-reason`, or
 * the message of a `-26` error). `missing-inputs` is returned as `TX_MISSING_INPUTS`; the chain
 * then tells unknown, spent and already-confirmed apart.
 */
export function codeOfRejectReason(reason: string): ChainErrorCode {
  const head = reason.split(/[,(]/, 1)[0]!.trim();
  if (head === 'non-BIP68-final' || head === 'non-final') return 'TX_NON_FINAL';
  if (head === 'missing-inputs' || head === 'bad-txns-inputs-missingorspent') {
    return 'TX_MISSING_INPUTS';
  }
  if (
    head === 'txn-mempool-conflict' ||
    head === 'insufficient fee' ||
    head === 'bip125-replacement-disallowed' ||
    head === 'too many potential replacements' ||
    head === 'replacement-adds-unconfirmed'
  ) {
    return 'TX_CONFLICT';
  }
  if (head === 'min relay fee not met' || head === 'mempool min fee not met')
    return 'TX_FEE_TOO_LOW';
  if (head === 'dust') return 'TX_DUST_OUTPUT';
  if (
    head === 'txn-already-in-mempool' ||
    head === 'txn-already-known' ||
    head === 'txn-same-nonwitness-data-in-mempool'
  ) {
    return 'TX_ALREADY_KNOWN';
  }
  if (head === 'bad-txns-in-belowout') return 'TX_OUTPUTS_EXCEED_INPUTS';
  if (
    head === 'mandatory-script-verify-flag-failed' ||
    head === 'non-mandatory-script-verify-flag' ||
    head === 'mempool-script-verify-flag-failed' ||
    head === 'block-script-verify-flag-failed'
  ) {
    return 'TX_SCRIPT_INVALID';
  }
  if (
    [
      'tx-size',
      'tx-size-small',
      'version',
      'scriptpubkey',
      'scriptsig-size',
      'scriptsig-not-pushonly',
      'bare-multisig',
      'multi-op-return',
      'bad-txns-nonstandard-inputs',
      'bad-witness-nonstandard',
      'tx-not-standard',
    ].includes(head) ||
    head.startsWith('bad-txns-input-')
  ) {
    return 'TX_NON_STANDARD';
  }
  if (head === 'coinbase' || head.startsWith('bad-txns-')) return 'TX_MALFORMED';
  return 'TX_REJECTED';
}
