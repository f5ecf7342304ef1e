import { sql, type Kysely } from 'kysely';

/**
 * Queue items with no claim left open (their tasks are being worked on), indexed apart so the
 * lease sweeper finds the ones whose claims were lost without reading the whole queue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index work_items_drained on work_items (task_id) where open_slots = 0`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index work_items_drained`.execute(db);
}
