/**
 * The relay policy a node applies to the transactions it is given, as the engine needs it to
 * choose fee rates that the node accepts.
 */

/** What a chain says about its relay policy (see `Chain.relayPolicy`). */
export interface RelayPolicy {
  /**
   * Lowest fee rate (sat/vB) the node relays now: the larger of its `-minrelaytxfee` and its
   * mempool's minimum fee (which rises when the mempool is full).
   */
  readonly minRelayFeeRate: number;
  /**
   * Fee rate (sat/vB) behind the node's dust thresholds (`-dustrelayfee`); Core does not report
   * it over RPC, so adapters give its default, 3 sat/vB, the rate behind the engine's dust thresholds.
   */
  readonly dustRelayFeeRate: number;
}

/** Bitcoin Core's default `-dustrelayfee`, in sat/vB (the engine's dust thresholds use it). */
export const DEFAULT_DUST_RELAY_FEE_RATE = 3;
