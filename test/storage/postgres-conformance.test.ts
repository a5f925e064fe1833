import { storeConformance } from './conformance.js';
import { describePostgres } from './postgres-gate.js';
import { postgresFactory, testEncryption } from './stores.js';

describePostgres('PostgreSQL conformance', () => {
  storeConformance(postgresFactory());
  storeConformance(postgresFactory(testEncryption()));
});
