import type { Chain, ChainTransaction, Outpoint } from '../chain/chain.js';

/**
 * The chain as the manager's channels see it: every call goes to the real chain, except that
 * during a follower round the tip height is read once for all channels instead of once per
 * channel (with a node behind the chain, one request per channel and block otherwise).
 *
 * The height is never below a confirmation a channel was just told of: an answer from a block
 * above it raises it, so a channel never sees a transaction confirmed above the tip.
 */
export class RoundChain implements Chain {
  private roundHeight: number | null = null;

  /**
   * @param substitute gives the bytes to broadcast instead of a transaction (the newest
   *   fee-bumped version of a spend), or `null` to broadcast it as it is.
   */
  constructor(
    private readonly inner: Chain,
    private readonly substitute: (rawTx: Uint8Array) => Uint8Array | null = () => null,
  ) {}

  /** Reads the tip for a round; until {@link RoundChain.endRound}, `getHeight` answers it. */
  async beginRound(): Promise<void> {
    this.roundHeight = null;
    this.roundHeight = await this.inner.getHeight();
  }

  /** Ends the round: `getHeight` asks the chain again. */
  endRound(): void {
    this.roundHeight = null;
  }

  /** {@inheritDoc Chain.getHeight} */
  async getHeight(): Promise<number> {
    return this.roundHeight ?? this.inner.getHeight();
  }

  /** {@inheritDoc Chain.broadcast} */
  broadcast(rawTx: Uint8Array): Promise<string> {
    return this.inner.broadcast(this.substitute(rawTx) ?? rawTx);
  }

  /** {@inheritDoc Chain.getTransaction} */
  async getTransaction(txid: string): Promise<ChainTransaction | null> {
    return this.seen(await this.inner.getTransaction(txid));
  }

  /** {@inheritDoc Chain.getSpender} */
  async getSpender(outpoint: Outpoint): Promise<ChainTransaction | null> {
    return this.seen(await this.inner.getSpender(outpoint));
  }

  /** {@inheritDoc Chain.getOutput} */
  getOutput(outpoint: Outpoint) {
    return this.inner.getOutput(outpoint);
  }

  /** {@inheritDoc Chain.onBlock} */
  onBlock(listener: (height: number) => void): () => void {
    return this.inner.onBlock(listener);
  }

  private seen(tx: ChainTransaction | null): ChainTransaction | null {
    const height = tx?.blockHeight;
    if (this.roundHeight !== null && height != null && height > this.roundHeight)
      this.roundHeight = height;
    return tx;
  }
}
