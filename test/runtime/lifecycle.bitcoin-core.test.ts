import { describeFinality } from './scenarios/finality.js';
import { describeLifecycle } from './scenarios/lifecycle.js';
import { describeRecoveryPaths } from './scenarios/recovery.js';
import { describeStaleRestarts } from './scenarios/stale-close.js';

// The lifecycle scenarios of lifecycle, recovery, stale-close and finality.test.ts again, with
// the payer, the payee and the wallet reaching the chain only through BitcoinCoreChain clients
// over the simulated node on loopback: an honest close with payout and change, a revoked commit
// published and punished, a vanished payee ending in expire, restarts from stale snapshots, and
// reorganisations followed through the client's index.
describeLifecycle('bitcoin-core');
describeRecoveryPaths('bitcoin-core');
describeStaleRestarts('bitcoin-core');
describeFinality('bitcoin-core');
