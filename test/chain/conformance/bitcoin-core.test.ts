import { BitcoinCoreChain } from '../../../src/chain/index.js';
import { nodeSubject } from './node-subject.js';
import { runChainConformance } from './suite.js';

const fast = { pollIntervalMs: 25, retry: { retries: 1, delayMs: 20 }, timeoutMs: 2000 };

runChainConformance(
  'BitcoinCoreChain → simnet (cookie, no txindex)',
  (sim) =>
    nodeSubject(
      sim,
      {},
      (node) =>
        new BitcoinCoreChain({ url: node.url, auth: { cookieFile: node.cookieFile }, ...fast }),
    ),
  { behindNode: true },
);

runChainConformance(
  'BitcoinCoreChain → simnet (rpcuser/rpcpassword, txindex)',
  (sim) =>
    nodeSubject(
      sim,
      { rpcUser: 'alice', rpcPassword: 'pa:ss', txindex: true },
      (node) =>
        new BitcoinCoreChain({
          url: node.url,
          auth: { user: 'alice', password: 'pa:ss' },
          ...fast,
        }),
    ),
  { behindNode: true },
);
