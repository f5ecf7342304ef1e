import { sql, type Kysely } from 'kysely';

/**
 * The Label Studio labeling config a project was created from, kept as written so Label Studio
 * tasks import (and export) under the config's own control names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table projects add column label_studio_config text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table projects drop column label_studio_config`.execute(db);
}
