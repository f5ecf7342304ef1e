import { sql, type Kysely } from 'kysely';

/**
 * When an assignment was given back (skipped with a reason, or released by a pause or removal),
 * so that operators can read a project's releases newest first and see why tasks are skipped.
 * Releases made before this column existed are dated by their worker's last sign of life. The
 * index holds released assignments only, so the queue's writes do not grow it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table assignments add column released_at timestamptz`.execute(db);
  await sql`update assignments set released_at = last_seen_at where status = 'released'`.execute(
    db,
  );
  await sql`
    create index assignments_released on assignments (project_id, released_at desc, id desc)
    where status = 'released'
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index assignments_released`.execute(db);
  await sql`alter table assignments drop column released_at`.execute(db);
}
