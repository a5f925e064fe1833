import { defaultChainBackend } from '../support/chain-backend.js';
import { describeStaleRestarts } from './scenarios/stale-close.js';

describeStaleRestarts(defaultChainBackend());
