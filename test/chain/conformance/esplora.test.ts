import { EsploraChain } from '../../../src/chain/index.js';
import { nodeSubject } from './node-subject.js';
import { runChainConformance } from './suite.js';

runChainConformance(
  'EsploraChain → simnet',
  (sim) =>
    nodeSubject(
      sim,
      {},
      (node) =>
        new EsploraChain({
          baseUrl: node.esploraUrl,
          pollIntervalMs: 25,
          retry: { retries: 1, delayMs: 20 },
          timeoutMs: 2000,
        }),
    ),
  { behindNode: true },
);
