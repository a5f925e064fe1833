import { describeChannelModel } from './model/suites.js';

// The model suites again, each party reaching the chain only through its own BitcoinCoreChain
// client over the simulated node (JSON-RPC on loopback): what it indexes from blocks and the
// mempool, its reorganisation handling and its broadcast refusals face the same random runs.
// A restarted party restarts its client too. Fewer runs than on the simulated chain: every run
// starts a node and makes about a thousand RPCs (about 0.4 s a run here, 5x the simulated one).
describeChannelModel({
  chain: 'bitcoin-core',
  runs: { none: 28, payee: 32, payer: 28 },
});
