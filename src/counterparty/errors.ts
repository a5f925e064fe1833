import { PicopaymentsError } from '../errors.js';

/** Stable codes of {@link CounterpartyError}. */
export type CounterpartyErrorCode =
  /** An asset name breaks the naming rules (characters, length, leading `A`, numeric form). */
  | 'ASSET_NAME_INVALID'
  /** An asset id names no asset: below 26³ (other than 0 and 1), 26¹², or above 2⁶⁴−1. */
  | 'ASSET_ID_INVALID'
  /** BTC cannot be moved by a Counterparty send. */
  | 'ASSET_NOT_SENDABLE'
  /** A quantity that is not a positive bigint (encoding) or not a bigint at all. */
  | 'QUANTITY_INVALID'
  /** A quantity above 2⁶³−1, the largest Counterparty stores. */
  | 'QUANTITY_OVERFLOW'
  /** A memo longer than 34 bytes, or not bytes. */
  | 'MEMO_INVALID'
  /** An address that is not a base58 P2PKH/P2SH address of the network. */
  | 'ADDRESS_INVALID'
  /** A packed (short) address of the wrong length or an unknown kind. */
  | 'SHORT_ADDRESS_INVALID'
  /** A packed address of a kind this library does not decode (segwit, taproot). */
  | 'SHORT_ADDRESS_UNSUPPORTED'
  /** A prefix option that is not 8 ASCII bytes. */
  | 'PREFIX_INVALID'
  /** Decrypted data that does not start with the expected prefix. */
  | 'PREFIX_MISMATCH'
  /** A message or payload shorter than its layout. */
  | 'TRUNCATED'
  /** A payload longer than its layout allows. */
  | 'OVERSIZED'
  /** A message type other than classic send (0) and enhanced send (2). */
  | 'UNSUPPORTED_MESSAGE_TYPE'
  /** Bytes that are not one strict, definite-length, minimally encoded CBOR item. */
  | 'CBOR_MALFORMED'
  /** Well-formed CBOR that is not `[uint, uint, bytes, bytes | null]`. */
  | 'CBOR_SHAPE'
  /** More than 80 bytes for an OP_RETURN carrier. */
  | 'DATA_TOO_LONG'
  /** A txid that is not 64 hex characters. */
  | 'TXID_INVALID'
  /** An OP_RETURN output that is not `OP_RETURN <one push>`. */
  | 'OP_RETURN_MALFORMED'
  /** A transaction that carries no Counterparty data. */
  | 'NOT_COUNTERPARTY'
  /** Counterparty data carried another way (bare multisig, P2PKH, taproot envelope). */
  | 'UNSUPPORTED_ENCODING'
  /** An output Counterparty's parser does not recognise, which voids the whole transaction. */
  | 'UNRECOGNISED_OUTPUT'
  /** The bytes are not exactly one well-formed transaction. */
  | 'TX_MALFORMED'
  /** The first input's previous output cannot make a source (signature hash, script kind). */
  | 'SOURCE_INVALID'
  /** The previous output a transaction's first input spends is unknown. */
  | 'PREVOUT_UNKNOWN'
  /** A Counterparty Core API that cannot be reached or answers with an error status. */
  | 'LEDGER_UNAVAILABLE'
  /** A Counterparty Core API answer that is not the JSON it documents. */
  | 'LEDGER_BAD_RESPONSE'
  /**
   * An asset channel address holds an output that lets a party move the address's asset earlier
   * than the channel allows (Counterparty balances follow addresses, timelocks follow outputs).
   */
  | 'CHANNEL_ADDRESS_REUSED'
  /** A bad option or argument (network name, dust value, non-bytes input). */
  | 'INVALID_ARGUMENT';

/** Malformed Counterparty data, asset names, quantities or addresses. */
export class CounterpartyError extends PicopaymentsError<CounterpartyErrorCode> {}
