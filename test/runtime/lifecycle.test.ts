import { defaultChainBackend } from '../support/chain-backend.js';
import { describeLifecycle } from './scenarios/lifecycle.js';

describeLifecycle(defaultChainBackend());
