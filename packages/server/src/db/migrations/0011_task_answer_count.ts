import { sql, type Kysely } from 'kysely';

/**
 * How many answers a work task has, kept beside the task: a submission that cannot conclude the
 * task's attempts (fewer than `consensus.min` answers with it) is stored in one statement that
 * serializes on this counter instead of locking the task for a whole transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks add column answer_count int not null default 0`.execute(db);
  await sql`
    update tasks t set answer_count = a.n
    from (select task_id, count(*)::int as n from task_answers group by task_id) a
    where a.task_id = t.id and t.kind = 'task'
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks drop column answer_count`.execute(db);
}
