import { sql, type Kysely } from 'kysely';

/** Finds a project's training and evaluation tasks without walking its real work. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index tasks_project_quality on tasks (project_id, kind, seq)
      where kind <> 'task' and status <> 'canceled'
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index tasks_project_quality`.execute(db);
}
