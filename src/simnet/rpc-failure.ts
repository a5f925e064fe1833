/** Bitcoin Core's RPC error codes that the simulated node answers with. */
export const RPC_CODES = {
  /** Generic: a verified transaction the node would not process for an unnamed reason. */
  MISC_ERROR: -1,
  /** A parameter has the wrong JSON type. */
  TYPE_ERROR: -3,
  /** Unknown block, transaction or address. */
  INVALID_ADDRESS_OR_KEY: -5,
  /** A parameter has the right type but an invalid value. */
  INVALID_PARAMETER: -8,
  /** A raw transaction or block does not decode. */
  DESERIALIZATION_ERROR: -22,
  /** Broadcast failure other than policy: missing or spent inputs, fee above the maximum. */
  VERIFY_ERROR: -25,
  /** Refused by mempool policy or consensus; the message is the reject reason. */
  VERIFY_REJECTED: -26,
  /** The transaction's outputs are already in the UTXO set. */
  VERIFY_ALREADY_IN_CHAIN: -27,
  /** JSON-RPC: the body is not JSON. */
  PARSE_ERROR: -32700,
  /** JSON-RPC: not a request object. */
  INVALID_REQUEST: -32600,
  /** JSON-RPC: no such method. */
  METHOD_NOT_FOUND: -32601,
} as const;

/** An RPC call that fails with a Core error code and message. */
export class RpcFailure extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RpcFailure';
  }
}
