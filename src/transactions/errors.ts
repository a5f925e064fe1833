import { PicopaymentsError } from '../errors.js';

/** Stable codes of {@link TransactionError}. */
export type TransactionErrorCode =
  /** The bytes are not a complete, well-formed transaction. */
  | 'TX_MALFORMED'
  /** A parameter (fee rate, amount, key, outpoint) is out of its domain. */
  | 'TX_INVALID_PARAMS'
  /** A private key is not a valid secp256k1 scalar or WIF string. */
  | 'TX_INVALID_KEY'
  /** The key does not belong to the role that must sign this spend path. */
  | 'TX_WRONG_KEY'
  /** A secret does not hash to the script's secret hash. */
  | 'TX_WRONG_SECRET'
  /** The redeem script in the transaction is not the expected one, or does not parse. */
  | 'TX_BAD_SCRIPT'
  /** The counterparty's signature is missing. */
  | 'TX_UNSIGNED'
  /** A signature is not strict DER, not low-S, or not SIGHASH_ALL. */
  | 'TX_BAD_SIGNATURE_FORMAT'
  /** A signature is well-formed but does not verify. */
  | 'TX_BAD_SIGNATURE'
  /** The transaction spends something other than the expected output, or more than it. */
  | 'TX_WRONG_INPUT'
  /** The outputs are not exactly the expected ones. */
  | 'TX_WRONG_OUTPUTS'
  /** Version, nSequence or nLockTime differ from the protocol's. */
  | 'TX_WRONG_FIELDS'
  /** The amount is below dust, or exceeds what the deposit can carry after fees. */
  | 'TX_AMOUNT_OUT_OF_RANGE'
  /** The fee rate is below the receiver's floor. */
  | 'TX_FEE_TOO_LOW'
  /** The spent value cannot cover the fee plus a non-dust output. */
  | 'TX_INSUFFICIENT_FUNDS';

/**
 * Stable codes of {@link TransactionError} that only the checks of an externally funded deposit
 * PSBT raise (see `finalizeFundedDeposit`).
 */
export type DepositPsbtErrorCode =
  /** The bytes are not a BIP174 version 0 PSBT (magic, framing, duplicate keys, trailing bytes). */
  | 'TX_PSBT_MALFORMED'
  /** The PSBT exceeds the size accepted, or its transaction exceeds the standard weight. */
  | 'TX_OVERSIZED'
  /** An input carries no previous output whose value its signature or txid commits to. */
  | 'TX_PREVOUT_MISSING'
  /**
   * An input's `non_witness_utxo` does not hash to the txid it spends, lacks the spent index, or
   * disagrees with its `witness_utxo`: the PSBT lies about what is spent.
   */
  | 'TX_PREVOUT_MISMATCH'
  /**
   * An input is of a type whose signature is not checked here (checked: P2WPKH, P2SH-P2WPKH,
   * P2PKH with a compressed key, P2TR key path).
   */
  | 'TX_UNSUPPORTED_INPUT'
  /** The fee rate is above the accepted maximum. */
  | 'TX_FEE_TOO_HIGH';

/** A transaction that cannot be built, or one handed to us that must not be relied on. */
export class TransactionError extends PicopaymentsError<
  TransactionErrorCode | DepositPsbtErrorCode
> {}
