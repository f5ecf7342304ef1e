export { loadConfig, type Config } from './env';
export { startPlatform, type Platform } from './platform';
export { openDatabase, type OpenDatabase } from './db/database';
export { migrateToLatest } from './db/migrate';
export {
  createApiKey,
  createOrganization,
  listApiKeys,
  listOrganizations,
  revokeKey,
  DEFAULT_ORGANIZATION,
} from './services/api-keys';
export { findOrganizationByName } from './repositories/organizations';
export { inTransaction } from './db/executor';
export { reaggregateProject, type Reaggregation } from './services/answers';
