import { PicopaymentsError } from '../errors.js';

/** Stable codes of {@link ChainError}. */
export type ChainErrorCode =
  /** The bytes are not exactly one well-formed transaction (or it is oversized or a loose coinbase). */
  | 'TX_MALFORMED'
  /** A transaction with this txid is already in the mempool or a block. */
  | 'TX_ALREADY_KNOWN'
  /** An input spends an output the chain does not know. */
  | 'TX_MISSING_INPUTS'
  /** An input is already spent by a mempool or confirmed transaction (no replace-by-fee). */
  | 'TX_CONFLICT'
  /** The outputs are worth more than the inputs. */
  | 'TX_OUTPUTS_EXCEED_INPUTS'
  /** The fee is below the minimum relay fee rate times the virtual size. */
  | 'TX_FEE_TOO_LOW'
  /** An output is below the dust threshold of its script type. */
  | 'TX_DUST_OUTPUT'
  /** A BIP68 relative lock or the absolute nLockTime is not met by the next block. */
  | 'TX_NON_FINAL'
  /** A time-based BIP68 relative lock (the simulation counts blocks only). */
  | 'TX_UNSUPPORTED_LOCK'
  /** The script verifier rejected an input. */
  | 'TX_SCRIPT_INVALID'
  /** A reorganisation deeper than the blocks mined since the start height (or a bad depth). */
  | 'REORG_TOO_DEEP'
  /** An outpoint the chain has never seen. */
  | 'UNKNOWN_OUTPOINT'
  /** The transaction is not standard under the node's relay policy (other than dust and fee). */
  | 'TX_NON_STANDARD'
  /** The node refused the transaction for a reason with no more specific code (kept in `rejectReason`). */
  | 'TX_REJECTED'
  /** The node cannot be reached: connection refused or reset, or no answer within the timeout. */
  | 'NODE_UNREACHABLE'
  /** The node answered a call with an error (authentication, warm-up, unknown method, bad parameter). */
  | 'NODE_RPC_ERROR'
  /** The node's answer is not what the protocol promises: malformed, oversized or of the wrong shape. */
  | 'NODE_BAD_RESPONSE'
  /** A persisted chain cursor does not parse or has the wrong shape. */
  | 'CURSOR_CORRUPT';

/** A transaction refused by the chain, or a chain operation that cannot be done. */
export class ChainError extends PicopaymentsError<ChainErrorCode> {
  /**
   * The node's own words when it refused a transaction (Bitcoin Core's reject reason, e.g.
   * `non-BIP68-final` or `min relay fee not met, 100 < 141`), or its RPC error message.
   */
  readonly rejectReason: string | undefined;
  /** Bitcoin Core's numeric RPC error code, when the node gave one. */
  readonly rpcCode: number | undefined;

  constructor(
    code: ChainErrorCode,
    message: string,
    details: { rejectReason?: string; rpcCode?: number } = {},
  ) {
    super(code, message);
    this.rejectReason = details.rejectReason;
    this.rpcCode = details.rpcCode;
  }
}
