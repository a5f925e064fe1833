import type { Chain, SimulatedChain } from '../../../src/chain/index.js';
import { type Simnet, type SimnetOptions, startSimnet } from '../../../src/simnet/index.js';
import type { ConformanceSubject } from './suite.js';

/**
 * A subject whose chain talks to a simnet over loopback HTTP; `stop`/`start` close the node and
 * start it again on the same port and data directory, over the same simulated chain.
 */
export async function nodeSubject(
  sim: SimulatedChain,
  nodeOptions: Omit<SimnetOptions, 'chain'>,
  makeChain: (node: Simnet) => Chain & { close(): void },
): Promise<ConformanceSubject> {
  let node = await startSimnet({ ...nodeOptions, chain: sim });
  const { port } = node;
  const datadir = node.cookieFile.slice(0, -'/.cookie'.length);
  const chain = makeChain(node);
  return {
    chain,
    sim,
    reportsRejectReason: true,
    reportsBlockHash: true,
    node: {
      stop: () => node.close(),
      start: async () => {
        node = await startSimnet({ ...nodeOptions, chain: sim, port, datadir });
      },
    },
    close: async () => {
      chain.close();
      await node.close();
    },
  };
}
