import { loadConfig, migrateToLatest, openDatabase } from '@quorum/server';
import type { Command } from '../main';

export const migrate: Command = {
  summary: 'Apply pending database migrations and exit',
  async run(args) {
    if (args.includes('--help')) {
      console.log(
        'Usage: quorum migrate\n\nMigrates DATABASE_URL, or the embedded database in QUORUM_DATA_DIR.',
      );
      return 0;
    }
    const config = loadConfig();
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
    });
    try {
      const applied = await migrateToLatest(database.db);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date');
      return 0;
    } finally {
      await database.close();
    }
  },
};
