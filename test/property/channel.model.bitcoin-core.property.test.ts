import { describeChannelModel } from './model/suites.js';

// The model suites again, each party reaching the chain only through its own BitcoinCoreChain
// client over the simulated node (JSON-RPC on loopback): what it indexes from blocks and the
// mempool, its reorganisation handling and its broadcast refusals face the same random runs.
// Fewer runs than on the simulated chain: every run starts a node and makes thousands of RPCs.
describeChannelModel({
  chain: 'bitcoin-core',
  runs: { none: 28, payee: 32, payer: 28 },
});
