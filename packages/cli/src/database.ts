import { loadConfig, migrateToLatest, openDatabase, type OpenDatabase } from '@quorum/server';

/**
 * Runs `work` on the configured database (DATABASE_URL, or the embedded one when no server holds
 * it), migrated first, and closes it afterwards.
 */
export async function withDatabase<T>(work: (database: OpenDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    return await work(database);
  } finally {
    await database.close();
  }
}
