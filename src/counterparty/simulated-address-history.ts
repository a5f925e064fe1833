import { bytesToHex } from '../bytes.js';
import { decodeRawTransaction } from '../chain/raw-transaction.js';
import type { SimulatedChain } from '../chain/simulated-chain.js';
import type { AddressHistoryOutput } from './asset-address-guards.js';

/**
 * Every output paying `outputScript` on a {@link SimulatedChain}, spent or not: those of every
 * main-chain block in block order, then the mempool's, each with the transaction that spent it
 * (mempool or confirmed). It is the simulated counterpart of an address history service, what
 * {@link assetRevocationTrusted} needs. The chain is only read, through its public methods.
 */
export function simulatedAddressHistory(
  chain: SimulatedChain,
  outputScript: Uint8Array,
): AddressHistoryOutput[] {
  const wanted = bytesToHex(outputScript);
  const txids: string[] = [];
  for (let height = chain.startHeight + 1; height <= chain.height; height++) {
    txids.push(...(chain.block(height)?.txids ?? []));
  }
  txids.push(...chain.mempoolTxids());
  const history: AddressHistoryOutput[] = [];
  for (const txid of txids) {
    const raw = chain.rawTransaction(txid);
    if (raw === null) continue;
    decodeRawTransaction(raw).outputs.forEach((output, vout) => {
      if (bytesToHex(output.script) !== wanted) return;
      // Only the last acceptance of a spender counts: earlier ones were dropped by a reorg.
      const spender = chain
        .transactionsSpending({ txid, vout })
        .filter((record) => record.status !== 'dropped')
        .at(-1);
      history.push({
        txid,
        vout,
        blockHeight: chain.blockHeightOf(txid),
        spentBy: spender ? { txid: spender.txid, blockHeight: spender.blockHeight } : null,
      });
    });
  }
  return history;
}
