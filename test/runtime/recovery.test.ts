import { defaultChainBackend } from '../support/chain-backend.js';
import { describeRecoveryPaths } from './scenarios/recovery.js';

describeRecoveryPaths(defaultChainBackend());
