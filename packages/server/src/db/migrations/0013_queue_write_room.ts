import { sql, type Kysely } from 'kysely';

/**
 * Room for the queue's updates. Tasks and assignments are written once and then updated a few
 * times each (a task's answer count, an attempt's pay when its task concludes), on columns no
 * index holds: with free space left on their pages, those updates stay on the page (HOT) instead
 * of adding an entry to every index. Pages written from now on keep it. `assignments_task` goes:
 * the `(task_id, worker_id)` key serves every lookup by task, and each claim paid for both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks set (fillfactor = 85)`.execute(db);
  await sql`alter table assignments set (fillfactor = 85)`.execute(db);
  await sql`drop index assignments_task`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index assignments_task on assignments (task_id, stage)`.execute(db);
  await sql`alter table assignments reset (fillfactor)`.execute(db);
  await sql`alter table tasks reset (fillfactor)`.execute(db);
}
