import { bytesToHex } from '../bytes.js';
import { decodeRawTransaction } from '../chain/raw-transaction.js';
import type { SimulatedChain } from '../chain/simulated-chain.js';
import { describeScript } from './script-info.js';

/** Esplora's page sizes of `/address/:address/txs`: mempool transactions, then confirmed ones. */
export const ESPLORA_MEMPOOL_PAGE = 50;
/** Confirmed transactions per page of `/address/:address/txs` and `.../txs/chain/:last_seen`. */
export const ESPLORA_CHAIN_PAGE = 25;

/** Whether `script` pays `address` (as the node describes scripts). */
function pays(script: Uint8Array, address: string): boolean {
  return describeScript(script).address === address;
}

/** Whether the transaction `raw` pays `address` or spends an output that paid it. */
function involves(chain: SimulatedChain, raw: Uint8Array, address: string): boolean {
  const tx = decodeRawTransaction(raw);
  if (tx.outputs.some((output) => pays(output.script, address))) return true;
  return tx.inputs.some((input) => {
    const parent = chain.rawTransaction(bytesToHex(input.txid));
    const spent = parent === null ? undefined : decodeRawTransaction(parent).outputs[input.index];
    return spent !== undefined && pays(spent.script, address);
  });
}

/**
 * The transactions of `address` as Esplora lists them: those in the mempool (newest first),
 * and the confirmed ones, newest block first and, within a block, last first.
 */
export function addressTransactions(
  chain: SimulatedChain,
  address: string,
): { readonly mempool: string[]; readonly confirmed: string[] } {
  const mempool = chain
    .mempoolTxids()
    .filter((txid) => involves(chain, chain.rawTransaction(txid)!, address))
    .reverse();
  const confirmed: string[] = [];
  for (let height = chain.height; height > chain.startHeight; height--) {
    const txids = chain.block(height)?.txids ?? [];
    for (const txid of [...txids].reverse())
      if (involves(chain, chain.rawTransaction(txid)!, address)) confirmed.push(txid);
  }
  return { mempool, confirmed };
}

/** The outputs paying `address` that nothing spends, mempool ones included (`/address/:address/utxo`). */
export function addressUnspent(
  chain: SimulatedChain,
  address: string,
): { txid: string; vout: number; value: bigint; blockHeight: number | null }[] {
  return chain
    .listUnspent()
    .filter((utxo) => pays(utxo.script, address))
    .map(({ txid, vout, value, blockHeight }) => ({ txid, vout, value, blockHeight }));
}
