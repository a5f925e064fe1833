import { defaultChainBackend } from '../support/chain-backend.js';
import { describeFinality } from './scenarios/finality.js';

describeFinality(defaultChainBackend());
