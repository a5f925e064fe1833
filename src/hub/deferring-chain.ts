import type { Chain } from '../chain/chain.js';
import type { JournalStore } from './journal-store.js';

/**
 * The chain as the hub's channels and wallet see it: broadcasts go through the journal, so that
 * a transaction published during a request leaves only after the request's state is durable.
 * With `followBlocks` false, `onBlock` never calls back: in a hub sharing its database with
 * other processes, channels are synced only by the chain job, under the hub's lock.
 */
export function deferringChain(chain: Chain, journal: JournalStore, followBlocks = true): Chain {
  const wrapped: Chain = {
    getHeight: () => chain.getHeight(),
    broadcast: (rawTx) => journal.broadcast(rawTx, (raw) => chain.broadcast(raw)),
    getTransaction: (txid) => chain.getTransaction(txid),
    getSpender: (outpoint) => chain.getSpender(outpoint),
    getOutput: (outpoint) => chain.getOutput(outpoint),
    onBlock: (listener) => (followBlocks ? chain.onBlock(listener) : () => undefined),
  };
  if (chain.watch) {
    const watch = chain.watch.bind(chain);
    return { ...wrapped, watch: (request) => watch(request) };
  }
  return wrapped;
}
