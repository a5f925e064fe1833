import { storeConformance } from './conformance.js';
import { sqliteFactory, testEncryption } from './stores.js';

storeConformance(sqliteFactory());
storeConformance(sqliteFactory(testEncryption()));
