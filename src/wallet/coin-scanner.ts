import { bytesToHex } from '../bytes.js';
import type { CoreRpcClient } from '../chain/bitcoin-core/rpc-client.js';
import { ChainError } from '../chain/errors.js';

/** An output found paying one of the wallet's scripts. */
export interface FoundCoin {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  readonly scriptHex: string;
  readonly height: number;
}

/** One main-chain block as a scanner saw it: its hash, its parent's, and the wallet's outputs in it. */
export interface ScannedBlock {
  readonly height: number;
  readonly hash: string;
  /** `null` for the lowest block a node serves. */
  readonly previousHash: string | null;
  readonly coins: readonly FoundCoin[];
}

/** Reads main-chain blocks for outputs paying given scripts. */
export interface CoinScanner {
  /** Tip height. */
  height(): Promise<number>;
  /** Hash of the main-chain block at `height`, `null` when there is none (above the tip, pruned). */
  blockHash(height: number): Promise<string | null>;
  /** The main-chain block at `height` with its outputs whose script is in `scripts` (hex); `null` when there is none. */
  block(height: number, scripts: ReadonlySet<string>): Promise<ScannedBlock | null>;
}

const HASH = /^[0-9a-f]{64}$/;

/** BTC amount as Core prints it (a JSON number with at most 8 decimals) to satoshis. */
export function btcToSatoshis(value: unknown): bigint | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const [whole, fraction = ''] = value.toFixed(8).split('.');
  return BigInt(whole!) * 100_000_000n + BigInt(fraction.padEnd(8, '0'));
}

interface BlockJson {
  hash?: unknown;
  previousblockhash?: unknown;
  tx?: {
    txid?: unknown;
    vout?: { n?: unknown; value?: unknown; scriptPubKey?: { hex?: unknown } }[];
  }[];
}

/**
 * A {@link CoinScanner} over Bitcoin Core's (or the simnet's) JSON-RPC: `getblockhash` and
 * `getblock` at verbosity 2. Needs neither a node wallet nor a transaction index.
 */
export class CoreRpcCoinScanner implements CoinScanner {
  constructor(private readonly rpc: CoreRpcClient) {}

  async height(): Promise<number> {
    return Number(await this.rpc.call('getblockcount'));
  }

  async blockHash(height: number): Promise<string | null> {
    try {
      const hash = await this.rpc.call('getblockhash', [height]);
      if (typeof hash !== 'string' || !HASH.test(hash))
        throw new ChainError('NODE_BAD_RESPONSE', 'getblockhash did not answer a hash');
      return hash;
    } catch (error) {
      // Out of range: above the tip, or below what a pruned or simulated node serves.
      if (error instanceof ChainError && error.code === 'NODE_RPC_ERROR' && error.rpcCode === -8)
        return null;
      throw error;
    }
  }

  async block(height: number, scripts: ReadonlySet<string>): Promise<ScannedBlock | null> {
    const hash = await this.blockHash(height);
    if (hash === null) return null;
    const block = (await this.rpc.call('getblock', [hash, 2])) as BlockJson;
    const previous = block?.previousblockhash;
    if (block?.hash !== hash || !(previous === undefined || HASH.test(String(previous))))
      throw new ChainError('NODE_BAD_RESPONSE', `getblock ${hash} answered another block`);
    const coins: FoundCoin[] = [];
    for (const tx of block.tx ?? []) {
      if (typeof tx.txid !== 'string') continue;
      for (const out of tx.vout ?? []) {
        const hex = out.scriptPubKey?.hex;
        const value = btcToSatoshis(out.value);
        if (typeof hex !== 'string' || value === null || typeof out.n !== 'number') continue;
        if (scripts.has(hex.toLowerCase()))
          coins.push({ txid: tx.txid, vout: out.n, value, scriptHex: hex.toLowerCase(), height });
      }
    }
    return { height, hash, previousHash: previous === undefined ? null : String(previous), coins };
  }
}

/** Hex of a script, the key {@link CoinScanner.block} matches on. */
export const scriptKey = (script: Uint8Array): string => bytesToHex(script);
