import { Migrator, type Kysely } from 'kysely';
import { migrations } from './migrations/index';

/** Applies pending migrations; safe to run from several processes at once (Kysely takes a lock). */
// Migrations run before the typed schema exists, so the handle is untyped on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
