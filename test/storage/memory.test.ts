import { storeConformance } from './conformance.js';
import { memoryFactory } from './stores.js';

storeConformance(memoryFactory);
