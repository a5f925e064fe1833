import { bytesToHex } from '../bytes.js';
import { ChainError } from '../chain/errors.js';
import type { CoreRpcClient } from '../chain/bitcoin-core/rpc-client.js';

/** An output found paying one of the wallet's scripts. */
export interface FoundCoin {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  readonly scriptHex: string;
  readonly height: number;
}

/** Finds outputs paying given scripts in a range of blocks. */
export interface CoinScanner {
  /** Tip height. */
  height(): Promise<number>;
  /** Outputs in blocks `from..to` (inclusive) whose script is in `scripts` (hex). */
  scan(from: number, to: number, scripts: ReadonlySet<string>): Promise<FoundCoin[]>;
}

/** BTC amount as Core prints it (a JSON number with at most 8 decimals) to satoshis. */
export function btcToSatoshis(value: unknown): bigint | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const [whole, fraction = ''] = value.toFixed(8).split('.');
  return BigInt(whole!) * 100_000_000n + BigInt(fraction.padEnd(8, '0'));
}

interface BlockJson {
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

  async scan(from: number, to: number, scripts: ReadonlySet<string>): Promise<FoundCoin[]> {
    const found: FoundCoin[] = [];
    for (let height = Math.max(0, from); height <= to; height++) {
      let hash: unknown;
      try {
        hash = await this.rpc.call('getblockhash', [height]);
      } catch (error) {
        // A pruned or simulated chain may not serve the lowest heights: nothing to find there.
        if (error instanceof ChainError && error.code === 'NODE_RPC_ERROR' && error.rpcCode === -8)
          continue;
        throw error;
      }
      const block = (await this.rpc.call('getblock', [hash, 2])) as BlockJson;
      for (const tx of block.tx ?? []) {
        if (typeof tx.txid !== 'string') continue;
        for (const out of tx.vout ?? []) {
          const hex = out.scriptPubKey?.hex;
          const value = btcToSatoshis(out.value);
          if (typeof hex !== 'string' || value === null || typeof out.n !== 'number') continue;
          if (scripts.has(hex.toLowerCase()))
            found.push({ txid: tx.txid, vout: out.n, value, scriptHex: hex.toLowerCase(), height });
        }
      }
    }
    return found;
  }
}

/** Hex of a script, the key {@link CoinScanner.scan} matches on. */
export const scriptKey = (script: Uint8Array): string => bytesToHex(script);
