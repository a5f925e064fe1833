import { runChainConformance } from './suite.js';

runChainConformance(
  'SimulatedChain',
  async (sim) => ({
    chain: sim,
    sim,
    reportsRejectReason: false,
    reportsBlockHash: false,
    close: async () => undefined,
  }),
  { behindNode: false },
);
